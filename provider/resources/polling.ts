/**
 * When to look at a run again. Without knowledge, the interval grows by 1.5 from `pollIntervalSeconds`
 * up to 30 s: few calls for long runs. With the job's usual duration (its last successful runs), the
 * schedule also aims at the expected end: it grows the same way but never sleeps past the expected end
 * (plus a quarter second), then looks again quickly after it. A run that ends as usual is seen within a
 * second of its end, for a number of calls that grows with the log of its duration.
 */
import type { Run } from "../client/schemas";
import { parseDurationMs } from "../client/wire";

/** Defaults of the schedule, in one place. */
export const POLLING = Object.freeze({
  factor: 1.5,
  maxIntervalMs: 30_000,
  /** Look this long after the expected end, so the run has had time to end. */
  marginMs: 250,
  /** After the expected end passed, restart from this interval. */
  afterEndIntervalMs: 500,
  /** Before the expected end, check at least this often, as a fraction of the usual duration. */
  earlyCheckFraction: 1 / 5,
  /** Successful runs whose durations make the estimate. */
  historySize: 5,
});

/** The usual duration of the job's successful runs (median of the newest few), if there are any. */
export function expectedDurationMs(runs: readonly Run[], jobId: string | undefined): number | undefined {
  const durations = runs
    .filter((run) => run.status === "SUCCESS" && (!jobId || run.job_id === jobId))
    .slice(0, POLLING.historySize)
    .map((run) => parseDurationMs(run.duration))
    .filter((ms): ms is number => ms !== undefined && ms > 0)
    .sort((a, b) => a - b);
  return durations.length === 0 ? undefined : durations[Math.floor(durations.length / 2)];
}

/** The delays between status checks of one run. */
export class PollSchedule {
  #intervalMs: number;
  #pastExpectedEnd = false;

  constructor(
    private readonly initialMs: number,
    private readonly expectedMs?: number,
  ) {
    this.#intervalMs = initialMs;
  }

  /** The wait before the next check, given how long the run has been running on the API's clock (if it says). */
  next(runningForMs?: number): number {
    const remainingMs = this.expectedMs !== undefined && runningForMs !== undefined ? this.expectedMs - runningForMs : undefined;
    if (remainingMs !== undefined && remainingMs <= 0 && !this.#pastExpectedEnd) {
      this.#pastExpectedEnd = true;
      this.#intervalMs = Math.min(this.initialMs, POLLING.afterEndIntervalMs);
    }
    const delay =
      remainingMs !== undefined && remainingMs > 0 ? Math.min(this.#intervalMs, remainingMs + POLLING.marginMs) : this.#intervalMs;
    // Before the expected end a long run may be checked less often (a fifth of its usual duration: an
    // early failure is still seen within that), never rarer than every 30 s after it.
    const cap =
      remainingMs !== undefined && remainingMs > 0
        ? Math.max(POLLING.maxIntervalMs, (this.expectedMs ?? 0) * POLLING.earlyCheckFraction)
        : POLLING.maxIntervalMs;
    this.#intervalMs = Math.min(Math.max(this.#intervalMs, this.initialMs) * POLLING.factor, Math.max(cap, this.initialMs));
    return Math.round(delay);
  }
}
