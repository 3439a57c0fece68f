/**
 * The chaos test's CI: runners (machines with their own HOME, PULUMI_HOME and launch journal, one
 * `pulumi up` at a time) sharing one file backend that stands for Pulumi Cloud or S3; a runner can be
 * killed outright (-9, every process it runs) at a chosen point of a deploy, and the deploy resumed on
 * another runner the way a pipeline's retry does: `pulumi cancel`, then `pulumi up`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "../../../emulator";
import { stackProcesses, waitFor } from "../../helpers/processes";
import { offlineEnv, pulumiBinDir, REPO, runPulumi } from "../../helpers/pulumi";

/** A machine of the CI: its environment (HOME, PULUMI_HOME, journal) and whether it is busy. */
export interface Runner {
  name: string;
  env: Record<string, string>;
  busy: boolean;
}

/** Where a kill happens: while the program starts, in the read before launching, inside the launch (done, unanswered), while waiting. */
export const KILL_PHASES = ["starting", "before-launch", "in-launch", "waiting"] as const;
/** Where a kill happens. */
export type KillPhase = (typeof KILL_PHASES)[number];
/** A count per kill phase (kills done, kills armed), all zero. */
export const zeroPerKillPhase = (): Record<KillPhase, number> =>
  Object.fromEntries(KILL_PHASES.map((phase) => [phase, 0])) as Record<KillPhase, number>;

/** The shared pieces: the project (one checkout, as every runner has the same one), the backend, the runners. */
export interface ChaosCi {
  projectDir: string;
  runners: Runner[];
  dispose(): void;
}

