/** TailerJobRun's provider methods against the emulator (clock x1000: a one-minute job takes 60 ms). */

import type { LaunchAttempt } from "../../provider/client/launch";
import { ErrorCodes, ResourceInitError } from "../../provider/core/errors";
import { configurationStatusProvider } from "../../provider/resources/configurationStatusProvider";
import { setStackReader } from "../../provider/resources/interruptedLaunches";
import { launchContext } from "../../provider/resources/jobRunLaunch";
import { JobRunState, LAUNCH_UNCERTAIN_STATUS, jobRunProvider as provider } from "../../provider/resources/jobRunProvider";
import { LaunchJournal } from "../../provider/resources/journal";
import { launchOutsidePulumi, type RunningEmulator } from "../helpers/emulator";
import {
  calls,
  checkedInputs,
  configureFor,
  PROVIDER_PLACEHOLDER,
  providerLog,
  resetWorld,
  startProviderEnvironment,
  stopProviderEnvironment,
  TEST_RECONCILE_WINDOW_MS,
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
const urn = (name: string) => `urn:pulumi:e2e::p::pulumi-nodejs:dynamic/tailer:JobRun::${name}`;

let env: RunningEmulator;
beforeAll(async () => {
  env = await startProviderEnvironment();
});
afterAll(() => stopProviderEnvironment(env));
beforeEach(() => resetWorld(env));

const checked = (inputs: Record<string, unknown>) => checkedInputs(provider, inputs);
const runsOfJob = () => env.admin.listRuns({ configuration_id: identity.configurationId });
const launches = async () => (await calls(env)).filter((a) => a === "launch_job").length;

async function failureOf(promise: Promise<unknown>): Promise<ResourceInitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ResourceInitError);
  return error as ResourceInitError;
}

/** A deployment as `pulumi stack export` prints it: this create's pending operation, others', and resources. */
function stackState(own: Record<string, unknown>, others: Record<string, unknown>[], resources: object[] = []) {
  const pending = [own, ...others].map((inputs) => ({ type: "creating", resource: { urn: String(inputs.__urn), inputs } }));
  return { deployment: { resources, pending_operations: pending } };
}

/** Runs `operation` with the stack's state reading `deployment` (and the check on). */
async function withDeployment<T>(deployment: unknown, operation: () => Promise<T>): Promise<T> {
  const previous = setStackReader(async () => deployment);
  configureFor(env, { "tailer:interruptedLaunchCheck": "auto" });
  try {
    return await operation();
  } finally {
    setStackReader(previous);
    configureFor(env);
  }
}

