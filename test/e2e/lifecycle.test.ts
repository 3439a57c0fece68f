/**
 * What users do, with the real Pulumi CLI (Automation API) against a fresh emulator: up, a no-change
 * preview, drift made in "Tailer Studio" caught by preview --refresh and repaired by up, then destroy.
 */
import { join } from "node:path";
import type { RunningEmulator } from "../helpers/emulator";
import { startEmulator } from "../helpers/emulator";
import { WORLD_SEED } from "../helpers/provider";
import { createE2EStack, type E2EStack, REPO } from "../helpers/pulumi";

jest.setTimeout(300_000);

const load = { account: "000099", environment: "DEV" as const, configuration_type: "table-to-table" as const, configuration_id: "000099_sales_load_DEV" };

let env: RunningEmulator;
let e2e: E2EStack;

beforeAll(async () => {
  env = await startEmulator({ seed: WORLD_SEED, clockSpeed: 600 });
  e2e = await createE2EStack(join(REPO, "examples", "quickstart"), env);
});
afterAll(async () => {
  await e2e?.dispose();
  await env?.close();
});

test("up creates the statuses and runs the job, with exactly the calls expected", async () => {
  await env.admin.clearRequests();
  const result = await e2e.stack.up();
  expect(result.summary.result).toBe("succeeded");
  expect(result.outputs.loadRunStatus?.value).toBe("SUCCESS");
  const actions = (await env.admin.requests()).map((e) => e.action);
  expect(actions.filter((a) => a === "set_configuration_status")).toHaveLength(3);
  expect(actions.filter((a) => a === "launch_job")).toHaveLength(1);
  expect(actions.filter((a) => a === "get_last_status")).toHaveLength(1);
  expect(actions.every((a) => ["set_configuration_status", "launch_job", "get_last_status", "check_run_status"].includes(String(a)))).toBe(true);
});

test("preview right after shows no changes, with and without refresh", async () => {
  await e2e.stack.preview({ expectNoChanges: true });
  await e2e.stack.preview({ expectNoChanges: true, refresh: true });
});
