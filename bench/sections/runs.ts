/**
 * Item 8: waiting for runs. `pulumi up` of one TailerJobRun whose run has a scripted duration; how long
 * after the run's end `up` returns, and how many status calls it made. Three cases per duration: the first
 * run of a job (no history), the same with `expectedDurationSeconds` stated, and a job whose last runs took
 * about as long (the provider may use their durations). The long runs use an accelerated clock; the provider's timers are accelerated by the same
 * factor (lib/time-scale.ts), so its schedule on the emulated clock is the one it follows at real speed.
 * Detection (end of the run -> the status call that saw it) is on the emulated clock; the rest (that call
 * -> `up` returns: the engine's own finishing work, which no clock speeds up) is real time.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { BenchContext } from "../lib/context";
import { benchWorld, startEmulatorProcess } from "../lib/emulator";
import { REPO } from "../lib/paths";
import { BenchStack } from "../lib/pulumi";
import { median } from "../lib/stats";

/** One measured wait. */
export interface RunWaitSample {
  upMs: number;
  statusCalls: number;
  totalCalls: number;
  /** Run end -> the status call that saw it, on the emulated clock (each call's own round trip counts clockSpeed times). */
  detectionEmulatedSeconds: number;
  /**
   * The same at real speed. Without history the provider's schedule is known (the model), so the
   * accelerated waits are scaled back and the round trips counted once; with history or a stated duration the schedule aims at
   * the expected end from the API's own clock, so the emulated figure stands (it overstates by the last
   * round trip times the clock speed).
   */
  detectionSeconds: number;
  /** That call -> `up` returned, real ms. */
  finishMs: number;
  /** detection + finish: how long after the run's end `up` returns, s. */
  endToReturnSeconds: number;
}

/** One case's results. */
export interface RunWaitCase {
  durationSeconds: number;
  /** "none": the job's first run; "stated": the same with expectedDurationSeconds; "usual": its last five runs took durationSeconds. */
  history: "none" | "stated" | "usual";
  clockSpeed: number;
  /** pollIntervalSeconds of the resource (the provider's default). */
  pollIntervalSeconds: number;
  samples: RunWaitSample[];
  median: { endToReturnSeconds: number; detectionSeconds: number; detectionEmulatedSeconds: number; finishMs: number; statusCalls: number };
  /** Without history: the provider's geometric schedule replayed without latency, from its own constants. */
  model?: { statusCalls: number; detectionSeconds: number; worstCaseSeconds: number };
}

/** The section's results. */
export interface RunsResult {
  cases: RunWaitCase[];
  /** The provider's poll constants (without history), as read from dist/. */
  pollPolicy: PollPolicy;
  /** The model for longer runs, to show how the number of calls grows without history. */
  modelByDuration: Array<{ durationSeconds: number; statusCalls: number; detectionSeconds: number; worstCaseSeconds: number }>;
}

/** The geometric schedule: first interval, factor, cap. */
export interface PollPolicy {
  pollIntervalSeconds: number;
  pollBackoffFactor: number;
  maxPollIntervalSeconds: number;
}

const identity = (configurationId: string) =>
  ({ account: "000099", environment: "DEV", configuration_type: "table-to-table", configuration_id: configurationId }) as const;

/** The provider's constants, read from the build so the model follows the code (before and after polling.ts). */
function pollPolicy(): PollPolicy {
  const dist = join(REPO, "dist", "provider", "resources");
  const { JOB_RUN_DEFAULTS } = require(join(dist, "jobRunProvider.js")) as {
    JOB_RUN_DEFAULTS: Partial<PollPolicy> & { pollIntervalSeconds: number };
  };
  const polling = existsSync(join(dist, "polling.js"))
    ? (require(join(dist, "polling.js")) as { POLLING?: { factor: number; maxIntervalMs: number } }).POLLING
    : undefined;
  return {
    pollIntervalSeconds: JOB_RUN_DEFAULTS.pollIntervalSeconds,
    pollBackoffFactor: polling?.factor ?? JOB_RUN_DEFAULTS.pollBackoffFactor ?? Number.NaN,
    maxPollIntervalSeconds: polling ? polling.maxIntervalMs / 1000 : (JOB_RUN_DEFAULTS.maxPollIntervalSeconds ?? Number.NaN),
  };
}