const withStackState = <T>(own: Record<string, unknown>, others: Record<string, unknown>[], operation: () => Promise<T>) =>
  withDeployment(stackState(own, others), operation);

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
    expect(await launches()).toBe(1);
    expect(actions.slice(2).every((a) => a === "check_run_status")).toBe(true);
  });

  test("progress is visible: which run, its status and the elapsed time", async () => {
    providerLog.length = 0;
    const result = await provider.create(await checked({ ...identity, ...fast }));
    expect(providerLog).toContain(`tailer: launched run ${result.id} of 000099_sales_load_DEV`);
    // What a Ctrl-C does is said before the wait, not discovered by waiting.
    expect(providerLog).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^tailer: waiting for run ${result.id} of 000099_sales_load_DEV \\(up to 3600 s\\)\\. Ctrl-C: .*a second Ctrl-C stops waiting, the run goes on in Tailer and the next pulumi up adopts it\\.$`,
        ),
      ),
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

  test("a FAILED run fails the deploy (TAILER_RUN_FAILED) with run id, status, duration and what to do, yet stays in state", async () => {
    await env.admin.scriptLaunches(apiIdentity, [{ duration: 30, outcome: "FAILED" }]);
    const failure = await failureOf(provider.create(await checked({ ...identity, ...fast })));
    expect(failure.code).toBe(ErrorCodes.RUN_FAILED);
    expect(failure.message).toMatch(/run \d{8}-\d{6}-\S+ of 000099_sales_load_DEV \(DEV\) ended FAILED after 0:00:30/);
    expect(failure.message).toMatch(/run pulumi up: the run is relaunched once/);
    expect(failure.id).toBe(failure.properties.runId);
    expect(failure.properties).toMatchObject({ status: "FAILED", __provider: PROVIDER_PLACEHOLDER });
  });

  test("a run outliving timeoutSeconds fails the deploy (TAILER_RUN_TIMEOUT), stays in state, and the next update waits for it", async () => {
    await env.admin.scriptLaunches(apiIdentity, [{ duration: "0:10:00", outcome: "SUCCESS" }]);
    const failure = await failureOf(provider.create(await checked({ ...identity, ...fast, timeoutSeconds: 0.1 })));
    expect(failure.code).toBe(ErrorCodes.RUN_TIMEOUT);
    expect(failure.message).toMatch(/still (WAITING|RUNNING) after 0.1 s.*waits for it again rather than launching another/);
    const news = await checked({ ...identity, ...fast });
    expect(await provider.diff(failure.id, failure.properties, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await provider.update(failure.id, failure.properties, news);
    expect(updated.outs).toMatchObject({ runId: failure.id, status: "SUCCESS" });
    expect(await runsOfJob()).toHaveLength(1);
  });

  test("wait: false returns at once with the run in progress", async () => {
    const result = await provider.create(await checked({ ...identity, wait: false }));
    expect(result.outs.status).toMatch(/WAITING|RUNNING/);
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

  test("a launch answer lost after the launch happened is adopted at once, never launched twice", async () => {
    await env.admin.addFault({ kind: "drop_response", max_count: 1, action: "launch_job" });
    const result = await provider.create(await checked({ ...identity, ...fast }));
    expect(result.outs).toMatchObject({ adopted: true, status: "SUCCESS" });
    expect(await runsOfJob()).toHaveLength(1);
  });
});

describe("adoptRunning: a run of the job in progress", () => {
  test("one launched outside Pulumi (a schedule, a person) is adopted rather than queued behind", async () => {
    await env.admin.scriptLaunches(apiIdentity, [{ duration: "0:30:00", outcome: "SUCCESS" }]); // still running when the create reads it
    const scheduled = await launchOutsidePulumi(env, apiIdentity);
    await env.admin.clearRequests();
    const created = await provider.create(await checked({ ...identity, ...fast, __urn: urn("load") }));
    expect(created).toMatchObject({ id: scheduled, outs: { adopted: true, status: "SUCCESS" } });
    expect(await launches()).toBe(0);
  });

  test("adoptRunning: false launches behind it (WAITING, then its turn)", async () => {
    const scheduled = await launchOutsidePulumi(env, apiIdentity);
    const created = await provider.create(await checked({ ...identity, ...fast, adoptRunning: false, __urn: urn("load") }));
    expect(created.id).not.toBe(scheduled);
    expect(created.outs.status).toBe("SUCCESS");
  });

  test("regression: adoptRunning ignored executionDate; a resource with one does not adopt it (runs do not show their date)", async () => {
    const scheduled = await launchOutsidePulumi(env, apiIdentity);
    const created = await provider.create(await checked({ ...identity, ...fast, executionDate: "2026-11-01", __urn: urn("backfill") }));
    expect(created.id).not.toBe(scheduled);
  });

  test("regression: adoptRunning ignored triggers; a resource with triggers (a release) does not adopt a run it cannot tell is its own", async () => {
    const scheduled = await launchOutsidePulumi(env, apiIdentity);
    const created = await provider.create(
      await checked({ ...identity, ...fast, triggers: { release: "2026.11.1" }, __urn: urn("release") }),
    );
    expect(created.id).not.toBe(scheduled);
  });

  test("a sibling TailerJobRun's run (another date, same job) is never adopted", async () => {
    const sibling = await provider.create(await checked({ ...identity, wait: false, executionDate: "2026-11-01", __urn: urn("nov-1") }));
    const created = await provider.create(await checked({ ...identity, ...fast, __urn: urn("today") }));
    expect(created.id).not.toBe(sibling.id);
    expect(await runsOfJob()).toHaveLength(2);
  });
});

describe("an uncertain launch (its answer lost, nothing proves what happened)", () => {
  test("a reset before processing: after the reconcile window, LAUNCH_UNCERTAIN recorded in state, nothing launched twice", async () => {
    await env.admin.addFault({ kind: "reset", max_count: 1, action: "launch_job" });
    await env.admin.clearRequests();
    const failure = await failureOf(provider.create(await checked({ ...identity, ...fast, __urn: urn("load") })));
    expect(failure.code).toBe(ErrorCodes.LAUNCH_UNCERTAIN);
    expect(failure.message).toMatch(/may or may not have started a run .*no new run of the job appeared by .* Candidates: none\./);
    expect(failure.hint).toMatch(/adoptRunId.*pulumi up again.*--replace/);
    expect(failure.properties).toMatchObject({ status: LAUNCH_UNCERTAIN_STATUS, launchAttempt: { runsBefore: expect.any(Array) } });
    expect(failure.properties.runId).toBeUndefined();
    expect(await launches()).toBe(1);
    expect(await runsOfJob()).toHaveLength(0);
  });

  test("the next up finishes it: the attempt left no run, so it launches, once", async () => {
    await env.admin.addFault({ kind: "reset", max_count: 1, action: "launch_job" });
    const failure = await failureOf(provider.create(await checked({ ...identity, ...fast, __urn: urn("load") })));
    const news = await checked({ ...identity, ...fast, __urn: urn("load") });
    expect(await provider.diff(failure.id, failure.properties, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await provider.update(failure.id, failure.properties, news);
    expect(updated.outs).toMatchObject({ status: "SUCCESS", adopted: false });
    expect(updated.outs.launchAttempt).toBeUndefined();
    expect(await runsOfJob()).toHaveLength(1);
  });

  test("the next up adopts the run that appeared late, rather than launching", async () => {
    await env.admin.addFault({ kind: "reset", max_count: 1, action: "launch_job" });
    const failure = await failureOf(provider.create(await checked({ ...identity, ...fast, __urn: urn("load") })));
    const late = await launchOutsidePulumi(env, apiIdentity); // stands for the launch processed after the window
    const updated = await provider.update(failure.id, failure.properties, await checked({ ...identity, ...fast, __urn: urn("load") }));
    expect(updated.outs).toMatchObject({ runId: late, adopted: true, status: "SUCCESS" });
    expect(await runsOfJob()).toHaveLength(1);
  });

  test("two new runs cannot be told apart: LAUNCH_UNCERTAIN names both, and adoptRunId resolves it", async () => {
    await env.admin.addFault({ kind: "reset", max_count: 1, action: "launch_job" });
    const failure = await failureOf(provider.create(await checked({ ...identity, ...fast, __urn: urn("load") })));
    const [a, b] = [await launchOutsidePulumi(env, apiIdentity), await launchOutsidePulumi(env, apiIdentity)];
    const news = await checked({ ...identity, ...fast, __urn: urn("load") });
    const again = await failureOf(provider.update(failure.id, failure.properties, news));
    expect(again.code).toBe(ErrorCodes.LAUNCH_UNCERTAIN);
    expect(again.message).toContain(a);
    expect(again.message).toContain(b);
    expect(again.id).toBe(failure.id);
    await env.admin.clearRequests();
    const resolved = await provider.update(
      failure.id,
      again.properties,
      await checked({ ...identity, ...fast, __urn: urn("load"), adoptRunId: b }),
    );
    expect(resolved.outs).toMatchObject({ runId: b, status: "SUCCESS" });
    expect(await launches()).toBe(0);
  });

  test("adoptRunId naming a run of another job is refused with the fix, recording nothing", async () => {
    const other = await launchOutsidePulumi(env, { ...apiIdentity, configuration_id: "000099_sales_aggregate_DEV" });
    await expect(provider.create(await checked({ ...identity, adoptRunId: other, __urn: urn("load") }))).rejects.toThrow(
      /adoptRunId ".*" is not a run of gbq-to-gbq\|000099_sales_load_DEV 000099_sales_load_DEV \(DEV\); nothing was recorded/,
    );
  });

  test("a refused launch (404) is final: no reconciliation wait, no journal entry", async () => {
    await env.admin.deleteConfiguration(apiIdentity);
    const state = JobRunState.parse(await checked({ ...identity, __urn: urn("load") }));
    await expect(provider.create(await checked({ ...identity, __urn: urn("load") }))).rejects.toThrow(/not found/);
    const ctx = launchContext(state, urn("load"));
    expect(ctx.journal.read(ctx.key)).toBeUndefined();
  });
});

describe("a pulumi up killed mid-launch, resumed on the same machine (the launch journal)", () => {
  const definition = { ...identity, ...fast, __urn: urn("load") };

  async function journalOf() {
    const ctx = launchContext(JobRunState.parse(await checked(definition)), urn("load"));
    return {
      journal: ctx.journal,
      key: ctx.key,
      entry: (attempt: LaunchAttempt, runId?: string) => ({
        urn: urn("load"),
        definition: ctx.definition,
        attempt,
        ...(runId ? { runId } : {}),
        apiUrl: env.url,
        writtenAt: new Date().toISOString(),
      }),
    };
  }

  const attemptNow = (runsBefore: string[] = []) => ({
    startedAt: new Date(Date.now() - 3_600_000).toISOString(), // the emulator's clock runs x1000: surely before
    settlesAt: new Date(Date.now() + TEST_RECONCILE_WINDOW_MS).toISOString(),
    runsBefore,
    jobId: "gbq-to-gbq|000099_sales_load_DEV",
  });

  test("killed after the launch answered: the next create adopts the journaled run, even finished, and launches nothing", async () => {
    const runId = await launchOutsidePulumi(env, apiIdentity); // what the killed process launched
    await env.admin.advanceClock(600); // it finished while nobody watched
    const { journal, key, entry } = await journalOf();
    journal.write(key, entry(attemptNow(), runId));
    await env.admin.clearRequests();
    const result = await provider.create(await checked(definition));
    expect(result).toMatchObject({ id: runId, outs: { adopted: true, status: "SUCCESS" } });
    expect(await launches()).toBe(0);
    expect(journal.read(key)?.runId).toBe(runId); // kept until an operation sees the run in state
  });

  test("killed before the answer: the one new run of the job is that launch", async () => {
    const { journal, key, entry } = await journalOf();
    journal.write(key, entry(attemptNow((await runsOfJob()).map((r) => r.run_id))));
    const runId = await launchOutsidePulumi(env, apiIdentity);
    await env.admin.advanceClock(600);
    const result = await provider.create(await checked(definition));
    expect(result.id).toBe(runId);
    expect(await runsOfJob()).toHaveLength(1);
  });

  test("killed before sending: once the window passed with no new run, the next create launches exactly once", async () => {
    const { journal, key, entry } = await journalOf();
    journal.write(key, entry(attemptNow()));
    providerLog.length = 0;
    const result = await provider.create(await checked(definition));
    expect(result.outs).toMatchObject({ adopted: false, status: "SUCCESS" });
    expect(await runsOfJob()).toHaveLength(1);
    expect(providerLog.join("\n")).toMatch(/left no run: it launched nothing/);
  });

  test.each([
    ["killed after the answer", false],
    ["returned, then destroyed", true],
  ])(
    "regression: a journal entry of another API URL (%s on the emulator, then the stack pointed at Tailer) was adopted, and up waited for a run this API does not know: it launches",
    async (_case, returned) => {
      const { journal, key, entry } = await journalOf();
      const elsewhere = { ...entry(attemptNow(), "20261127-101010-5a1e5a1e-0000-4000-8000-000000000000"), apiUrl: "http://127.0.0.1:9" };
      journal.write(key, returned ? { ...elsewhere, returnedAt: new Date().toISOString() } : elsewhere);
      await env.admin.clearRequests();
      providerLog.length = 0;
      const news = await checked(definition);
      const result = await withStackState(news, [], () => provider.create(news));
      expect(result.outs).toMatchObject({ adopted: false, status: "SUCCESS" });
      expect(await launches()).toBe(1);
      expect(providerLog.join("\n")).toContain(`was launched through http://127.0.0.1:9, which ${env.url} does not know: not adopted`);
    },
  );

  test("an orphaned create (its pulumi up was killed, it finished anyway) leaves its run for the next create, which the state does not record", async () => {
    const orphan = await provider.create(await checked(definition)); // nobody records this result
    await env.admin.clearRequests();
    const news = await checked(definition);
    const next = await withStackState(news, [], () => provider.create(news));
    expect(next.id).toBe(orphan.id);
    expect(await launches()).toBe(0);
  });

  test("regression: destroy then up of the same definition adopted the destroyed run (its journal entry looked orphaned); it launches anew", async () => {
    const first = await provider.create(await checked(definition));
    await provider.delete(first.id, first.outs);
    await env.admin.clearRequests();
    const news = await checked(definition);
    const second = await withStackState(news, [], () => provider.create(news));
    expect(second.id).not.toBe(first.id);
    expect(await launches()).toBe(1);
  });

  test("regression: TailerJobRun's diff deleted journal entries (side effects at preview); diff is pure; update marks them recorded", async () => {
    const created = await provider.create(await checked(definition));
    const { journal, key } = await journalOf();
    expect(journal.read(key)?.runId).toBe(created.id);
    await provider.diff(created.id, created.outs, await checked(definition));
    expect(journal.read(key)?.runId).toBe(created.id);
    await provider.update(created.id, created.outs, await checked(definition));
    expect(journal.read(key)).toMatchObject({ runId: created.id, returnedAt: expect.any(String) });
  });

  test("regression: a replacement (every-deploy, a relaunch) adopted the run its predecessor journaled; it launches anew", async () => {
    const first = await provider.create(await checked({ ...definition, rerunOn: "every-deploy" }));
    const news = await checked({ ...definition, rerunOn: "every-deploy" });
    expect((await provider.diff(first.id, first.outs, news)).replaces).toEqual(["rerunOn"]);
    const second = await provider.create(news);
    expect(second.id).not.toBe(first.id);
  });
});

