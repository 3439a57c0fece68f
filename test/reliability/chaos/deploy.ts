/**
 * One deploy of the chaos test, as a pipeline runs it: `pulumi up` on a free runner; if the runner is
 * killed, the pipeline retries on another (`pulumi cancel`, then `pulumi up`); if up stops with
 * LAUNCH_UNCERTAIN, a person reads its candidates and, when several are listed, names the right one with
 * adoptRunId (as Tailer Studio would tell them), else simply reruns it.
 */
import { appendFileSync } from "node:fs";
import type { AdminClient, Emulator } from "../../../emulator";
import {
  type ChaosCi,
  KILL_PHASES,
  type KillPhase,
  killRunner,
  pulumiOn,
  type Runner,
  setJobs,
  startUp,
  waitUntilDead,
  zeroPerKillPhase,
} from "./runners";
import type { ChaosStack, RequestedRun } from "./world";

/** What the deploys saw, for the report. */
export interface DeployFigures {
  ups: number;
  kills: Record<KillPhase, number>;
  resumedElsewhere: number;
  uncertain: number;
  uncertainWithoutCandidates: number;
  /** LAUNCH_UNCERTAIN messages that did not name their candidates (must stay 0). */
  uncertainUnnamed: number;
  adoptRunIdResolutions: number;
  replaceResolutions: number;
  otherFailures: string[];
  /** Each generation's recorded run per resource: stack/name/generation -> run id. */
  recorded: Map<string, { run: RequestedRun; runId: string }>;
}

/** A fresh set of figures. */
export function newFigures(): DeployFigures {
  return {
    ups: 0,
    kills: zeroPerKillPhase(),
    resumedElsewhere: 0,
    uncertain: 0,
    uncertainWithoutCandidates: 0,
    uncertainUnnamed: 0,
    adoptRunIdResolutions: 0,
    replaceResolutions: 0,
    otherFailures: [],
    recorded: new Map(),
  };
}

/** Everything a deploy needs. */
export interface DeployContext {
  ci: ChaosCi;
  emulator: Emulator;
  admin: AdminClient;
  random: () => number;
  killProbability: number;
  arm: (kill: { configurations: ReadonlySet<string>; phase: Exclude<KillPhase, "starting">; kill: () => void }) => () => void;
  /** Kills armed so far, by phase (with figures.kills, it picks the next phase). */
  killsArmed: Record<KillPhase, number>;
  figures: DeployFigures;
}

const MAX_UPS_PER_DEPLOY = 15;

/** Deploys `generation` of `stack` until an up succeeds, on runners from `pool`. */
export async function deploy(ctx: DeployContext, stack: ChaosStack, generation: number, pool: Runner[]): Promise<void> {
  const runs = stack.runs(generation);
  const adoptions = new Map<string, string>();
  let replace: string[] = [];
  await setJobs(ctx.ci, stack.name, runs);
  let previous: Runner | undefined;
  let killed = false;
  let last = "";
  for (let attempt = 1; attempt <= MAX_UPS_PER_DEPLOY; attempt++) {
    const runner = await takeRunner(pool, killed ? previous : undefined);
    try {
      if (killed) {
        ctx.figures.resumedElsewhere++;
        await pulumiOn(ctx.ci, runner, stack.name, ["cancel", "--yes"]); // the killed update's lock
      }
      const outcome = await upOnce(ctx, runner, stack.name, runs, attempt === 1 ? ctx.killProbability : ctx.killProbability / 2, replace);
      replace = [];
      previous = runner;
      killed = outcome.kind === "killed";
      last = outcome.output;
      if (outcome.kind === "ok") {
        await record(ctx, stack.name, runs, runner);
        if (adoptions.size > 0) await setJobs(ctx.ci, stack.name, runs); // adoptRunId has done its work
        return;
      }
      if (outcome.kind === "uncertain") replace = await resolveUncertain(ctx, stack, runs, adoptions, outcome.output);
      if (outcome.kind === "failed") ctx.figures.otherFailures.push(`${stack.name} g${generation}: ${lastError(outcome.output)}`);
    } finally {
      runner.busy = false;
    }
  }
  throw new Error(`${stack.name} generation ${generation} did not deploy in ${MAX_UPS_PER_DEPLOY} ups; the last said:\n${last}`);
}

