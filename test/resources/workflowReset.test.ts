/** TailerWorkflowReset against the emulator, on the docs' JA/JB/JC -> JT example. */
import { jobRunProvider } from "../../provider/resources/jobRunProvider";
import { workflowResetProvider as provider } from "../../provider/resources/workflowResetProvider";
import type { RunningEmulator } from "../helpers/emulator";
import { checkedInputs, PROVIDER_PLACEHOLDER, resetWorld, startProviderEnvironment, stopProviderEnvironment } from "../helpers/provider";

const workflow = { account: "000099", environment: "DEV", configurationId: "000099-jt-workflow" };

let env: RunningEmulator;
beforeAll(async () => {
  env = await startProviderEnvironment();
});
afterAll(() => stopProviderEnvironment(env));
beforeEach(() => resetWorld(env));

let jobRuns = 0;
/** A TailerJobRun of its own (its own URN), created as pulumi up would. */
async function runJob(configurationId: string, day = "1") {
  const __urn = `urn:pulumi:test::workflow::pulumi-nodejs:dynamic/tailer:JobRun::run-${++jobRuns}`;
  const checked = await jobRunProvider.check(
    {},
    {
      account: "000099",
      environment: "DEV",
      configurationType: "table-to-table",
      configurationId,
      pollIntervalSeconds: 0.02,
      triggers: { day },
      __urn,
    },
  );
  return jobRunProvider.create({ ...checked.inputs, __provider: PROVIDER_PLACEHOLDER });
}

async function marks(): Promise<string[]> {
  const found = (await env.admin.listWorkflows()).find((w) => w.configuration_id === workflow.configurationId);
  return (found?.marks ?? []).map((m) => m.job_id).sort();
}

const checked = (inputs: Record<string, unknown>) => checkedInputs(provider, inputs);

test("JA, JB and JC succeeding launch JT; a reset clears the marks of the unbalanced case", async () => {
  await runJob("000099_ja_DEV");
  await runJob("000099_jb_DEV");
  await runJob("000099_jc_DEV");
  const jt = await env.admin.listRuns({ configuration_id: "000099_jt_DEV" });
  expect(jt).toHaveLength(1);
  expect(jt[0]?.origin).toBe("workflow");

  // The next morning JC runs again alone: JA(0), JB(0), JC(1). A reset puts the workflow back to zero.
  await runJob("000099_jc_DEV", "2");
  expect(await marks()).toEqual(["gbq-to-gbq|000099_jc_DEV"]);
  const created = await provider.create(await checked(workflow));
  expect(created.outs).toMatchObject({ ...workflow, configurationType: "workflow", resetAt: expect.any(String) });
  expect(await marks()).toEqual([]);
});

test("new triggers reset again; the same triggers do not", async () => {
  const created = await provider.create(await checked({ ...workflow, triggers: { jobs: "v1" } }));
  expect(await provider.diff(created.id, created.outs, await checked({ ...workflow, triggers: { jobs: "v1" } }))).toMatchObject({
    changes: false,
  });
  const news = await checked({ ...workflow, triggers: { jobs: "v2" } });
  expect(await provider.diff(created.id, created.outs, news)).toMatchObject({ changes: true, replaces: [] });
  await runJob("000099_ja_DEV");
  expect(await marks()).toHaveLength(1);
  await provider.update(created.id, created.outs, news);
  expect(await marks()).toEqual([]);
});

test("another workflow is a replacement", async () => {
  const created = await provider.create(await checked(workflow));
  expect((await provider.diff(created.id, created.outs, await checked({ ...workflow, configurationId: "other" }))).replaces).toEqual([
    "configurationId",
  ]);
});

test("a workflow that is gone leaves state", async () => {
  const created = await provider.create(await checked(workflow));
  await env.admin.deleteConfiguration({
    account: "000099",
    environment: "DEV",
    configuration_type: "workflow",
    configuration_id: workflow.configurationId,
  });
  expect(await provider.read(created.id, { ...created.outs, __provider: PROVIDER_PLACEHOLDER })).toEqual({});
});

test("an unknown workflow fails with the API's 404 and the fix", async () => {
  await expect(provider.create(await checked({ ...workflow, configurationId: "000099-nope" }))).rejects.toThrow(/not found/);
});