/** The first `k` intervals of the geometric schedule, summed (seconds). */
function scheduledSeconds(k: number, policy: PollPolicy): number {
  let total = 0;
  let interval = policy.pollIntervalSeconds;
  const cap = Math.max(interval, policy.maxPollIntervalSeconds);
  for (let i = 0; i < k; i++) {
    total += interval;
    interval = Math.min(cap, interval * policy.pollBackoffFactor);
  }
  return total;
}

/**
 * The geometric schedule (a check at once, then intervals x factor up to the cap) against a run of
 * `duration` s: the checks made, how late the last one comes, and the interval in force at the end (the
 * worst case for a run of about that length).
 */
export function modelWait(
  duration: number,
  policy: PollPolicy,
): { statusCalls: number; detectionSeconds: number; worstCaseSeconds: number } {
  let t = 0;
  let interval = policy.pollIntervalSeconds;
  const cap = Math.max(interval, policy.maxPollIntervalSeconds);
  let calls = 1;
  let last = 0;
  while (t < duration && calls < 100_000) {
    t += interval;
    last = interval;
    interval = Math.min(cap, interval * policy.pollBackoffFactor);
    calls++;
  }
  return { statusCalls: calls, detectionSeconds: t - duration, worstCaseSeconds: last };
}

/** Five successful runs of `seconds` each, in the days before now, for the "usual" history. */
function history(configurationId: string, seconds: number) {
  const now = Date.now();
  return Array.from({ length: 5 }, (_, i) => {
    const start = new Date(now - (i + 1) * 86_400_000);
    const stamp = start.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    return {
      ...identity(configurationId),
      run_id: `${stamp}-00000000-0000-4000-8000-${String(seconds * 10 + i).padStart(12, "0")}`,
      status: "SUCCESS" as const,
      start_execution_date: start.toISOString().replace(/\.\d+Z$/, "+00:00"),
      duration: seconds,
    };
  });
}