describe("the journal's own windows", () => {
  const definition = { ...identity, ...fast, __urn: urn("load") };
  const entryFor = async (writtenAt: string, runId: string) => {
    const ctx = launchContext(JobRunState.parse(await checked(definition)), urn("load"));
    const attempt = { startedAt: writtenAt, settlesAt: writtenAt, runsBefore: [], jobId: "gbq-to-gbq|000099_sales_load_DEV" };
    ctx.journal.write(ctx.key, { urn: urn("load"), definition: ctx.definition, attempt, runId, apiUrl: env.url, writtenAt });
  };

  test("regression: journal entries expired after 7 days; an 8-day-old launch left by a killed up is still adopted", async () => {
    const runId = await launchOutsidePulumi(env, apiIdentity);
    await entryFor(new Date(Date.now() - 8 * 24 * 3_600_000).toISOString(), runId);
    const created = await provider.create(await checked(definition));
    expect(created).toMatchObject({ id: runId, outs: { adopted: true } });
  });

  test("regression: journal entries were keyed by the API URL; the same API reached by another URL finds them", async () => {
    const runId = await launchOutsidePulumi(env, apiIdentity);
    await entryFor(new Date().toISOString(), runId);
    configureFor(env, { "tailer:apiUrl": env.url.replace("127.0.0.1", "localhost") });
    try {
      const created = await provider.create(await checked(definition));
      expect(created.id).toBe(runId);
    } finally {
      configureFor(env);
    }
  });

  test("regression: when an uncertain launch's retries ran out the journal entry was cleared (the next up could launch a third run); it stays", async () => {
    await env.admin.addFault({ kind: "reset", max_count: 1, action: "launch_job" });
    const failure = await failureOf(provider.create(await checked(definition)));
    expect(failure.code).toBe(ErrorCodes.LAUNCH_UNCERTAIN);
    const ctx = launchContext(JobRunState.parse(await checked(definition)), urn("load"));
    expect(ctx.journal.read(ctx.key)).toMatchObject({ attempt: { reason: expect.any(String) } });
    expect(ctx.journal.read(ctx.key)?.runId).toBeUndefined();
  });
});

