/** `check` is what makes `pulumi preview` fail early: every bad input names its field and the fix. */
import * as configurationStatus from "../../provider/resources/configurationStatusProvider";
import * as jobRun from "../../provider/resources/jobRunProvider";
import { UNKNOWN } from "../../provider/resources/validation";
import * as workflowReset from "../../provider/resources/workflowResetProvider";

const valid = {
  account: "000099",
  environment: "DEV",
  configurationType: "table-to-table",
  configurationId: "000099_iowa_liquor_prepare_pda_DEV",
};

async function failures(provider: { check: typeof configurationStatus.check }, inputs: Record<string, unknown>) {
  const result = await provider.check({}, inputs);
  return result.failures ?? [];
}

describe("TailerConfigurationStatus check", () => {
  test("valid inputs get their defaults: active, not archived, kept on delete", async () => {
    const result = await configurationStatus.check({}, valid);
    expect(result.failures).toBeUndefined();
    expect(result.inputs).toEqual({ ...valid, activated: true, archived: false, onDelete: "keep" });
  });

  test("archived alone means not active", async () => {
    const result = await configurationStatus.check({}, { ...valid, archived: true });
    expect(result.inputs).toMatchObject({ activated: false, archived: true });
  });

  test.each([
    [{ account: "99" }, "account", /did you mean "000099"/],
    [{ account: 99 }, "account", /leading zeros.*"000099"/],
    [{ account: "00009A" }, "account", /6 digits/],
    [{ environment: "dev" }, "environment", /upper case: "DEV"/],
    [{ environment: "PRD" }, "environment", /did you mean "PROD"/],
    [{ configurationType: "table-to-tables" }, "configurationType", /did you mean "table-to-table"/],
    [{ configurationType: "bigquery" }, "configurationType", /must be one of/],
    [{ configurationId: "" }, "configurationId", /non-empty/],
    [
      { configurationId: "000099_iowa_liquor_prepare_pda" },
      "configurationId",
      /"000099_iowa_liquor_prepare_pda_DEV".*appendEnvironmentSuffix/,
    ],
    [{ configurationId: "000099_iowa_liquor_prepare_pda_PROD" }, "configurationId", /ends with _PROD but environment is DEV/],
    [{ activated: true, archived: true }, "archived", /archived configuration cannot be active/],
    [{ activated: "yes" }, "activated", /true or false/],
    [{ onDelete: "destroy" }, "onDelete", /"keep", "disable", "archive"/],
    [{ activate: true }, "activate", /did you mean "activated"/],
  ])("%j fails on %s", async (change, property, reason) => {
    const found = await failures(configurationStatus, { ...valid, ...change });
    expect(found).toEqual(expect.arrayContaining([expect.objectContaining({ property, reason: expect.stringMatching(reason) })]));
  });

  test("a missing required field is named", async () => {
    const { account: _a, ...rest } = valid;
    expect(await failures(configurationStatus, rest)).toEqual([{ property: "account", reason: "account is required." }]);
  });

  test("appendEnvironmentSuffix builds the table-to-table id", async () => {
    const result = await configurationStatus.check(
      {},
      { ...valid, configurationId: "000099_iowa_liquor_prepare_pda", appendEnvironmentSuffix: true },
    );
    expect(result.inputs).toMatchObject({ configurationId: "000099_iowa_liquor_prepare_pda_DEV" });
  });

  test("other types keep their raw id", async () => {
    const result = await configurationStatus.check(
      {},
      { ...valid, configurationType: "storage-to-storage", configurationId: "000099-jarvis-demo" },
    );
    expect(result.failures).toBeUndefined();
  });

  test("gbq-to-gbq is table-to-table", async () => {
    const result = await configurationStatus.check({}, { ...valid, configurationType: "gbq-to-gbq" });
    expect(result.inputs).toMatchObject({ configurationType: "table-to-table" });
  });

  test("values unknown during preview are not judged", async () => {
    const result = await configurationStatus.check({}, { ...valid, configurationId: UNKNOWN, activated: UNKNOWN });
    expect(result.failures).toBeUndefined();
  });
});

describe("TailerJobRun check", () => {
  test("defaults: wait one hour, poll from 2 s, never rerun, relaunch failures, adopt running runs", async () => {
    const result = await jobRun.check({}, valid);
    expect(result.inputs).toEqual({
      ...valid,
      wait: true,
      timeoutSeconds: 3600,
      pollIntervalSeconds: 2,
      rerunOn: "never",
      relaunchOnFailure: true,
      adoptRunning: true,
      __launchIntent: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), at: expect.any(String) },
    });
  });

  test("every check gives a new launch intent, which the engine's pending operation of a create records", async () => {
    const [a, b] = [await jobRun.check({}, valid), await jobRun.check({}, valid)];
    expect(a.inputs?.__launchIntent).not.toEqual(b.inputs?.__launchIntent);
  });

  test.each([
    [{ executionDate: "2020/11/19" }, "executionDate", /use dashes: "2020-11-19"/],
    [{ executionDate: "2020-02-30" }, "executionDate", /not a real calendar date/],
    [{ executionDate: "yesterday" }, "executionDate", /YYYY-MM-DD/],
    [{ timeoutSeconds: -5 }, "timeoutSeconds", /more than zero/],
    [{ timeoutSeconds: "60" }, "timeoutSeconds", /number of seconds/],
    [{ pollIntervalSeconds: 0 }, "pollIntervalSeconds", /more than zero/],
    [{ expectedDurationSeconds: -600 }, "expectedDurationSeconds", /more than zero/],
    [{ expectedDurationSeconds: "10m" }, "expectedDurationSeconds", /number of seconds/],
    [{ rerunOn: "always" }, "rerunOn", /"never", "every-deploy"/],
    [{ triggers: ["a"] }, "triggers", /map of strings/],
    [{ triggers: { version: { major: 1 } } }, "triggers", /triggers.version must be a string/],
    [{ jobId: "" }, "jobId", /non-empty/],
  ])("%j fails on %s", async (change, property, reason) => {
    const found = await failures(jobRun, { ...valid, ...change });
    expect(found).toEqual(expect.arrayContaining([expect.objectContaining({ property, reason: expect.stringMatching(reason) })]));
  });

  test('trigger values compare as strings, so 1 and "1" are the same run', async () => {
    const a = await jobRun.check({}, { ...valid, triggers: { version: 1 } });
    const b = await jobRun.check({}, { ...valid, triggers: { version: "1" } });
    expect(a.inputs?.triggers).toEqual(b.inputs?.triggers);
  });
});

describe("TailerWorkflowReset check", () => {
  test("the type is always workflow and needs no suffix", async () => {
    const result = await workflowReset.check({}, { account: "000099", environment: "DEV", configurationId: "000099-iowa-liquor-load-pda" });
    expect(result.failures).toBeUndefined();
    expect(result.inputs).toMatchObject({ configurationType: "workflow" });
  });

  test("a configurationType input is refused: a reset only applies to workflows", async () => {
    const found = await failures(workflowReset, {
      account: "000099",
      environment: "DEV",
      configurationId: "x",
      configurationType: "table-to-table",
    });
    expect(found).toEqual([expect.objectContaining({ property: "configurationType" })]);
  });
});
