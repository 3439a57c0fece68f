/** TailerJobRun's provider methods against the emulator (clock x1000: a one-minute job takes 60 ms). */
import { PartialFailure } from "../../provider/resources/common";
import { configurationStatusProvider } from "../../provider/resources/configurationStatusProvider";
import { JobRunState, launchJournalKey, jobRunProvider as provider } from "../../provider/resources/jobRunProvider";
import { readJournal, writeJournal } from "../../provider/resources/journal";
import { launchOutsidePulumi, type RunningEmulator } from "../helpers/emulator";
import {
  calls,
  checkedInputs,
  PROVIDER_PLACEHOLDER,
  providerLog,
  resetWorld,
  startProviderEnvironment,
  stopProviderEnvironment,
} from "../helpers/provider";

const identity = {
  account: "000099",
  environment: "DEV",
  configurationType: "table-to-table",
  configurationId: "000099_sales_load_DEV",
};
const apiIdentity = {
  account: "000099",
  environment: "DEV" as const,
  configuration_type: "table-to-table" as const,
  configuration_id: "000099_sales_load_DEV",
};
const fast = { pollIntervalSeconds: 0.02 };

let env: RunningEmulator;
beforeAll(async () => {
  env = await startProviderEnvironment();
});
afterAll(() => stopProviderEnvironment(env));
beforeEach(() => resetWorld(env));

const checked = (inputs: Record<string, unknown>) => checkedInputs(provider, inputs);

async function runsOfJob() {
  return env.admin.listRuns({ configuration_id: identity.configurationId });
}

async function failureOf(promise: Promise<unknown>): Promise<PartialFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PartialFailure);
  return error as PartialFailure;
}