describe("a pulumi up killed on one runner, resumed on another (no shared journal: the stack's pending operation)", () => {
  const definition = { ...identity, ...fast, __urn: urn("load") };
  const killedIntent = () => ({ id: "killed-create", at: new Date(Date.now() - 60_000).toISOString() });

  test("regression: a pulumi up killed on one runner and resumed on another (fresh HOME) launched again even when the first run had ended; it is adopted", async () => {
    const launched = await launchOutsidePulumi(env, apiIdentity); // what the killed runner launched
    await env.admin.advanceClock(600);
    const news = await checked(definition);
    const created = await withStackState(news, [{ ...definition, __launchIntent: killedIntent() }], () => provider.create(news));
    expect(created).toMatchObject({ id: launched, outs: { adopted: true, resolvedIntents: ["killed-create"] } });
    expect(await runsOfJob()).toHaveLength(1);
  });

  test("killed before it launched: no run since, so the next create launches once", async () => {
    const news = await checked(definition);
    const created = await withStackState(news, [{ ...definition, __launchIntent: killedIntent() }], () => provider.create(news));
    expect(created.outs).toMatchObject({ adopted: false, resolvedIntents: ["killed-create"] });
    expect(await runsOfJob()).toHaveLength(1);
  });

  test("a pending operation the resource already resolved is not read again", async () => {
    const news = await checked(definition);
    const deployment = stackState(
      news,
      [{ ...definition, __launchIntent: killedIntent() }],
      [{ urn: urn("load"), type: "pulumi-nodejs:dynamic/tailer:JobRun", outputs: { runId: "old", resolvedIntents: ["killed-create"] } }],
    );
    await launchOutsidePulumi(env, apiIdentity); // a schedule's run: not the killed create's
    const created = await withDeployment(deployment, () => provider.create(news));
    expect(created.outs).toMatchObject({ adopted: true }); // adoptRunning, not resumption
    expect(created.outs.resolvedIntents).toBeUndefined();
  });

  test("a state that does not hold this create's own pending operation is another stack's: not used", async () => {
    const news = await checked(definition);
    const foreign = stackState(await checked(definition), [{ ...definition, __launchIntent: killedIntent() }]);
    providerLog.length = 0;
    const created = await withDeployment(foreign, () => provider.create(news));
    expect(created.outs.resolvedIntents).toBeUndefined();
    expect(providerLog.join("\n")).toMatch(/could not read the stack's state .*own pending operation/);
  });
});

describe("two resources launching the same job at the same moment (one journal folder)", () => {
  test("regression: two stacks launching the same job at the same moment launched two runs; the same definition ends with one, shared", async () => {
    const [a, b] = await Promise.all([
      provider.create(
        await checked({
          ...identity,
          ...fast,
          executionDate: "2026-11-01",
          __urn: "urn:pulumi:blue::p::pulumi-nodejs:dynamic/tailer:JobRun::load",
        }),
      ),
      provider.create(
        await checked({
          ...identity,
          ...fast,
          executionDate: "2026-11-01",
          __urn: "urn:pulumi:green::p::pulumi-nodejs:dynamic/tailer:JobRun::load",
        }),
      ),
    ]);
    expect(a.id).toBe(b.id);
    expect(await runsOfJob()).toHaveLength(1);
  });

  test("regression: two stacks one after the other while the API lists new runs late (visibility delay) launched twice; the journal's answered launch is shared", async () => {
    await env.admin.addFault({ kind: "visibility_delay", action: "launch_job", delay_ms: 3_600_000 }); // an hour emulated: seconds here
    const inputs = (stack: string) =>
      checked({
        ...identity,
        wait: false,
        executionDate: "2026-11-01",
        __urn: `urn:pulumi:${stack}::p::pulumi-nodejs:dynamic/tailer:JobRun::load`,
      });
    const a = await provider.create(await inputs("blue"));
    providerLog.length = 0;
    const b = await provider.create(await inputs("green"));
    expect(b.id).toBe(a.id);
    expect(providerLog.join("\n")).toMatch(/launched for the same job and inputs by urn:pulumi:blue::\S+: sharing it/);
    expect(await runsOfJob()).toHaveLength(1);
  });

  test("two dates are two runs, neither taking the other's", async () => {
    const [a, b] = await Promise.all([
      provider.create(await checked({ ...identity, ...fast, executionDate: "2026-11-01", __urn: urn("nov-1") })),
      provider.create(await checked({ ...identity, ...fast, executionDate: "2026-11-02", __urn: urn("nov-2") })),
    ]);
    expect(a.id).not.toBe(b.id);
    expect(await runsOfJob()).toHaveLength(2);
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

  test("nothing changed: false, never unknown; a new launch intent is not a change", async () => {
    expect(await provider.diff("r", olds, { ...base, __launchIntent: { id: "x", at: "y" } })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
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
    expect(await provider.diff("r", { ...olds, rerunOn: "every-deploy" }, base)).toMatchObject({ changes: true, replaces: [] });
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

  test("an uncertain launch is an update (it is finished, not relaunched); adoptRunId of another run is an update", async () => {
    expect(await provider.diff("x", { ...base, status: LAUNCH_UNCERTAIN_STATUS }, base)).toMatchObject({ changes: true, replaces: [] });
    expect(await provider.diff("r", olds, { ...base, adoptRunId: "20261127-101010-0a795c70-2557-4a60-ba16-788aa2bea179" })).toMatchObject({
      changes: true,
      replaces: [],
    });
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

  test("an uncertain launch reads as it is: there is no run to read until the next up finishes it", async () => {
    const props = { ...identity, status: LAUNCH_UNCERTAIN_STATUS, __provider: PROVIDER_PLACEHOLDER };
    await env.admin.clearRequests();
    expect(await provider.read("launch-uncertain-x", props)).toEqual({ id: "launch-uncertain-x", props });
    expect(await calls(env)).toEqual([]);
  });

  test("a storage-to-storage run (no single job id: one job per file template) is found among the last runs, then read by its job", async () => {
    const storage = {
      account: "000099",
      environment: "DEV",
      configurationType: "storage-to-storage",
      configurationId: "000099-sales-files",
    };
    const wire = {
      account: "000099",
      environment: "DEV" as const,
      configuration_type: "storage-to-storage" as const,
      configuration_id: "000099-sales-files",
    };
    await env.admin.putConfigurations([{ ...wire, job_ids: ["storage-to-storage|000099|000099-sales-files|DEV|sales_{{FD_DATE}}.csv"] }]);
    const runId = "20261127-0a795c70-2557-4a60-ba16-788aa2bea179"; // a file-triggered run's id
    await env.admin.addRuns([
      { ...wire, run_id: runId, status: "SUCCESS", start_execution_date: "2026-11-27T10:10:10+00:00", duration: 42 },
    ]);
    await env.admin.clearRequests();
    const adopted = await provider.create(await checked({ ...storage, ...fast, adoptRunId: runId, __urn: urn("files") }));
    expect(adopted.outs).toMatchObject({ runId, jobId: "storage-to-storage|000099|000099-sales-files|DEV|sales_{{FD_DATE}}.csv" });
    expect(await calls(env)).toEqual(["get_last_status", "get_last_status"]); // verified, then read as it is
    await env.admin.clearRequests();
    const read = await provider.read(adopted.id, { ...adopted.outs, __provider: PROVIDER_PLACEHOLDER });
    expect(read.props).toMatchObject({ runId, status: "SUCCESS" });
    expect(await calls(env)).toEqual(["check_run_status"]);
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

test("regression: the journal's atomic write never fsynced; an entry is synced before it replaces the old one, and the folder after", () => {
  const fs = require("node:fs") as typeof import("node:fs");
  const order: string[] = [];
  const fsync = jest.spyOn(fs, "fsyncSync").mockImplementation(() => order.push("fsync"));
  const rename = jest.spyOn(fs, "renameSync");
  rename.mockImplementation((from, to) => {
    order.push("rename");
    rename.mockRestore();
    fs.renameSync(from, to);
  });
  try {
    const journal = new LaunchJournal(String(process.env.TAILER_JOURNAL_DIR));
    journal.write("k", {
      urn: "u",
      definition: { account: "000099", environment: "DEV", configurationType: "table-to-table", configurationId: "x_DEV" },
      attempt: { startedAt: "a", settlesAt: "b", runsBefore: [] },
      apiUrl: "http://x",
      writtenAt: new Date().toISOString(),
    });
    expect(order).toEqual(["fsync", "rename", "fsync"]);
  } finally {
    fsync.mockRestore();
  }
});
