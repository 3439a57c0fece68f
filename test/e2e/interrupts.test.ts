/**
 * Interrupts with the real CLI: `pulumi up` stopped (SIGINT, then SIGKILL) while a job run is waiting.
 * The documented recovery (`pulumi cancel`, `pulumi up`, then a refresh clearing the pending creates)
 * converges, on the same machine and on another one: no duplicate run, no run lost, no process left.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningEmulator } from "../helpers/emulator";
import { interruptGroup, stackProcesses, waitFor } from "../helpers/processes";
import { SALES_LOAD_DEV, WORLD_SEED } from "../helpers/provider";
import { type E2EStack, pulumiBinDir, REPO, stackPerTest } from "../helpers/pulumi";

jest.setTimeout(600_000);

const load = SALES_LOAD_DEV;

const setup = stackPerTest(join(REPO, "test", "e2e", "programs", "jobs"), { seed: WORLD_SEED, clockSpeed: 60 });
let env: RunningEmulator;
let e2e: E2EStack;
beforeEach(() => {
  env = setup.env();
  e2e = setup.e2e();
});
afterEach(() => {
  for (const pid of stackProcesses(e2e, /dynamic-provider|pulumi-language-nodejs/)) process.kill(pid, "SIGKILL"); // never leave an orphan behind
});

/** Starts `pulumi <args>` in its own process group, as a terminal would run it. */
function startPulumi(
  args: string[],
  machine: Record<string, string> = {},
): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(join(pulumiBinDir(), "pulumi"), [...args, "--stack", "e2e", "--non-interactive"], {
    cwd: e2e.dir,
    env: { ...process.env, ...e2e.env, ...machine },
    detached: true,
  });
  let text = "";
  child.stdout?.on("data", (d) => (text += d));
  child.stderr?.on("data", (d) => (text += d));
  const exit = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  return { child, output: () => text, exit };
}

const running = () => waitFor(async () => (await env.admin.listRuns(load)).find((r) => r.status === "RUNNING"), "a RUNNING run");

/** Ctrl-C, then SIGKILL (interruptGroup); waits for the orphaned provider to exit. */
async function interrupt(up: ReturnType<typeof startPulumi>): Promise<void> {
  await interruptGroup(up.child.pid as number);
  await up.exit;
  // The provider process is not in the CLI's process group: orphaned, it must notice and stop.
  await waitFor(
    async () => (stackProcesses(e2e, /dynamic-provider/).length === 0 ? true : undefined),
    "the orphaned provider process to exit",
    30_000,
  );
}

/** The README's recovery: release the killed update's lock, up (it finishes the killed launch), then tidy the pending creates. */
async function recover(machine: Record<string, string> = {}): Promise<string> {
  const run = async (args: string[]) => {
    const command = startPulumi(args, machine);
    if ((await command.exit) !== 0) throw new Error(`pulumi ${args[0]} failed after the interrupt:\n${command.output()}`);
    return command.output();
  };
  await run(["cancel", "--yes"]);
  const output = await run(["up", "--yes"]);
  await run(["refresh", "--yes", "--clear-pending-creates"]);
  return output;
}

/** Nothing the killed update started lives on: the language host checks the engine every 10 s and gives its program 12 s. */
const noOrphans = () =>
  waitFor(
    async () => (stackProcesses(e2e, /dynamic-provider|pulumi-language-nodejs/).length === 0 ? true : undefined),
    "every orphan to exit",
    60_000,
  );

async function recordedRun(): Promise<{ runId: string; status: string } | undefined> {
  const exported = JSON.parse(await e2e.exportText());
  const resource = exported.deployment.resources.find((r: { type: string }) => r.type === "pulumi-nodejs:dynamic/tailer:JobRun");
  return resource?.outputs;
}

test("killed while the run is in progress: the next up adopts and waits for it; nothing is left running", async () => {
  await env.admin.scriptLaunches(load, [{ duration: "0:10:00", outcome: "SUCCESS" }]); // 10 s real
  const up = startPulumi(["up", "--yes"]);
  const run = await running();
  await interrupt(up);
  await noOrphans();
  await recover();
  const runs = await env.admin.listRuns(load);
  expect(runs.map((r) => r.run_id)).toEqual([run.run_id]);
  expect(await recordedRun()).toMatchObject({ runId: run.run_id, status: "SUCCESS" });
});

test("killed, and the run ended before the recovery: the journal recognises it, nothing is launched again", async () => {
  await env.admin.scriptLaunches(load, [{ duration: "0:10:00", outcome: "SUCCESS" }]);
  const up = startPulumi(["up", "--yes"]);
  const run = await running();
  await interrupt(up);
  await env.admin.advanceClock("0:15:00"); // it finishes while nobody watches
  const output = await recover();
  expect(output).toMatch(/launched by an interrupted pulumi up: adopting it/);
  expect((await env.admin.listRuns(load)).map((r) => r.run_id)).toEqual([run.run_id]);
  expect(await recordedRun()).toMatchObject({ runId: run.run_id, status: "SUCCESS" });
});

test("regression: killed on one machine, resumed on another (fresh HOME and journal), it launched again even when the run had ended", async () => {
  await env.admin.scriptLaunches(load, [{ duration: "0:10:00", outcome: "SUCCESS" }]);
  const up = startPulumi(["up", "--yes"]);
  const run = await running();
  await interrupt(up);
  await env.admin.advanceClock("0:15:00");
  const another = { TAILER_JOURNAL_DIR: mkdtempSync(join(tmpdir(), "another-runner-")) };
  const output = await recover(another);
  expect(output).toMatch(/started by a killed pulumi up \(a pending operation in the stack's state\): adopting it/);
  expect((await env.admin.listRuns(load)).map((r) => r.run_id)).toEqual([run.run_id]);
  expect(await recordedRun()).toMatchObject({ runId: run.run_id, status: "SUCCESS" });
});
