/** The docs' workflow example with the real CLI: JA, JB and JC succeed and JT is launched; a TailerWorkflowReset clears the marks. */
import { join } from "node:path";
import { launchOutsidePulumi, type RunningEmulator } from "../helpers/emulator";
import { WORLD_SEED } from "../helpers/provider";
import { type E2EStack, REPO, stackPerTest } from "../helpers/pulumi";

jest.setTimeout(300_000);

const setup = stackPerTest(join(REPO, "examples", "workflow-reset"), { seed: WORLD_SEED, clockSpeed: 600 });
let env: RunningEmulator;
let e2e: E2EStack;
beforeEach(() => {
  env = setup.env();
  e2e = setup.e2e();
});

async function marks(): Promise<string[]> {
  const workflow = (await env.admin.listWorkflows()).find((w) => w.configuration_id === "000099-jt-workflow");
  return (workflow?.marks ?? []).map((m) => m.job_id).sort();
}

test("JA, JB and JC succeed: the target JT is launched and the marks are cleared", async () => {
  await e2e.stack.up();
  const jt = await env.admin.listRuns({ configuration_id: "000099_jt_DEV" });
  expect(jt).toHaveLength(1);
  expect(jt[0]?.origin).toBe("workflow");
  expect(await marks()).toEqual([]);
});

test("a redeploy resets the unbalanced workflow: JC's lone success no longer counts", async () => {
  await e2e.stack.up();
  await launchOutsidePulumi(env, {
    account: "000099",
    environment: "DEV",
    configuration_type: "table-to-table",
    configuration_id: "000099_jc_DEV",
  });
  await env.admin.advanceClock(60);
  expect(await marks()).toEqual(["gbq-to-gbq|000099_jc_DEV"]);
  await e2e.stack.setConfig("workflow:release", { value: "2" });
  const up = await e2e.stack.up();
  expect(up.summary.resourceChanges?.update).toBe(1);
  expect(await marks()).toEqual([]);
  expect(await env.admin.listRuns({ configuration_id: "000099_jt_DEV" })).toHaveLength(1);
});