async function takeRunner(pool: Runner[], not: Runner | undefined): Promise<Runner> {
  for (;;) {
    const free = pool.filter((r) => !r.busy && r !== not);
    const runner = free[0];
    if (runner) {
      runner.busy = true;
      return runner;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The phase to arm next: the one killed least so far, then armed least. An armed kill whose moment never
 * came (its up launched nothing, say) is not its phase's turn, so a run of any size kills in each phase.
 */
function nextKillPhase(ctx: DeployContext): KillPhase {
  const { kills } = ctx.figures;
  const armed = ctx.killsArmed;
  return [...KILL_PHASES].sort((a, b) => kills[a] - kills[b] || armed[a] - armed[b])[0] as KillPhase;
}

type UpOutcome = { kind: "ok" | "killed" | "failed" | "uncertain"; output: string };

async function upOnce(
  ctx: DeployContext,
  runner: Runner,
  stack: string,
  runs: RequestedRun[],
  killProbability: number,
  replace: string[],
): Promise<UpOutcome> {
  ctx.figures.ups++;
  const up = startUp(
    ctx.ci,
    runner,
    stack,
    replace.flatMap((urn) => ["--replace", urn]),
  );
  const phase = ctx.random() < killProbability ? nextKillPhase(ctx) : undefined;
  if (phase) ctx.killsArmed[phase]++;
  let killedAt: KillPhase | undefined;
  const kill = (at: KillPhase) => () => {
    killedAt = at;
    killRunner(runner, up);
  };
  let disarm = () => {};
  let timer: NodeJS.Timeout | undefined;
  if (phase === "starting") timer = setTimeout(kill("starting"), 300 + ctx.random() * 1500);
  else if (phase) disarm = ctx.arm({ configurations: new Set(runs.map((r) => r.configurationId)), phase, kill: kill(phase) });
  const { code, output } = await up.exited;
  if (process.env.TAILER_CHAOS_LOG)
    appendFileSync(process.env.TAILER_CHAOS_LOG, `\n===== ${stack} on ${runner.name} (kill: ${phase ?? "none"}) exit ${code}\n${output}`);
  clearTimeout(timer);
  disarm();
  if (killedAt) {
    ctx.figures.kills[killedAt]++;
    await waitUntilDead(runner);
    return { kind: "killed", output };
  }
  if (code === 0) return { kind: "ok", output };
  return { kind: /TAILER_LAUNCH_UNCERTAIN|may or may not have started a run/.test(output) ? "uncertain" : "failed", output };
}

/**
 * A person's resolution, resource by resource: a candidate Tailer Studio shows as this resource's run (its
 * job, its date, launched through the API) is adopted with adoptRunId; candidates that are not (a
 * schedule's run, a sibling's) mean this resource's launch never happened: `pulumi up --replace` launches
 * it; no candidate at all: the next up launches it by itself. Returns the URNs to replace.
 */
async function resolveUncertain(
  ctx: DeployContext,
  stack: ChaosStack,
  runs: RequestedRun[],
  adoptions: Map<string, string>,
  output: string,
) {
  ctx.figures.uncertain++;
  const replace: string[] = [];
  for (const [, name, message] of output.matchAll(/tailer:JobRun \(([^)]+)\):\s*\n\s*error: [^\n]*\n\s*\* ([^\n]*)/g)) {
    if (!/may or may not have started a run/.test(message as string)) continue;
    if (!/Candidates: (none\.|\d{8}-\d{6}-[0-9a-f-]{36} \()/.test(message as string)) ctx.figures.uncertainUnnamed++;
    const candidates = [...(message as string).matchAll(/(\d{8}-\d{6}-[0-9a-f-]{36}) \(/g)].map((m) => m[1] as string);
    const requested = runs.find((r) => r.name === name);
    if (!requested) continue;
    if (candidates.length === 0) {
      ctx.figures.uncertainWithoutCandidates++;
      continue;
    }
    const ours: string[] = [];
    for (const runId of candidates) {
      const [run] = await ctx.admin.listRuns({ run_id: runId });
      if (run?.origin === "launch" && run.configuration_id === requested.configurationId && run.execution_date === requested.executionDate)
        ours.push(runId);
    }
    if (ours.length === 1) adoptions.set(requested.name, ours[0] as string);
    else replace.push(`urn:pulumi:${stack.name}::chaos::pulumi-nodejs:dynamic/tailer:JobRun::${name}`);
  }
  ctx.figures.adoptRunIdResolutions += adoptions.size;
  ctx.figures.replaceResolutions += replace.length;
  if (adoptions.size > 0)
    await setJobs(
      ctx.ci,
      stack.name,
      runs.map((r) => (adoptions.has(r.name) ? { ...r, adoptRunId: adoptions.get(r.name) } : r)),
    );
  return replace;
}

/** Records the runs the stack's outputs name for this generation. */
async function record(ctx: DeployContext, stack: string, runs: RequestedRun[], runner: Runner): Promise<void> {
  const result = await pulumiOn(ctx.ci, runner, stack, ["stack", "output", "runs", "--json"]);
  const ids = JSON.parse(result.stdout) as Record<string, string>;
  for (const run of runs) ctx.figures.recorded.set(`${stack}/${run.name}/${run.generation}`, { run, runId: String(ids[run.name]) });
}

function lastError(output: string): string {
  const lines = output.split("\n").filter((l) => /error|\* /.test(l));
  return (lines.slice(-2).join(" | ") || output.slice(-300)).trim();
}
