/**
 * What drift a refresh of TailerConfigurationStatus can and cannot see, one row per case (the README's
 * "What drift can and cannot be seen" table), against the emulator: the refreshed outputs, the line it
 * prints, whether `pulumi preview --refresh --expect-no-changes` would fail (the diff after the refresh),
 * and what `pulumi up --refresh` sends without and with `enforce: "always"`, counted in the request log.
 * test/e2e/drift.test.ts runs the same rows with the real CLI.
 */
import { ErrorCodes } from "../../provider/core/errors";
import { configurationStatusProvider as provider } from "../../provider/resources/configurationStatusProvider";
import { DRIFT_ROWS, type DriftRow, expectStatusSetClock, studioOn, takeDateHeaderAway } from "../helpers/driftRows";
import { launchOutsidePulumi, type RunningEmulator } from "../helpers/emulator";
import {
  checkedInputs,
  configureFor,
  PROVIDER_PLACEHOLDER,
  providerLog,
  resetWorld,
  SALES_LOAD_DEV,
  startProviderEnvironment,
  stopProviderEnvironment,
} from "../helpers/provider";

/** The sales load, as a program declares it. */
const { account, environment, configuration_type: configurationType, configuration_id: configurationId } = SALES_LOAD_DEV;
const identity = { account, environment, configurationType, configurationId };

let env: RunningEmulator;
beforeAll(async () => {
  env = await startProviderEnvironment(1); // real time: runs stay RUNNING, the rows move the clock themselves
});
afterAll(() => stopProviderEnvironment(env));
beforeEach(() => resetWorld(env));
afterEach(() => {
  jest.restoreAllMocks();
  configureFor(env);
});

/** This machine's clock, `ms` off the API's (the emulator runs in this process: its clock is the reference). */
async function skewLocalClock(ms: number): Promise<void> {
  const realNow = Date.now.bind(Date);
  const offset = (await env.admin.clock()).now_us / 1000 - realNow() + ms;
  jest.spyOn(Date, "now").mockImplementation(() => realNow() + offset);
}

const setCalls = async () => (await env.admin.requests({ action: "set_configuration_status" })).length;

/** The refreshed state's outputs, the lines printed, and what a plan and an up do next, as the engine would drive them. */
async function refreshAndUp(row: DriftRow, state: Record<string, unknown>, id: string) {
  const logged = providerLog.length;
  const read = await provider.read(id, { ...state, __provider: PROVIDER_PLACEHOLDER });
  const lines = providerLog.slice(logged);
  const declared = await checkedInputs(provider, { ...identity, ...row.declared });
  const enforced = await checkedInputs(provider, { ...identity, ...row.declared, enforce: "always" });
  const refreshed = read.props ?? {};
  // Gone: the refresh removed it, the plan creates it again.
  const planned = read.id === undefined ? true : (await provider.diff(id, refreshed, declared)).changes;
  const up = async (news: Record<string, unknown>) => {
    await env.admin.clearRequests();
    const changes = read.id === undefined || (await provider.diff(id, refreshed, news)).changes;
    const sent = changes ? (read.id === undefined ? provider.create(news) : provider.update(id, refreshed, news)) : Promise.resolve();
    const outcome = await sent.then(
      () => "ok",
      (error: Error) => error.message,
    );
    return { calls: await setCalls(), outcome };
  };
  return { read, lines, planned, withoutEnforce: await up(declared), withEnforce: await up(enforced) };
}

describe.each(DRIFT_ROWS.map((row) => [row.name, row] as const))("%s", (_name, row) => {
  test("refreshed outputs, the printed line, the preview's verdict and what up sends", async () => {
    let setAt = "";
    const world = studioOn(env, SALES_LOAD_DEV, () => setAt, skewLocalClock);
    await row.before?.(world);
    await takeDateHeaderAway(row, world);
    const created = await provider.create(await checkedInputs(provider, { ...identity, ...row.declared }));
    setAt = String(created.outs.statusSetAt);
    expect(created.outs).toMatchObject({ statusEvidence: "set", statusVerifiedAt: setAt });
    expectStatusSetClock(row, created.outs, (await env.admin.clock()).now_us / 1000);
    await row.after?.(world);

    const result = await refreshAndUp(row, created.outs, created.id);

    if (row.refreshed === "gone") expect(result.read).toEqual({});
    else expect(result.read.props).toMatchObject(row.refreshed);
    if (row.line) expect(result.lines).toEqual([expect.stringMatching(row.line(SALES_LOAD_DEV.configuration_id))]);
    else expect(result.lines).toEqual([]);
    expect({ previewFails: result.planned }).toEqual({ previewFails: row.previewFails });
    expect(result.withoutEnforce.calls).toBe(row.upSends);
    expect(result.withEnforce.calls).toBe(1); // enforce "always": one idempotent call, whatever the evidence
    if (row.refreshed === "gone") {
      expect(result.withEnforce.outcome).toMatch(/not found/);
    } else {
      expect(result.withEnforce.outcome).toBe("ok");
      const [configuration] = await env.admin.listConfigurations(SALES_LOAD_DEV);
      expect(configuration).toMatchObject({
        activated: row.declared.activated ?? !row.declared.archived,
        archived: !!row.declared.archived,
      });
    }
  });
});

