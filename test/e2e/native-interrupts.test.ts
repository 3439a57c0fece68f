/**
 * The native plugin under interrupts: `pulumi up` of a YAML program stopped (SIGINT, then SIGKILL) while
 * its job run is in progress. The orphaned plugin exits by itself, and the README's recovery (cancel,
 * refresh clearing the interrupted create, up) adopts the same run: no duplicate, no run lost.
 */
import { launchOutsidePulumi, type RunningEmulator, startEmulator } from "../helpers/emulator";
import { createYamlStack, jobRunYamlProgram } from "../helpers/native";
import { interruptGroup, stackProcesses, waitFor } from "../helpers/processes";
import type { ProgramStack } from "../helpers/programs";
import { SALES_LOAD_DEV, WORLD_SEED } from "../helpers/provider";

jest.setTimeout(600_000);

const load = SALES_LOAD_DEV;

let env: RunningEmulator;
let stack: ProgramStack | undefined;
beforeAll(async () => {
  env = await startEmulator({ seed: WORLD_SEED, clockSpeed: 60 }); // a 10-minute run takes 10 s
});
afterAll(async () => {
  for (const pid of stack ? stackProcesses(stack, /pulumi-resource-tailer|pulumi-language-yaml/) : []) process.kill(pid, "SIGKILL");
  stack?.dispose();
  await env?.close();
});

async function recordedRun(): Promise<{ runId?: string; status?: string } | undefined> {
  const exported = await stack?.pulumi(["stack", "export"]);
  const resources = JSON.parse(exported?.stdout ?? "{}").deployment?.resources ?? [];
  return resources.find((r: { type: string }) => r.type === "tailer:index:JobRun")?.outputs;
}

test("killed while its run is in progress: the plugin exits by itself, and the recovery adopts the same run", async () => {
  stack = await createYamlStack(env, jobRunYamlProgram("interrupted"));
  await env.admin.scriptLaunches(load, [{ duration: "0:10:00", outcome: "SUCCESS" }]);
  const up = stack.start(["up", "--yes"]);
  const run = await waitFor(async () => (await env.admin.listRuns(load)).find((r) => r.status === "RUNNING"), "a RUNNING run");

  await interruptGroup(up.child.pid as number);
  await up.exited;
  const current = stack;
  await waitFor(
    async () => (stackProcesses(current, /pulumi-resource-tailer/).length === 0 ? true : undefined),
    "the orphaned plugin to exit",
    30_000,
  );

  // Someone else's run meanwhile must not be taken for ours.
  await launchOutsidePulumi(env, load);
  for (const args of [
    ["cancel", "--yes"],
    ["refresh", "--yes", "--clear-pending-creates"],
    ["up", "--yes"],
  ]) {
    const result = await stack.pulumi(args);
    if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  }
  expect(await recordedRun()).toMatchObject({ runId: run.run_id, status: "SUCCESS" });
  const launchedByPulumi = (await env.admin.listRuns(load)).filter((r) => r.run_id !== run.run_id);
  expect(launchedByPulumi).toHaveLength(1); // only the outside run: nothing launched twice
});
