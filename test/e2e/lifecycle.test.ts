/**
 * What users do, with the real Pulumi CLI (Automation API) against a fresh emulator: up, a no-change
 * preview, drift made in "Tailer Studio" caught by preview --refresh and repaired by up, then destroy.
 */
import { join } from "node:path";
import { launchOutsidePulumi, type RunningEmulator } from "../helpers/emulator";
import { SALES_LOAD_DEV, WORLD_SEED } from "../helpers/provider";
import { type E2EStack, REPO, stackPerTest } from "../helpers/pulumi";

jest.setTimeout(300_000);

const load = SALES_LOAD_DEV;

const setup = stackPerTest(join(REPO, "examples", "quickstart"), { seed: WORLD_SEED, clockSpeed: 600 });
let env: RunningEmulator;
let e2e: E2EStack;
beforeEach(() => {
  env = setup.env();
  e2e = setup.e2e();
});

/** The quickstart deployed, as every test but the first starts. */
const deployed = () => e2e.stack.up();

test("up creates the statuses and runs the job, with exactly the calls expected", async () => {
  await env.admin.clearRequests();
  const result = await e2e.stack.up();
  expect(result.summary.result).toBe("succeeded");
  expect(result.outputs.loadRunStatus?.value).toBe("SUCCESS");
  const actions = (await env.admin.requests()).map((e) => e.action);
  expect(actions.filter((a) => a === "set_configuration_status")).toHaveLength(3);
  expect(actions.filter((a) => a === "launch_job")).toHaveLength(1);
  expect(actions.filter((a) => a === "get_last_status")).toHaveLength(1);
  expect(actions.every((a) => ["set_configuration_status", "launch_job", "get_last_status", "check_run_status"].includes(String(a)))).toBe(
    true,
  );
});

test("preview right after shows no changes, with and without refresh", async () => {
  await deployed();
  await e2e.stack.preview({ expectNoChanges: true });
  await e2e.stack.preview({ expectNoChanges: true, refresh: true });
});

/** A run launched as Tailer's scheduler would start one. */
const scheduledRun = () => launchOutsidePulumi(env, load);

test("a configuration disabled in Tailer Studio is drift: preview --refresh fails naming it, up --refresh puts it back", async () => {
  await deployed();
  await env.admin.advanceClock(5);
  await env.admin.updateConfiguration({ ...load, activated: false });
  await scheduledRun(); // comes back DEACTIVATED: the evidence
  const preview = await e2e.stack.preview({ expectNoChanges: true, refresh: true }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(preview?.message).toMatch(/sales-load/);
  expect(preview?.message).toMatch(/activated/);
  const up = await e2e.stack.up({ refresh: true });
  expect(up.summary.resourceChanges?.update).toBe(1);
  const [configuration] = await env.admin.listConfigurations(load);
  expect(configuration?.activated).toBe(true);
  await e2e.stack.preview({ expectNoChanges: true, refresh: true });
});

test("a run marked FAILED out of band is relaunched once by up --refresh", async () => {
  await deployed();
  const state = await e2e.stack.outputs();
  const runId = String(state.loadRunId?.value);
  await env.admin.setRunStatus(runId, "FAILED");
  const before = (await env.admin.listRuns(load)).length;
  const up = await e2e.stack.up({ refresh: true });
  expect(up.summary.resourceChanges?.replace).toBe(1);
  expect(up.outputs.loadRunId?.value).not.toBe(runId);
  expect((await env.admin.listRuns(load)).length).toBe(before + 1);
  await e2e.stack.preview({ expectNoChanges: true, refresh: true });
});

test("destroy honours onDelete: disable disables, keep leaves the configuration as it is", async () => {
  await deployed();
  await e2e.stack.destroy();
  const [kept] = await env.admin.listConfigurations(load);
  const [disabled] = await env.admin.listConfigurations({ ...load, configuration_id: "000099_sales_aggregate_DEV" });
  expect(kept?.activated).toBe(true);
  expect(disabled?.activated).toBe(false);
});