describe("the unverified-status gate (tailer:unverifiedStatusMaxSeconds)", () => {
  async function createdAndAged(seconds: number) {
    const created = await provider.create(await checkedInputs(provider, identity));
    await env.admin.advanceClock(seconds);
    return created;
  }
  const refresh = async (created: { id: string; outs?: Record<string, unknown> }) => {
    const logged = providerLog.length;
    const read = await provider.read(created.id, { ...created.outs, __provider: PROVIDER_PLACEHOLDER });
    return { read, lines: providerLog.slice(logged) };
  };

  test("warns, past the limit on the API's clock, naming how long and since what", async () => {
    configureFor(env, { "tailer:unverifiedStatusMaxSeconds": "3600" });
    const created = await createdAndAged(7200);
    const { read, lines } = await refresh(created);
    expect(read.props).toMatchObject({ activated: true, statusEvidence: "none" });
    expect(lines).toEqual([
      expect.stringMatching(/not verifiable: no run since the status was set at/),
      expect.stringMatching(
        new RegExp(
          `^warning: tailer: 000099_sales_load_DEV status unverified for 2h00m\\d\\ds \\(limit 1h00m00s\\): last proven at ${created.outs.statusSetAt} by the provider setting it$`,
        ),
      ),
    ]);
  });

  test("fails the refresh with action fail (TAILER_STATUS_UNVERIFIED), from the environment too", async () => {
    process.env.TAILER_UNVERIFIED_STATUS_MAX_SECONDS = "3600";
    process.env.TAILER_UNVERIFIED_STATUS_ACTION = "fail";
    try {
      configureFor(env);
      const created = await createdAndAged(7200);
      await expect(refresh(created)).rejects.toMatchObject({
        code: ErrorCodes.STATUS_UNVERIFIED,
        message: expect.stringMatching(/000099_sales_load_DEV status unverified for 2h.*enforce: "always"/s),
      });
    } finally {
      delete process.env.TAILER_UNVERIFIED_STATUS_MAX_SECONDS;
      delete process.env.TAILER_UNVERIFIED_STATUS_ACTION;
    }
  });

  test("a run since the status was set proves it again: within the limit, no complaint", async () => {
    configureFor(env, { "tailer:unverifiedStatusMaxSeconds": "3600", "tailer:unverifiedStatusAction": "fail" });
    const created = await createdAndAged(7200);
    await launchOutsidePulumi(env, SALES_LOAD_DEV);
    await env.admin.advanceClock(60);
    const { read, lines } = await refresh(created);
    expect(read.props).toMatchObject({ statusEvidence: "run", evidenceRunStatus: expect.stringMatching(/RUNNING|SUCCESS/) });
    expect(lines).toEqual([]);
  });

  test("an action without a limit is refused, naming the setting and the fix", () => {
    expect(() => configureFor(env, { "tailer:unverifiedStatusAction": "fail" })).toThrow(
      /tailer:unverifiedStatusAction needs a limit.*tailer:unverifiedStatusMaxSeconds/,
    );
  });
});

describe("enforce", () => {
  const olds = { ...identity, activated: true, archived: false, onDelete: "keep", statusSetAt: "2026-11-27T00:00:00.000Z" };
  const news = { ...identity, activated: true, archived: false, onDelete: "keep" };

  test("unset and evidence are the same: existing stacks see no change", async () => {
    expect((await provider.diff("id", olds, { ...news, enforce: "evidence" })).changes).toBe(false);
    expect((await provider.diff("id", { ...olds, enforce: "evidence" }, news)).changes).toBe(false);
  });

  test('"always" plans an update on every up, and that update sends the status once, recording it again', async () => {
    expect((await provider.diff("id", { ...olds, enforce: "always" }, { ...news, enforce: "always" })).changes).toBe(true);
    const created = await provider.create(await checkedInputs(provider, { ...identity, enforce: "always" }));
    await env.admin.advanceClock(60);
    await env.admin.clearRequests();
    const logged = providerLog.length;
    const updated = await provider.update(created.id, created.outs, await checkedInputs(provider, { ...identity, enforce: "always" }));
    expect(await setCalls()).toBe(1);
    expect(providerLog.slice(logged)).toEqual(['tailer: 000099_sales_load_DEV status sent again: active (enforce: "always")']);
    expect(Date.parse(String(updated.outs?.statusSetAt))).toBeGreaterThan(Date.parse(String(created.outs.statusSetAt)));
    expect(updated.outs).toMatchObject({ enforce: "always", statusEvidence: "set" });
  });

  test("a bad value names the field and the choices", async () => {
    expect((await provider.check({}, { ...identity, enforce: "sometimes" })).failures).toEqual([
      { property: "enforce", reason: expect.stringMatching(/enforce must be one of .*"evidence".*"always"/) },
    ]);
  });
});