describe("create", () => {
  test("launches, waits for SUCCESS and records the run", async () => {
    await env.admin.clearRequests();
    const result = await provider.create(await checked({ ...identity, ...fast }));
    expect(result.outs).toMatchObject({
      runId: result.id,
      jobId: "gbq-to-gbq|000099_sales_load_DEV",
      status: "SUCCESS",
      duration: expect.stringMatching(/^0:01:00/),
      startExecutionDate: expect.stringMatching(/\+00:00$/),
      adopted: false,
    });
    const actions = await calls(env);
    expect(actions.slice(0, 2)).toEqual(["get_last_status", "launch_job"]);
    expect(actions.filter((a) => a === "launch_job")).toHaveLength(1);
    expect(actions.slice(2).every((a) => a === "check_run_status")).toBe(true);
  });

  test("progress is visible: which run, its status and the elapsed time", async () => {
    providerLog.length = 0;
    const result = await provider.create(await checked({ ...identity, ...fast }));
    expect(providerLog).toContain(`tailer: launched run ${result.id} of 000099_sales_load_DEV`);
    expect(providerLog).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^tailer: run ${result.id} of 000099_sales_load_DEV: (WAITING|RUNNING), \\d+s elapsed$`)),
      ]),
    );
    expect(providerLog).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^tailer: run ${result.id} of 000099_sales_load_DEV: SUCCESS, \\d+s elapsed$`)),
      ]),
    );
  });

  test("polls less and less often: a long run costs few calls", async () => {
    await env.admin.scriptLaunches(apiIdentity, [{ duration: "1:00:00", outcome: "SUCCESS" }]);
    await env.admin.clearRequests();
    await provider.create(await checked({ ...identity, ...fast })); // one hour at x1000: 3.6 s
    const polls = (await calls(env)).filter((a) => a === "check_run_status").length;
    expect(polls).toBeLessThan(25); // a fixed 20 ms interval would take ~180
  });

  test("a FAILED run fails the deploy with run id, status, duration and what to do, yet stays in state", async () => {
    await env.admin.scriptLaunches(apiIdentity, [{ duration: 30, outcome: "FAILED" }]);
    const failure = await failureOf(provider.create(await checked({ ...identity, ...fast })));
    expect(failure.message).toMatch(/run \d{8}-\d{6}-\S+ of 000099_sales_load_DEV \(DEV\) ended FAILED after 0:00:30/);
    expect(failure.message).toMatch(/run pulumi up: the run is relaunched once/);
    expect(failure.id).toBe(failure.properties.runId);
    expect(failure.properties).toMatchObject({ status: "FAILED", __provider: PROVIDER_PLACEHOLDER });
  });

  test("a run outliving timeoutSeconds fails the deploy, stays in state RUNNING, and the next update waits for it", async () => {
    await env.admin.scriptLaunches(apiIdentity, [{ duration: "0:10:00", outcome: "SUCCESS" }]);
    const failure = await failureOf(provider.create(await checked({ ...identity, ...fast, timeoutSeconds: 0.1 })));
    expect(failure.message).toMatch(/still (WAITING|RUNNING) after 0.1 s.*waits for it again rather than launching another/);
    const olds = failure.properties;
    const news = await checked({ ...identity, ...fast });
    expect(await provider.diff(failure.id, olds, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await provider.update(failure.id, olds, news);
    expect(updated.outs).toMatchObject({ runId: failure.id, status: "SUCCESS" });
    expect(await runsOfJob()).toHaveLength(1);
  });

  test("wait: false returns at once with the run in progress", async () => {
    const result = await provider.create(await checked({ ...identity, wait: false }));
    expect(result.outs.status).toMatch(/WAITING|RUNNING/);
  });

  test("a run of this job already in progress is adopted, not launched again", async () => {
    const first = await provider.create(await checked({ ...identity, wait: false }));
    await env.admin.clearRequests();
    const second = await provider.create(await checked({ ...identity, ...fast }));
    expect(second.id).toBe(first.id);
    expect(second.outs).toMatchObject({ adopted: true, status: "SUCCESS" });
    expect(await calls(env)).not.toContain("launch_job");
  });

  test("adoptRunning: false launches behind the run in progress (WAITING, then its turn)", async () => {
    const first = await provider.create(
      await checked({ ...identity, wait: false, __urn: "urn:pulumi:e2e::p::pulumi-nodejs:dynamic/tailer:JobRun::first" }),
    );
    const second = await provider.create(
      await checked({ ...identity, ...fast, adoptRunning: false, __urn: "urn:pulumi:e2e::p::pulumi-nodejs:dynamic/tailer:JobRun::second" }),
    );
    expect(second.id).not.toBe(first.id);
    expect(second.outs.status).toBe("SUCCESS");
  });

  test("a DEACTIVATED run says the configuration is disabled and how to order the activation", async () => {
    await env.admin.updateConfiguration({ ...apiIdentity, activated: false });
    const failure = await failureOf(provider.create(await checked({ ...identity, ...fast })));
    expect(failure.message).toMatch(/ended DEACTIVATED.*activate it.*dependsOn/);
  });

  test("launching against a configuration this deployment disabled fails fast, launching nothing", async () => {
    const status = await configurationStatusProvider.check({}, { ...identity, activated: false });
    await configurationStatusProvider.create({ ...status.inputs, __provider: PROVIDER_PLACEHOLDER });
    await env.admin.clearRequests();
    await expect(provider.create(await checked(identity))).rejects.toThrow(
      /is disabled by a TailerConfigurationStatus in this deployment.*nothing was launched/,
    );
    expect(await calls(env)).toEqual([]);
    // Leave the process's knowledge as the deployment would: active again.
    const active = await configurationStatusProvider.check({}, identity);
    await configurationStatusProvider.create({ ...active.inputs, __provider: PROVIDER_PLACEHOLDER });
  });

  test("execution_date and job_id reach the launch", async () => {
    const result = await provider.create(
      await checked({ ...identity, ...fast, executionDate: "2026-11-01", jobId: "gbq-to-gbq|000099_sales_load_DEV" }),
    );
    const [run] = await env.admin.listRuns({ run_id: String(result.id) });
    expect(run?.execution_date).toBe("2026-11-01");
  });

  test("a lost launch answer is adopted, never launched twice", async () => {
    await env.admin.addFault({ kind: "drop_response", max_count: 1, action: "launch_job" });
    const result = await provider.create(await checked({ ...identity, ...fast }));
    expect(result.outs).toMatchObject({ adopted: true, status: "SUCCESS" });
    expect(await runsOfJob()).toHaveLength(1);
  });
});

