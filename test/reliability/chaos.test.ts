/**
 * Exactly-once launches under the hard failure model, with the real CLI: stacks deploying generations
 * of job runs on three runners (own HOME, PULUMI_HOME and launch journal each) over one shared file
 * backend; runners killed -9 while the program starts, in the read before launching, inside the launch
 * (the server launched, the answer never left) and while waiting, each deploy resumed on another runner;
 * every fault kind of the emulator mixed in by seed (late processing after a 504 or a held request,
 * answers dropped before and after processing, garbled bodies after a launch, resets, 503, 429,
 * visibility delays); schedules launching foreign runs on the same jobs; sibling runs of one job for
 * two dates; and two stacks deploying one definition at the same moment from one CI workspace.
 *
 * Counted from the emulator's store: duplicate launches 0, runs silently lost 0, sibling or other
 * Pulumi runs taken as ours 0; foreign (scheduled) runs taken as ours are reported as a figure, since
 * Tailer's runs do not show what launched them. Size: `npm test` runs a complete small version;
 * `npm run test:stress` (TAILER_STRESS=1) at least 300 launches. TAILER_CHAOS_SEED replays a run.
 */
import { type RunningEmulator, startEmulator } from "../helpers/emulator";
import { deploy, newFigures } from "./chaos/deploy";
import { createCi, initStack, killHooks, type Runner, zeroPerKillPhase } from "./chaos/runners";
import { verdict } from "./chaos/verdict";
import {
  CHAOS_FAULT_KINDS,
  CHAOS_RECONCILE_WINDOW_MS,
  type ChaosSize,
  chaosFaults,
  chaosSeed,
  chaosStacks,
  seededRandom,
} from "./chaos/world";
import { count, report, STRESS } from "./helpers";

jest.setTimeout(3_600_000);

const SEED = count("TAILER_CHAOS_SEED", { normal: 20261202, stress: 20261202 });
const SIZE: ChaosSize = STRESS
  ? { stacks: 3, jobsPerStack: 5, generations: 10, killProbability: 0.35 }
  : { stacks: 3, jobsPerStack: 2, generations: 3, killProbability: 0.45 };
// The emulator's clock runs at real speed, as Tailer's does: the launch intent a killed create leaves in
// the stack's state is on the runner's clock. Jobs take 1 s; late processing and visibility delays stay
// within the provider's reconcile window (chaos/world.ts).
const CLOCK_SPEED = 1;
const PROVIDER_CONFIG = {
  "tailer:launchReconcileWindowMs": String(CHAOS_RECONCILE_WINDOW_MS),
  "tailer:requestTimeoutMs": "3000",
  "tailer:retryMaxAttempts": "6",
};

let env: RunningEmulator;
let ci: ReturnType<typeof createCi>;

beforeAll(async () => {
  env = await startEmulator({ seed: chaosSeed(SIZE), clockSpeed: CLOCK_SPEED, requestLogSize: 1_000_000, faultSeed: SEED });
  ci = createCi(3);
});
afterAll(async () => {
  ci?.dispose();
  await env?.close();
});

test("exactly-once launches: no duplicate, no lost run, every uncertain launch named with its candidates", async () => {
  const stacks = chaosStacks(SIZE);
  for (const stack of stacks) await initStack(ci, stack.name, env.emulator, PROVIDER_CONFIG);
  await env.admin.addFaults(chaosFaults(SEED).faults as never, SEED);
  const figures = newFigures();
  const ctx = {
    ci,
    emulator: env.emulator,
    admin: env.admin,
    random: seededRandom(SEED),
    killProbability: SIZE.killProbability,
    arm: killHooks(env.emulator),
    killsArmed: zeroPerKillPhase(),
    figures,
  };
  const ownRunners = ci.runners.filter((r) => r.name.startsWith("runner-"));
  const byName = (name: string) => ci.runners.find((r) => r.name === name) as Runner;
  for (let generation = 1; generation <= SIZE.generations; generation++) {
    // The stacks of a generation deploy at once on the free runners; the pair from one workspace.
    const deploys = await Promise.allSettled([
      ...stacks.filter((s) => !s.pairedWith).map((s) => deploy(ctx, s, generation, ownRunners)),
      ...stacks.filter((s) => s.pairedWith).map((s) => deploy(ctx, s, generation, [byName("workspace-a"), byName("workspace-b")])),
    ]);
    const failed = deploys.find((d) => d.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason; // every deploy of the generation has ended
  }
  await env.admin.clearFaults();
  const result = await verdict(env.admin, figures);
  report("chaos", {
    seed: SEED,
    runners: ownRunners.length + 2,
    ...result,
    faultsApplied: JSON.stringify(result.faultsApplied),
    details: result.details.length,
    ups: figures.ups,
    kills: JSON.stringify(figures.kills),
    resumedElsewhere: figures.resumedElsewhere,
    uncertain: figures.uncertain,
    uncertainWithoutCandidates: figures.uncertainWithoutCandidates,
    adoptRunIdResolutions: figures.adoptRunIdResolutions,
    replaceResolutions: figures.replaceResolutions,
    otherFailures: figures.otherFailures.length,
  });
  if (result.details.length > 0)
    console.info(`[reliability] chaos details:\n${result.details.join("\n")}\n${figures.otherFailures.join("\n")}`);
  expect(result.duplicateLaunches).toBe(0);
  expect(result.lostRuns).toBe(0);
  expect(result.falseAdoptionsTellable).toBe(0);
  expect(figures.uncertainUnnamed).toBe(0);
  expect(result.requestedLaunches).toBe(SIZE.stacks * SIZE.jobsPerStack * 2 * SIZE.generations + SIZE.generations);
  if (STRESS) expect(result.requestedLaunches).toBeGreaterThanOrEqual(300);
  for (const kind of CHAOS_FAULT_KINDS) expect(result.faultsApplied[kind] ?? 0).toBeGreaterThan(0);
  for (const [phase, n] of Object.entries(figures.kills)) expect([phase, n > 0]).toEqual([phase, true]);
});
