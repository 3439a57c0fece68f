/** TailerJobRun's relaunch rules with the real CLI: failures kept in state and relaunched once, triggers, every-deploy. */
import { join } from "node:path";
import type { RunningEmulator } from "../helpers/emulator";
import { SALES_LOAD_DEV, WORLD_SEED } from "../helpers/provider";
import { type E2EStack, REPO, stackPerTest } from "../helpers/pulumi";

jest.setTimeout(300_000);

const load = SALES_LOAD_DEV;

const setup = stackPerTest(join(REPO, "test", "e2e", "programs", "jobs"), { seed: WORLD_SEED, clockSpeed: 600 });
let env: RunningEmulator;
let e2e: E2EStack;
beforeEach(() => {
  env = setup.env();
  e2e = setup.e2e();
});

const runCount = async () => (await env.admin.listRuns(load)).length;
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected pulumi up to fail");
    },
    (e: Error) => e,
  );

test("a failing run fails up with a readable message, stays in state, and the next up relaunches it once", async () => {
  await env.admin.scriptLaunches(load, [{ duration: 20, outcome: "FAILED" }]);
  const error = await failureOf(e2e.stack.up());
  expect(error.message).toMatch(/run (\d{8}-\d{6}-[0-9a-f-]+) of 000099_sales_load_DEV \(DEV\) ended FAILED after 0:00:20/);
  const runId = /run (\d{8}-\d{6}-[0-9a-f-]+) of/.exec(error.message)?.[1];
  const exported = JSON.parse(await e2e.exportText());
  const recorded = exported.deployment.resources.find((r: { type: string }) => r.type === "pulumi-nodejs:dynamic/tailer:JobRun");
  expect(recorded).toMatchObject({ id: runId, outputs: { status: "FAILED", runId } });
  expect(await runCount()).toBe(1);

  const up = await e2e.stack.up();
  expect(up.outputs.status?.value).toBe("SUCCESS");
  expect(up.outputs.runId?.value).not.toBe(runId);
  expect(await runCount()).toBe(2);

  await e2e.stack.up();
  expect(await runCount()).toBe(2);
  await e2e.stack.preview({ expectNoChanges: true });
});

test("with relaunchOnFailure false a failed run stays failed: no relaunch on the next up", async () => {
  await e2e.stack.setAllConfig({ "jobs:relaunchOnFailure": { value: "false" } });
  await env.admin.scriptLaunches(load, [{ duration: 20, outcome: "FAILED" }]);
  await failureOf(e2e.stack.up());
  expect(await runCount()).toBe(1);
  await e2e.stack.up();
  expect(await runCount()).toBe(1);
  await e2e.stack.preview({ expectNoChanges: true });
});

test("a trigger change relaunches", async () => {
  await e2e.stack.up();
  await e2e.stack.setAllConfig({ "jobs:release": { value: "3" } });
  const up = await e2e.stack.up();
  expect(up.summary.resourceChanges?.replace).toBe(1);
  expect(await runCount()).toBe(2);
});

test("rerunOn every-deploy relaunches on each up; turning it off does not relaunch", async () => {
  await e2e.stack.setConfig("jobs:rerunOn", { value: "every-deploy" });
  await e2e.stack.up();
  await e2e.stack.up();
  expect(await runCount()).toBe(2);
  await e2e.stack.setConfig("jobs:rerunOn", { value: "never" });
  await e2e.stack.up();
  expect(await runCount()).toBe(2);
  await e2e.stack.preview({ expectNoChanges: true });
});