/** Runs the section. */
export async function runRuns(ctx: BenchContext): Promise<RunsResult> {
  const policy = pollPolicy();
  // The smoke run waits once per duration, one history each, to stay short.
  const plan = ctx.quick
    ? [
        { durationSeconds: 1, clockSpeed: 1, histories: ["none"] as const },
        { durationSeconds: 60, clockSpeed: 30, histories: ["stated", "usual"] as const },
      ]
    : [
        { durationSeconds: 10, clockSpeed: 1, histories: ["none", "stated", "usual"] as const },
        { durationSeconds: 600, clockSpeed: 60, histories: ["none", "stated", "usual"] as const },
      ];
  const repetitions = ctx.quick ? 1 : 3;
  const cases: RunWaitCase[] = [];
  let release = 0;
  for (const { durationSeconds, clockSpeed, histories } of plan) {
    const emulator = await startEmulatorProcess({ stateDir: ctx.tempDir("runs-emulator"), seed: benchWorld(0), clockSpeed });
    const stack = await BenchStack.create("jobrun", { "tailer:apiUrl": emulator.url }, { "tailer:credentials": emulator.devKeyJson });
    const env =
      clockSpeed > 1
        ? { NODE_OPTIONS: `--require ${join(REPO, "dist", "bench", "lib", "time-scale.js")}`, BENCH_TIME_SCALE: String(clockSpeed) }
        : undefined;
    try {
      for (const kind of histories) {
        const usual = `000099_bench_usual_${durationSeconds}_DEV`;
        if (kind === "usual") {
          await emulator.admin.putConfigurations([{ ...identity(usual), max_active_runs: null }]);
          await emulator.admin.addRuns(history(usual, durationSeconds));
        }
        const samples: RunWaitSample[] = [];
        for (let rep = 0; rep < repetitions; rep++) {
          ctx.log(`runs: a ${durationSeconds} s run (history: ${kind}) at clock speed ${clockSpeed}, repetition ${rep + 1}/${repetitions}`);
          // The first run of a job: a configuration nobody ran before, each time.
          const configurationId = kind === "usual" ? usual : `000099_bench_${kind}_${durationSeconds}_${rep}_DEV`;
          if (kind !== "usual") await emulator.admin.putConfigurations([{ ...identity(configurationId), max_active_runs: null }]);
          await stack.must([
            "config",
            "set-all",
            "--plaintext",
            `bench:release=${++release}`,
            "--plaintext",
            `bench:configurationId=${configurationId}`,
            "--plaintext",
            `bench:expectedDurationSeconds=${kind === "stated" ? durationSeconds : 0}`,
          ]);
          await emulator.admin.scriptLaunches(identity(configurationId), [{ duration: durationSeconds, outcome: "SUCCESS" }]);
          await emulator.admin.clearRequests();
          const up = await stack.must(["up", "--yes", "--skip-preview"], env ? { env } : {});
          const log = await emulator.admin.requests();
          const launch = log.find((e) => e.action === "launch_job");
          const run = (await emulator.admin.listRuns(identity(configurationId))).find((r) => r.run_id === launch?.run_id);
          if (run?.status !== "SUCCESS" || !run.last_update_date)
            throw new Error(`the run ${launch?.run_id} did not end SUCCESS: ${JSON.stringify(run)}`);
          const checks = log.filter((e) => e.action === "check_run_status");
          const last = checks.at(-1);
          if (!last || !launch) throw new Error("up made no launch_job or no check_run_status call");
          const detectionEmulatedSeconds = (Date.parse(last.emulated_time) - Date.parse(run.last_update_date)) / 1000;
          // Without history: real time from the launch to the last check is the round trips plus the waits
          // divided by the clock speed; at real speed the waits count in full: add back (1 - 1/speed) of them.
          const sinceLaunch =
            (Date.parse(last.time) - Date.parse(launch.time)) / 1000 + (1 - 1 / clockSpeed) * scheduledSeconds(checks.length - 1, policy);
          const detectionSeconds = clockSpeed === 1 || kind !== "none" ? detectionEmulatedSeconds : sinceLaunch - durationSeconds;
          const finishMs = up.endedAt - Date.parse(last.time);
          samples.push({
            upMs: up.ms,
            statusCalls: checks.length,
            totalCalls: log.length,
            detectionEmulatedSeconds,
            detectionSeconds,
            finishMs,
            endToReturnSeconds: detectionSeconds + finishMs / 1000,
          });
        }
        cases.push({
          durationSeconds,
          history: kind,
          clockSpeed,
          pollIntervalSeconds: policy.pollIntervalSeconds,
          samples,
          median: {
            endToReturnSeconds: median(samples.map((s) => s.endToReturnSeconds)),
            detectionSeconds: median(samples.map((s) => s.detectionSeconds)),
            detectionEmulatedSeconds: median(samples.map((s) => s.detectionEmulatedSeconds)),
            finishMs: median(samples.map((s) => s.finishMs)),
            statusCalls: median(samples.map((s) => s.statusCalls)),
          },
          ...(kind === "none" ? { model: modelWait(durationSeconds, policy) } : {}),
        });
      }
    } finally {
      stack.dispose();
      await emulator.stop();
    }
  }
  const modelByDuration = [10, 60, 600, 3600, 6 * 3600].map((d) => ({ durationSeconds: d, ...modelWait(d, policy) }));
  return { cases, pollPolicy: policy, modelByDuration };
}