describe("a pulumi up killed mid-launch (the launch journal)", () => {
  const definition = { ...identity, ...fast };

  async function keyOf() {
    return launchJournalKey(JobRunState.parse(await checked(definition)));
  }

  const launchedOutside = () => launchOutsidePulumi(env, apiIdentity);

  test("killed after the launch answered: the next create adopts the journaled run, even finished, and launches nothing", async () => {
    const runId = await launchedOutside(); // what the killed process launched
    await env.admin.advanceClock(600); // it finished while nobody watched
    const key = await keyOf();
    writeJournal(key, { startedAt: new Date().toISOString(), runsBefore: [], runId });
    await env.admin.clearRequests();
    const result = await provider.create(await checked(definition));
    expect(result.id).toBe(runId);
    expect(result.outs).toMatchObject({ adopted: true, status: "SUCCESS" });
    expect(await calls(env)).not.toContain("launch_job");
    // The entry stays until an operation sees the run in state: the next diff.
    expect(readJournal(key)?.runId).toBe(runId);
    await provider.diff(result.id, result.outs, await checked(definition));
    expect(readJournal(key)).toBeUndefined();
  });

  test("an orphaned create (its pulumi up was killed, it finished anyway) leaves its run for the next create", async () => {
    const orphan = await provider.create(await checked(definition)); // nobody records this result
    await env.admin.clearRequests();
    const next = await provider.create(await checked(definition));
    expect(next.id).toBe(orphan.id);
    expect(await calls(env)).not.toContain("launch_job");
  });

  test("a run recorded in state is relaunched normally: the journal does not hold it back", async () => {
    const first = await provider.create(await checked({ ...definition, rerunOn: "every-deploy" }));
    const news = await checked({ ...definition, rerunOn: "every-deploy" });
    expect((await provider.diff(first.id, first.outs, news)).replaces).toEqual(["rerunOn"]);
    const second = await provider.create(news);
    expect(second.id).not.toBe(first.id);
  });

  test("killed before the launch answered: a run absent from the journaled runs is that launch", async () => {
    const before = (await runsOfJob()).map((r) => r.run_id);
    writeJournal(await keyOf(), { startedAt: new Date().toISOString(), runsBefore: before });
    const runId = await launchedOutside();
    await env.admin.advanceClock(600);
    const result = await provider.create(await checked(definition));
    expect(result.id).toBe(runId);
    expect(await runsOfJob()).toHaveLength(before.length + 1);
  });

  test("a launch refused for good leaves no journal entry", async () => {
    await env.admin.deleteConfiguration(apiIdentity);
    await expect(provider.create(await checked(definition))).rejects.toThrow(/not found/);
    expect(readJournal(await keyOf())).toBeUndefined();
  });

  test("losing the API while watching still records the run, in progress, for the next up to wait for", async () => {
    await env.admin.scriptLaunches(apiIdentity, [{ duration: "0:05:00", outcome: "SUCCESS" }]);
    await env.admin.addFault({ kind: "error", status: 500, action: "check_run_status" });
    const failure = await failureOf(provider.create(await checked(definition)));
    expect(failure.message).toMatch(/watching run \S+ .* failed: .*HTTP 500.*recorded in state/s);
    expect(failure.properties).toMatchObject({ status: "WAITING" });
    await env.admin.clearFaults();
    const updated = await provider.update(failure.id, failure.properties, await checked(definition));
    expect(updated.outs).toMatchObject({ runId: failure.id, status: "SUCCESS" });
    expect(await runsOfJob()).toHaveLength(1);
  });
});

