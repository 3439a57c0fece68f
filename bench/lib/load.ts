/** A closed-loop load generator: `concurrency` callers, each calling again as soon as its call ends. */
import { performance } from "node:perf_hooks";

/** What one window of load measured. */
export interface LoadWindow {
  calls: number;
  errors: number;
  seconds: number;
  callsPerSecond: number;
  /** CPU time of this process per call, µs (user + system). */
  cpuUsPerCall: number;
  /** Latencies of the calls, ms (kept only when asked). */
  latenciesMs?: number[];
}

/** Runs `call` from `concurrency` loops for `seconds`. A call that throws counts as an error. */
export async function closedLoop(
  call: () => Promise<unknown>,
  concurrency: number,
  seconds: number,
  keepLatencies = false,
): Promise<LoadWindow> {
  const latencies: number[] = [];
  let calls = 0;
  let errors = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await call();
          calls++;
        } catch {
          errors++;
        }
        if (keepLatencies) latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    calls,
    errors,
    seconds: elapsed,
    callsPerSecond: calls / elapsed,
    cpuUsPerCall: (used.user + used.system) / Math.max(1, calls),
    ...(keepLatencies ? { latenciesMs: latencies } : {}),
  };
}
