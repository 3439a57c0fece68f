/**
 * The chaos test's world: which stacks deploy which job runs, generation after generation, on which
 * configurations (some shared between sibling runs, one between two stacks, some with a schedule that
 * launches foreign runs), and the faults the API answers with, all drawn from one seed.
 */

/** A seeded random number generator (mulberry32): the same seed, the same test. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The size of a chaos run. */
export interface ChaosSize {
  /** Stacks deploying their own jobs (one at a time per runner). */
  stacks: number;
  /** Jobs per stack; each has two sibling runs (two execution dates) per generation. */
  jobsPerStack: number;
  /** Generations (releases) each stack deploys. */
  generations: number;
  /** Chance that a `pulumi up` is killed (the whole runner, -9). */
  killProbability: number;
}

/** One requested launch of one generation: the resource, its job and the date it runs for. */
export interface RequestedRun {
  /** The TailerJobRun's name in its stack. */
  name: string;
  configurationId: string;
  executionDate: string;
  generation: number;
}

/** A stack of the chaos world and what it deploys. */
export interface ChaosStack {
  name: string;
  /** Stacks sharing one journal folder (two runners of one CI workspace) deploy at the same moment. */
  pairedWith?: string;
  /** The runs one generation requests. */
  runs(generation: number): RequestedRun[];
}

const configurationOf = (stack: number, job: number) => `000099_chaos_s${stack}_j${job}_DEV`;
/** The job two stacks deploy with the same definition at the same moment. */
export const SHARED_CONFIGURATION = "000099_chaos_shared_DEV";

/** The date a run of `generation` is for: two siblings per job and generation, never reused. */
export function executionDate(generation: number, sibling: number): string {
  return `2026-${String(1 + ((generation - 1) % 12)).padStart(2, "0")}-${String(1 + sibling + 2 * Math.floor((generation - 1) / 12)).padStart(2, "0")}`;
}

/** The stacks of a run of `size`: their own jobs, and the pair on the shared job. */
export function chaosStacks(size: ChaosSize): ChaosStack[] {
  const own = Array.from({ length: size.stacks }, (_, s) => ({
    name: `s${s}`,
    runs: (generation: number) =>
      Array.from({ length: size.jobsPerStack }, (_, j) =>
        [0, 1].map((sibling) => ({
          name: `j${j}-d${sibling}`,
          configurationId: configurationOf(s, j),
          executionDate: executionDate(generation, sibling),
          generation,
        })),
      ).flat(),
  }));
  const shared = (generation: number) => [
    { name: "shared", configurationId: SHARED_CONFIGURATION, executionDate: executionDate(generation, 0), generation },
  ];
  return [...own, { name: "pa", pairedWith: "pb", runs: shared }, { name: "pb", pairedWith: "pa", runs: shared }];
}

/** The emulator's seed: every configuration the stacks deploy, a schedule on every other job (foreign runs). */
export function chaosSeed(size: ChaosSize): object {
  const identity = (configuration_id: string) => ({
    account: "000099",
    environment: "DEV",
    configuration_type: "table-to-table",
    configuration_id,
  });
  const configurations = [
    ...Array.from({ length: size.stacks }, (_, s) =>
      Array.from({ length: size.jobsPerStack }, (_, j) => ({
        ...identity(configurationOf(s, j)),
        max_active_runs: null,
        run: { duration: 1, outcome: "SUCCESS" },
        ...(j % 2 === 0 ? { schedule: { every: 60, execution_date: "none" } } : {}),
      })),
    ).flat(),
    { ...identity(SHARED_CONFIGURATION), max_active_runs: null, run: { duration: 1, outcome: "SUCCESS" }, schedule: { every: 60 } },
  ];
  return { configurations, runs: [] };
}

/** The latest a launch is performed after its request (late processing), and shown after that (visibility delay). */
const LATE_PROCESSING_MAX_MS = 3_000;
const VISIBILITY_DELAY_MAX_MS = 1_500;

/**
 * The provider's reconcile window in the chaos run: it must cover the latest a run can show (late processing
 * plus visibility delay), with a margin for the emulator's timers firing late on a loaded 2-core machine.
 * A run showing later than the window is outside the model the provider promises (see the README).
 */
export const CHAOS_RECONCILE_WINDOW_MS = LATE_PROCESSING_MAX_MS + VISIBILITY_DELAY_MAX_MS + 3_000;

/** Every fault kind on the actions a launch uses (launch_job, the reads before and after it), by seed. */
export function chaosFaults(seed: number): { seed: number; faults: object[] } {
  const launch = (rule: object, probability: number) => ({ ...rule, action: "launch_job", probability });
  const late = { kind: "late_processing", status: 504, delay_ms: 300, delay_max_ms: LATE_PROCESSING_MAX_MS };
  // One rule per kind first, each applying once: a run of any size sees every kind. Late processing within
  // the window too: the emulator's default (5 s) equalled the window, and its run then showed after it.
  const once = [late, ...["drop_response", "garbled_body", "reset", "error", "rate_limit"].map((kind) => ({ kind }))].map((rule) => ({
    ...rule,
    action: "launch_job",
    max_count: 1,
    probability: 0.3,
  }));
  return {
    seed,
    faults: [
      ...once,
      launch(late, 0.08),
      launch({ kind: "late_processing", status: 502, hold: true, delay_ms: 500, delay_max_ms: 2_500 }, 0.03),
      launch({ kind: "drop_response", when: "after" }, 0.08),
      launch({ kind: "drop_response", when: "before" }, 0.05),
      launch({ kind: "garbled_body", garble: "bad_run_id" }, 0.04),
      launch({ kind: "garbled_body", garble: "truncated" }, 0.03),
      launch({ kind: "reset" }, 0.04),
      launch({ kind: "error", status: 503 }, 0.04),
      launch({ kind: "rate_limit", retry_after_seconds: 0 }, 0.05),
      launch({ kind: "visibility_delay", delay_ms: 200, delay_max_ms: VISIBILITY_DELAY_MAX_MS }, 0.15),
      { kind: "error", status: 503, action: "get_last_status", probability: 0.05 },
      { kind: "error", status: 502, action: "check_run_status", probability: 0.05 },
      { kind: "latency", latency_ms: 150, probability: 0.05 },
    ],
  };
}

/** The fault kinds the chaos run must have exercised. */
export const CHAOS_FAULT_KINDS = [
  "late_processing",
  "drop_response",
  "garbled_body",
  "reset",
  "error",
  "rate_limit",
  "visibility_delay",
] as const;
