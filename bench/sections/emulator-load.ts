/**
 * Item 6: the emulator itself. Requests per second and latency percentiles at 64 concurrent connections,
 * SQLite persistence on (a database file), the emulator in its own process and the load generator (undici,
 * one connection per caller) in this one. The mix is a third each of launch_job (a write: a run row),
 * get_last_status and check_run_status, over 100 configurations.
 */
import { Pool } from "undici";
import type { BenchContext } from "../lib/context";
import { benchWorld, startEmulatorProcess } from "../lib/emulator";
import { closedLoop, type LoadWindow } from "../lib/load";
import { quantile, round } from "../lib/stats";

/** The section's results. */
export interface EmulatorLoadResult {
  connections: number;
  seconds: number;
  database: "file";
  mix: string;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Peak RSS of the emulator process, KiB. */
  peakRssKb: number | undefined;
  /** Requests answered with an unexpected exception (must be 0). */
  internalErrors: number;
}

const CONNECTIONS = 64;
const CONFIGURATIONS = 100;

/** Runs the section. */
export async function runEmulatorLoad(ctx: BenchContext): Promise<EmulatorLoadResult> {
  const seconds = ctx.quick ? 1 : 8;
  const emulator = await startEmulatorProcess({ stateDir: ctx.tempDir("load-emulator"), seed: benchWorld(CONFIGURATIONS) });
  const pool = new Pool(emulator.url, { connections: CONNECTIONS, pipelining: 1, keepAliveTimeout: 30_000 });
  try {
    const token = await emulator.admin.mintToken();
    const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
    const identity = (i: number) => ({
      account: "000099",
      environment: "DEV",
      configuration_type: "table-to-table",
      configuration_id: `000099_bench_${String(i % CONFIGURATIONS).padStart(4, "0")}_DEV`,
    });
    const post = async (path: string, body: unknown) => {
      const response = await pool.request({ path, method: "POST", headers, body: JSON.stringify(body) });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${text}`);
      return text;
    };
    // Runs to check, one per configuration, launched before the measurement.
    const runs: string[] = [];
    for (let i = 0; i < CONFIGURATIONS; i++)
      runs.push((JSON.parse(await post("/v1/dag/launch", { action: "launch_job", ...identity(i) })) as { run_id: string }).run_id);
    let next = 0;
    const call = () => {
      const i = next++;
      const kind = i % 3;
      if (kind === 0) return post("/v1/dag/launch", { action: "launch_job", ...identity(i) });
      if (kind === 1) return post("/v1/dag/status", { action: "get_last_status", ...identity(i) });
      const c = i % CONFIGURATIONS;
      return post("/v1/dag/status", {
        action: "check_run_status",
        ...identity(c),
        job_id: `gbq-to-gbq|${identity(c).configuration_id}`,
        run_id: runs[c],
      });
    };
    ctx.log("emulator: warm-up");
    await closedLoop(call, CONNECTIONS, ctx.quick ? 0.3 : 2);
    ctx.log(`emulator: ${CONNECTIONS} connections for ${seconds} s`);
    const window: LoadWindow = await closedLoop(call, CONNECTIONS, seconds, true);
    const latencies = window.latenciesMs ?? [];
    const info = (await emulator.admin.info()) as { internal_errors?: number };
    return {
      connections: CONNECTIONS,
      seconds: round(window.seconds, 2),
      database: "file",
      mix: "1/3 launch_job, 1/3 get_last_status, 1/3 check_run_status",
      requests: window.calls,
      errors: window.errors,
      requestsPerSecond: window.callsPerSecond,
      latencyMs: {
        p50: quantile(latencies, 0.5),
        p90: quantile(latencies, 0.9),
        p99: quantile(latencies, 0.99),
        max: quantile(latencies, 1),
      },
      peakRssKb: emulator.peakRssKb(),
      internalErrors: info.internal_errors ?? -1,
    };
  } finally {
    await pool.close();
    await emulator.stop();
  }
}
