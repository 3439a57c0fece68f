/** TailerConfigurationStatus's provider methods against the emulator. */
import { configurationStatusProvider as provider } from "../../provider/resources/configurationStatusProvider";
import { launchOutsidePulumi, type RunningEmulator } from "../helpers/emulator";
import {
  calls,
  checkedInputs,
  PROVIDER_PLACEHOLDER,
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

let env: RunningEmulator;
beforeAll(async () => {
  env = await startProviderEnvironment();
});
afterAll(() => stopProviderEnvironment(env));
beforeEach(() => resetWorld(env));

const checked = (inputs: Record<string, unknown>) => checkedInputs(provider, inputs);

async function emulatorConfiguration() {
  const [configuration] = await env.admin.listConfigurations(apiIdentity);
  return configuration;
}

/** A run launched as Tailer's scheduler would start one. */
const scheduledRun = () => launchOutsidePulumi(env, apiIdentity);

describe("create", () => {
  test("sets the declared status with one call and records when, on the API's clock", async () => {
    await env.admin.clearRequests();
    const result = await provider.create(await checked({ ...identity, activated: false }));
    expect(await calls(env)).toEqual(["set_configuration_status"]);
    expect(result.id).toBe("000099/DEV/table-to-table/000099_sales_load_DEV");
    expect(result.outs).toMatchObject({
      ...identity,
      activated: false,
      archived: false,
      onDelete: "keep",
      statusSetAt: expect.any(String),
    });
    expect(await emulatorConfiguration()).toMatchObject({ activated: false, archived: false });
  });

  test("archives", async () => {
    await provider.create(await checked({ ...identity, archived: true }));
    expect(await emulatorConfiguration()).toMatchObject({ activated: false, archived: true });
  });

  test("an unknown configuration fails with Tailer's message and the fix", async () => {
    await expect(provider.create(await checked({ ...identity, configurationId: "000099_missing_DEV" }))).rejects.toThrow(
      /not found.*_<ENV>/s,
    );
  });
});

describe("diff", () => {
  const olds = { ...identity, activated: true, archived: false, onDelete: "keep", statusSetAt: "2026-11-27T00:00:00.000Z" };

  test("says false, never unknown, when nothing changed", async () => {
    expect(await provider.diff("id", olds, { ...identity, activated: true, archived: false, onDelete: "keep" })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  test("updates when the status changes", async () => {
    expect(await provider.diff("id", olds, { ...identity, activated: false, archived: false, onDelete: "keep" })).toMatchObject({
      changes: true,
      replaces: [],
    });
  });

  test.each(["account", "environment", "configurationType", "configurationId"])("replaces when %s changes", async (field) => {
    const news = { ...identity, activated: true, archived: false, onDelete: "keep", [field]: field === "environment" ? "PROD" : "other" };
    expect((await provider.diff("id", olds, news)).replaces).toEqual([field]);
  });
});

describe("read", () => {
  test("confirms the configuration and exposes its last run", async () => {
    const created = await provider.create(await checked(identity));
    await scheduledRun();
    const read = await provider.read(created.id, { ...created.outs, __provider: PROVIDER_PLACEHOLDER });
    expect(read.props).toMatchObject({
      activated: true,
      lastRunId: expect.any(String),
      lastRunStatus: expect.stringMatching(/WAITING|RUNNING|SUCCESS/),
    });
  });

  test("a run that came back DEACTIVATED after we activated proves an out-of-band disable: activated false", async () => {
    const created = await provider.create(await checked(identity));
    await env.admin.advanceClock(5);
    await env.admin.updateConfiguration({ ...apiIdentity, activated: false }); // someone, in Tailer Studio
    await scheduledRun();
    const read = await provider.read(created.id, { ...created.outs, __provider: PROVIDER_PLACEHOLDER });
    expect(read.props).toMatchObject({ activated: false, lastRunStatus: "DEACTIVATED" });
    expect(read.inputs).toMatchObject({ activated: false });
    // The program still says active: preview --refresh shows the drift, up puts it back.
    const news = await checked(identity);
    expect(await provider.diff(created.id, read.props ?? {}, news)).toMatchObject({ changes: true });
    await provider.update(created.id, read.props ?? {}, news);
    expect(await emulatorConfiguration()).toMatchObject({ activated: true });
  });

  test("no perpetual diff: DEACTIVATED runs from before our activation are not drift", async () => {
    await env.admin.updateConfiguration({ ...apiIdentity, activated: false });
    await scheduledRun(); // DEACTIVATED, before we activate
    await env.admin.advanceClock(5);
    const created = await provider.create(await checked(identity));
    const read = await provider.read(created.id, { ...created.outs, __provider: PROVIDER_PLACEHOLDER });
    expect(read.props).toMatchObject({ activated: true, lastRunStatus: "DEACTIVATED" });
    expect(await provider.diff(created.id, read.props ?? {}, await checked(identity))).toMatchObject({ changes: false });
  });

  test("a run that ran after we disabled proves an out-of-band enable", async () => {
    const created = await provider.create(await checked({ ...identity, activated: false }));
    await env.admin.advanceClock(5);
    await env.admin.updateConfiguration({ ...apiIdentity, activated: true });
    await scheduledRun();
    const read = await provider.read(created.id, { ...created.outs, __provider: PROVIDER_PLACEHOLDER });
    expect(read.props).toMatchObject({ activated: true });
  });

  test("without a run since, the recorded status stands (the API has no status read)", async () => {
    const created = await provider.create(await checked(identity));
    const read = await provider.read(created.id, { ...created.outs, __provider: PROVIDER_PLACEHOLDER });
    expect(read.props).toMatchObject({ activated: true });
  });

  test("a configuration that is gone leaves state: read returns no id", async () => {
    const created = await provider.create(await checked(identity));
    await env.admin.deleteConfiguration(apiIdentity);
    expect(await provider.read(created.id, { ...created.outs, __provider: PROVIDER_PLACEHOLDER })).toEqual({});
  });
});

describe("update", () => {
  test("a change of onDelete alone makes no call", async () => {
    const created = await provider.create(await checked(identity));
    await env.admin.clearRequests();
    const updated = await provider.update(created.id, created.outs, await checked({ ...identity, onDelete: "archive" }));
    expect(await calls(env)).toEqual([]);
    expect(updated.outs).toMatchObject({ onDelete: "archive", statusSetAt: created.outs.statusSetAt });
  });
});

describe("delete", () => {
  test.each([
    ["keep", { activated: true, archived: false }, []],
    ["disable", { activated: false, archived: false }, ["set_configuration_status"]],
    ["archive", { activated: false, archived: true }, ["set_configuration_status"]],
  ])("onDelete %s", async (onDelete, expected, expectedCalls) => {
    const created = await provider.create(await checked({ ...identity, onDelete }));
    await env.admin.clearRequests();
    await provider.delete(created.id, created.outs);
    expect(await calls(env)).toEqual(expectedCalls);
    expect(await emulatorConfiguration()).toMatchObject(expected);
  });

  test("deleting a configuration that is already gone succeeds", async () => {
    const created = await provider.create(await checked({ ...identity, onDelete: "archive" }));
    await env.admin.deleteConfiguration(apiIdentity);
    await expect(provider.delete(created.id, created.outs)).resolves.toBeUndefined();
  });
});
