/**
 * Item 8: waiting for runs. `pulumi up` of one TailerJobRun whose run has a scripted duration; how long
 * after the run's end `up` returns, and how many status calls it made. The long case runs on an
 * accelerated clock; the provider's timers are accelerated by the same factor (lib/time-scale.ts), so its
 * poll schedule on the emulated clock is the one it follows at real speed. Times are given on the
 * emulated clock for the detection (end of the run -> the status call that saw it) plus real time for
 * the rest (that call -> `up` returns: the engine's own finishing work, which no clock speeds up).
 */
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
  /** The same at real speed: the accelerated waits scaled back, the calls' round trips counted once. */
  detectionSeconds: number;
  /** That call -> `up` returned, real ms. */
  finishMs: number;
  /** detection + finish: how long after the run's end `up` returns, s. */
  endToReturnSeconds: number;
}

/** One duration's results. */
export interface RunWaitCase {
  durationSeconds: number;
  clockSpeed: number;
  /** pollIntervalSeconds of the resource (the provider's default). */
  pollIntervalSeconds: number;
  samples: RunWaitSample[];
  median: { endToReturnSeconds: number; detectionSeconds: number; detectionEmulatedSeconds: number; finishMs: number; statusCalls: number };
  /** The provider's loop replayed without latency, from its own constants. */
  model: { statusCalls: number; detectionSeconds: number; worstCaseSeconds: number };
}

/** The section's results. */
export interface RunsResult {
  cases: RunWaitCase[];
  /** The provider's poll constants, as read from dist/. */
  pollPolicy: { pollIntervalSeconds: number; pollBackoffFactor: number; maxPollIntervalSeconds: number };
  /** The model for longer runs, to show how the number of calls grows. */
  modelByDuration: Array<{ durationSeconds: number; statusCalls: number; detectionSeconds: number; worstCaseSeconds: number }>;
}

const job = {
  account: "000099",
  environment: "DEV",
  configuration_type: "table-to-table",
  configuration_id: "000099_bench_job_DEV",
} as const;

type PollPolicy = RunsResult["pollPolicy"];

/** The provider's constants, read from the build so the model follows the code. */
function pollPolicy(): PollPolicy {
  const { JOB_RUN_DEFAULTS } = require(join(REPO, "dist", "provider", "resources", "jobRunProvider.js")) as {
    JOB_RUN_DEFAULTS: PollPolicy;
  };
  return {
    pollIntervalSeconds: JOB_RUN_DEFAULTS.pollIntervalSeconds,
    pollBackoffFactor: JOB_RUN_DEFAULTS.pollBackoffFactor,
    maxPollIntervalSeconds: JOB_RUN_DEFAULTS.maxPollIntervalSeconds,
  };
}

/** The first `k` intervals of waitForRun's schedule, summed (seconds). */
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
 * waitForRun's schedule (a check at once, then intervals x factor up to the cap) against a run of
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
  while (t < duration) {
    t += interval;
    last = interval;
    interval = Math.min(cap, interval * policy.pollBackoffFactor);
    calls++;
  }
  return { statusCalls: calls, detectionSeconds: t - duration, worstCaseSeconds: last };
}

/** Runs the section. */
export async function runRuns(ctx: BenchContext): Promise<RunsResult> {
  const policy = pollPolicy();
  const plan = ctx.quick
    ? [
        { durationSeconds: 1, clockSpeed: 1 },
        { durationSeconds: 60, clockSpeed: 30 },
      ]
    : [
        { durationSeconds: 10, clockSpeed: 1 },
        { durationSeconds: 600, clockSpeed: 60 },
      ];
  const repetitions = ctx.quick ? 1 : 3;
  const cases: RunWaitCase[] = [];
  let release = 0;
  for (const { durationSeconds, clockSpeed } of plan) {
    const emulator = await startEmulatorProcess({ stateDir: ctx.tempDir("runs-emulator"), seed: benchWorld(0), clockSpeed });
    const stack = await BenchStack.create("jobrun", { "tailer:apiUrl": emulator.url }, { "tailer:credentials": emulator.devKeyJson });
    const env =
      clockSpeed > 1
        ? { NODE_OPTIONS: `--require ${join(REPO, "dist", "bench", "lib", "time-scale.js")}`, BENCH_TIME_SCALE: String(clockSpeed) }
        : undefined;
    try {
      const samples: RunWaitSample[] = [];
      for (let rep = 0; rep < repetitions; rep++) {
        ctx.log(`runs: a ${durationSeconds} s run at clock speed ${clockSpeed}, repetition ${rep + 1}/${repetitions}`);
        await stack.must(["config", "set", "bench:release", String(++release)]);
        await emulator.admin.scriptLaunches(job, [{ duration: durationSeconds, outcome: "SUCCESS" }]);
        await emulator.admin.clearRequests();
        const up = await stack.must(["up", "--yes", "--skip-preview"], env ? { env } : {});
        const log = await emulator.admin.requests();
        const runId = log.find((e) => e.action === "launch_job")?.run_id;
        const run = (await emulator.admin.listRuns(job)).find((r) => r.run_id === runId);
        if (run?.status !== "SUCCESS" || !run.last_update_date)
          throw new Error(`the run ${runId} did not end SUCCESS: ${JSON.stringify(run)}`);
        const checks = log.filter((e) => e.action === "check_run_status");
        const last = checks.at(-1);
        const launch = log.find((e) => e.action === "launch_job");
        if (!last || !launch) throw new Error("up made no launch_job or no check_run_status call");
        const detectionEmulatedSeconds = (Date.parse(last.emulated_time) - Date.parse(run.last_update_date)) / 1000;
        // Real time from the launch to the last check is the round trips plus the waits divided by the
        // clock speed; at real speed the waits count in full: add back (1 - 1/speed) of them.
        const waits = scheduledSeconds(checks.length - 1, policy);
        const sinceLaunch = (Date.parse(last.time) - Date.parse(launch.time)) / 1000 + (1 - 1 / clockSpeed) * waits;
        const detectionSeconds = clockSpeed === 1 ? detectionEmulatedSeconds : sinceLaunch - durationSeconds;
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
        model: modelWait(durationSeconds, policy),
      });
    } finally {
      stack.dispose();
      await emulator.stop();
    }
  }
  const modelByDuration = [10, 60, 600, 3600, 6 * 3600].map((d) => ({ durationSeconds: d, ...modelWait(d, policy) }));
  return { cases, pollPolicy: policy, modelByDuration };
}