describe("diff", () => {
  const base = {
    ...identity,
    wait: true,
    timeoutSeconds: 3600,
    pollIntervalSeconds: 2,
    rerunOn: "never",
    relaunchOnFailure: true,
    adoptRunning: true,
  };
  const olds = { ...base, runId: "r", jobId: "gbq-to-gbq|000099_sales_load_DEV", status: "SUCCESS" };

  test("nothing changed: false, never unknown", async () => {
    expect(await provider.diff("r", olds, base)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  test.each([
    ["configurationId", { configurationId: "000099_sales_aggregate_DEV" }],
    ["executionDate", { executionDate: "2026-11-02" }],
    ["triggers", { triggers: { version: "2" } }],
    ["jobId", { jobId: "gbq-to-gbq|other" }],
  ])("a new %s is another run: replace", async (field, change) => {
    expect((await provider.diff("r", olds, { ...base, ...change })).replaces).toEqual([field]);
  });

  test("a jobId equal to the run's job is not a change", async () => {
    expect(await provider.diff("r", olds, { ...base, jobId: "gbq-to-gbq|000099_sales_load_DEV" })).toMatchObject({ changes: false });
  });

  test("rerunOn every-deploy replaces on every deploy; turning it off does not relaunch", async () => {
    expect((await provider.diff("r", olds, { ...base, rerunOn: "every-deploy" })).replaces).toEqual(["rerunOn"]);
    const off = await provider.diff("r", { ...olds, rerunOn: "every-deploy" }, base);
    expect(off).toMatchObject({ changes: true, replaces: [] });
  });

  test("a FAILED run is drift: relaunched on the next up, unless relaunchOnFailure is false", async () => {
    expect((await provider.diff("r", { ...olds, status: "FAILED" }, base)).replaces).toEqual(["status"]);
    expect(
      await provider.diff("r", { ...olds, status: "FAILED", relaunchOnFailure: false }, { ...base, relaunchOnFailure: false }),
    ).toMatchObject({
      changes: false,
    });
  });

  test("a run marked CHECKED (handled by a person) is not relaunched", async () => {
    expect(await provider.diff("r", { ...olds, status: "CHECKED" }, base)).toMatchObject({ changes: false });
  });

  test("changing how to wait is an update, not a launch", async () => {
    expect(await provider.diff("r", olds, { ...base, timeoutSeconds: 60 })).toMatchObject({ changes: true, replaces: [] });
    expect(await provider.diff("r", olds, { ...base, expectedDurationSeconds: 600 })).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("read", () => {
  test("reads our run's status; a run marked FAILED out of band becomes drift", async () => {
    const created = await provider.create(await checked({ ...identity, ...fast }));
    await env.admin.setRunStatus(created.id, "FAILED");
    const read = await provider.read(created.id, { ...created.outs, __provider: PROVIDER_PLACEHOLDER });
    expect(read.props).toMatchObject({ runId: created.id, status: "FAILED" });
    expect((await provider.diff(created.id, read.props ?? {}, await checked({ ...identity, ...fast }))).replaces).toEqual(["status"]);
  });

  test("a run of a configuration that is gone leaves state", async () => {
    const created = await provider.create(await checked({ ...identity, ...fast }));
    await env.admin.deleteConfiguration(apiIdentity);
    expect(await provider.read(created.id, { ...created.outs, __provider: PROVIDER_PLACEHOLDER })).toEqual({});
  });

  test("storage runs without a single job id are found among the last runs", async () => {
    const storage = {
      account: "000099",
      environment: "DEV",
      configurationType: "table-to-storage",
      configurationId: "000099_sales_export",
    };
    const created = await provider.create(await checked({ ...storage, ...fast }));
    const read = await provider.read(created.id, { ...created.outs, __provider: PROVIDER_PLACEHOLDER });
    expect(read.props).toMatchObject({ runId: created.id, status: "SUCCESS" });
  });
});

describe("delete", () => {
  test("only forgets: runs are history", async () => {
    const created = await provider.create(await checked({ ...identity, ...fast }));
    await env.admin.clearRequests();
    await provider.delete(created.id, created.outs);
    expect(await calls(env)).toEqual([]);
  });
});