/** Creates the project, a shared backend, `runnerCount` runners, and two runners sharing one journal (the pair's workspace). */
export function createCi(runnerCount: number): ChaosCi {
  const root = join(REPO, ".e2e");
  mkdirSync(root, { recursive: true });
  const projectDir = mkdtempSync(join(root, "chaos-"));
  cpSync(join(REPO, "test", "e2e", "programs", "chaos"), projectDir, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), "tailer-chaos-"));
  const state = join(scratch, "backend");
  mkdirSync(state);
  const runner = (name: string, journal: string): Runner => {
    const home = join(scratch, name);
    mkdirSync(home, { recursive: true });
    return { name, busy: false, env: { ...offlineEnv(state, home), TAILER_JOURNAL_DIR: journal } };
  };
  const runners = Array.from({ length: runnerCount }, (_, i) => runner(`runner-${i}`, join(scratch, `runner-${i}`, "journal")));
  const workspace = join(scratch, "workspace-journal");
  runners.push(runner("workspace-a", workspace), runner("workspace-b", workspace));
  return {
    projectDir,
    runners,
    dispose() {
      rmSync(projectDir, { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Runs `pulumi <args>` for `stack` on `runner`, to the end. */
export function pulumiOn(ci: ChaosCi, runner: Runner, stack: string, args: string[]) {
  return runPulumi([...args, "--stack", stack, "--non-interactive"], ci.projectDir, runner.env);
}

/** Initialises `stack` in the shared backend with the emulator's URL and credentials (secret: the project's stack file holds its salt). */
export async function initStack(ci: ChaosCi, stack: string, emulator: Emulator, extraConfig: Record<string, string>): Promise<void> {
  const [first] = ci.runners as [Runner];
  const check = async (args: string[], stdin?: string) => {
    const result = await runPulumi([...args, "--non-interactive"], ci.projectDir, first.env, stdin);
    if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")}: ${result.stdout}${result.stderr}`);
  };
  await check(["stack", "init", stack]);
  await check(["config", "set", "--stack", stack, "tailer:apiUrl", emulator.url]);
  await check(["config", "set", "--stack", stack, "--secret", "tailer:credentials"], JSON.stringify(emulator.devServiceAccountKey));
  for (const [key, value] of Object.entries(extraConfig)) await check(["config", "set", "--stack", stack, key, value]);
}

/** Sets the stack's `chaos:jobs` (the runs to deploy), as a release's commit of the stack's config would. */
export async function setJobs(ci: ChaosCi, stack: string, jobs: object[]): Promise<void> {
  const [first] = ci.runners as [Runner];
  const result = await runPulumi(
    ["config", "set", "--stack", stack, "chaos:jobs", JSON.stringify(jobs), "--non-interactive"],
    ci.projectDir,
    first.env,
  );
  if (result.code !== 0) throw new Error(`setting chaos:jobs: ${result.stdout}${result.stderr}`);
}

/** A `pulumi up` in progress on a runner. */
export interface RunningUp {
  child: ChildProcess;
  exited: Promise<{ code: number; output: string }>;
}

/** Starts `pulumi up` for `stack` on `runner`, in its own process group. */
export function startUp(ci: ChaosCi, runner: Runner, stack: string, extraArgs: string[] = []): RunningUp {
  const child = spawn(
    join(pulumiBinDir(), "pulumi"),
    ["up", "--yes", "--skip-preview", "--stack", stack, "--non-interactive", ...extraArgs],
    {
      cwd: ci.projectDir,
      env: { ...process.env, ...runner.env },
      detached: true,
    },
  );
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<{ code: number; output: string }>((done) => child.on("close", (code) => done({ code: code ?? -1, output })));
  return { child, exited };
}

/** Kills the runner outright: every process it runs (the CLI's group, the language host, the provider), with SIGKILL. */
export function killRunner(runner: Runner, up: RunningUp): void {
  try {
    process.kill(-(up.child.pid as number), "SIGKILL");
  } catch {
    // already gone
  }
  killStragglers(runner);
}

/** SIGKILLs whatever still runs with the runner's PULUMI_HOME (a child spawned while the group was being killed). */
function killStragglers(runner: Runner): void {
  for (const pid of stackProcesses(runner, /./)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

/** Waits until nothing of the killed runner runs any more. */
export async function waitUntilDead(runner: Runner): Promise<void> {
  // A machine that vanishes takes every process with it: one spawned during the kill (a `pulumi stack export` the
  // provider started) is killed too, on each look.
  await waitFor(
    async () => {
      killStragglers(runner);
      return stackProcesses(runner, /./).length === 0 ? true : undefined;
    },
    `runner ${runner.name} to be dead`,
    30_000,
  );
}

/** A kill waiting for its moment: the up deploying `configurations` reaches `phase`. */
interface ArmedKill {
  configurations: ReadonlySet<string>;
  phase: Exclude<KillPhase, "starting">;
  kill: () => void;
}

/**
 * Hooks the emulator so that armed kills fire while it handles a request of their deploy at their phase
 * (the server did the work; the answer never leaves). Returns `arm`, whose result disarms.
 */
export function killHooks(emulator: Emulator): (kill: ArmedKill) => () => void {
  const platform = emulator.internals.platform;
  const armed = new Set<ArmedKill>();
  const fire = (phase: ArmedKill["phase"], configurationId: string | undefined) => {
    for (const kill of armed)
      if (kill.phase === phase && configurationId !== undefined && kill.configurations.has(configurationId)) {
        armed.delete(kill);
        kill.kill();
      }
  };
  const { launch, queryRuns, runById } = platform;
  platform.launch = function (this: typeof platform, config, options, at) {
    const run = launch.call(this, config, options, at);
    if (options.origin === "launch") fire("in-launch", config.configuration_id);
    return run;
  };
  platform.queryRuns = function (this: typeof platform, query) {
    fire("before-launch", query.configuration_id);
    return queryRuns.call(this, query);
  };
  platform.runById = function (this: typeof platform, runId) {
    const run = runById.call(this, runId);
    fire("waiting", run?.configuration_id);
    return run;
  };
  return (kill) => {
    armed.add(kill);
    return () => armed.delete(kill);
  };
}
