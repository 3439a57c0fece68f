/**
 * Items 1, 2, 3, 7 (and our side of 4): `pulumi up`, a no-change `preview --refresh` and `destroy` of N
 * TailerConfigurationStatus against the emulator, beside N no-op dynamic resources in the same engine
 * (the floor); calls per resource and tokens from the emulator's request log; the same up with 150 ms
 * added to every call; the peak memory of the dynamic-provider process.
 */
import type { AdminClient } from "pulumi-tailer/emulator";
import type { BenchContext } from "../lib/context";
import { benchWorld, type EmulatorProcess, startEmulatorProcess } from "../lib/emulator";
import { BenchStack, type CliResult } from "../lib/pulumi";
import { median, type Sampled, sampled } from "../lib/stats";

/** One request log entry, as the admin API lists it. */
type RequestLogEntry = Awaited<ReturnType<AdminClient["requests"]>>[number];

/** The API latency of the "realistic round trip" runs, ms. */
export const REMOTE_LATENCY_MS = 150;

/** Per N: times of both programs, ratios, calls and tokens. */
export interface EngineSizeResult {
  n: number;
  repetitions: number;
  ms: {
    ours: { up: Sampled; refresh: Sampled; destroy: Sampled };
    floor: { up: Sampled; refresh: Sampled; destroy: Sampled };
  };
  /** ours / floor, from the medians. */
  ratio: { up: number; refresh: number; destroy: number };
  /** From the request log, per resource (medians over repetitions). */
  callsPerResource: { up: number; refresh: number; destroy: number };
  /** Calls by action during one up (the last repetition). */
  upActions: Record<string, number>;
  /** Distinct tokens (by fingerprint) used by each up. */
  tokensPerUp: number[];
  /** Peak RSS of the dynamic-provider process and of the program process, KiB (max over repetitions). */
  peakRssKb: { ours: Record<string, number>; floor: Record<string, number> };
}

/** The latency-hiding runs at one N. */
export interface LatencyResult {
  n: number;
  latencyMs: number;
  /** The engine's --parallel for these runs; null means the CLI default. */
  parallel: number | null;
  upMs0: Sampled;
  upMsLatency: Sampled;
  /** upMsLatency - upMs0, medians. */
  addedMs: number;
}

/** The engine section's results. */
export interface EngineResult {
  sizes: EngineSizeResult[];
  latency: LatencyResult[];
  /** Peak RSS of the emulator process over the section, KiB. */
  emulatorPeakRssKb: number | undefined;
}

const count = (entries: RequestLogEntry[]) => {
  const byAction: Record<string, number> = {};
  for (const e of entries) byAction[e.action ?? "?"] = (byAction[e.action ?? "?"] ?? 0) + 1;
  return byAction;
};

const fingerprints = (entries: RequestLogEntry[]) => new Set(entries.map((e) => e.token_fingerprint).filter((f) => f !== null)).size;

const maxRss = (into: Record<string, number>, from: CliResult) => {
  for (const [k, v] of Object.entries(from.peakRssKb ?? {})) into[k] = Math.max(into[k] ?? 0, v);
};

const UP = ["up", "--yes", "--skip-preview"];
const REFRESH = ["preview", "--refresh", "--expect-no-changes"];
const DESTROY = ["destroy", "--yes", "--skip-preview"];

/** One up / preview --refresh / destroy cycle; returns the three results and the log of each phase. */
async function cycle(stack: BenchStack, emulator: EmulatorProcess, extraUp: string[] = []) {
  await emulator.admin.clearRequests();
  const up = await stack.must([...UP, ...extraUp], { sampleRss: true });
  const upLog = await emulator.admin.requests();
  await emulator.admin.clearRequests();
  const refresh = await stack.must(REFRESH, { sampleRss: true });
  const refreshLog = await emulator.admin.requests();
  await emulator.admin.clearRequests();
  const destroy = await stack.must(DESTROY, { sampleRss: true });
  const destroyLog = await emulator.admin.requests();
  return { up, refresh, destroy, upLog, refreshLog, destroyLog };
}

/** Runs the section. */
export async function runEngine(ctx: BenchContext): Promise<EngineResult> {
  const sizes = ctx.quick ? [5] : [10, 100, 500];
  const latencyN = ctx.quick ? 5 : 100;
  const emulator = await startEmulatorProcess({ stateDir: ctx.tempDir("engine-emulator"), seed: benchWorld(Math.max(...sizes)) });
  const stacks: BenchStack[] = [];
  try {
    const config = { "tailer:apiUrl": emulator.url };
    const ours = await BenchStack.create("tailer", config, { "tailer:credentials": emulator.devKeyJson });
    const floor = await BenchStack.create("floor", {});
    stacks.push(ours, floor);
    const results: EngineSizeResult[] = [];
    const latency: LatencyResult[] = [];

    // Warm caches (CLI, plugins, node modules, ts compile) once, unmeasured (not in the smoke run).
    if (!ctx.quick) {
      ctx.log("engine: warm-up cycle");
      for (const stack of [ours, floor]) {
        await stack.must(["config", "set", "bench:count", String(sizes[0])]);
        await cycle(stack, emulator);
      }
    }

    for (const n of sizes) {
      const repetitions = ctx.quick ? 1 : n >= 500 ? 2 : 3;
      for (const stack of [ours, floor]) await stack.must(["config", "set", "bench:count", String(n)]);
      const ms = {
        ours: { up: [] as number[], refresh: [] as number[], destroy: [] as number[] },
        floor: { up: [] as number[], refresh: [] as number[], destroy: [] as number[] },
      };
      const calls = { up: [] as number[], refresh: [] as number[], destroy: [] as number[] };
      const tokensPerUp: number[] = [];
      const peakRssKb = { ours: {} as Record<string, number>, floor: {} as Record<string, number> };
      let upActions: Record<string, number> = {};
      for (let rep = 0; rep < repetitions; rep++) {
        // Alternate which goes first, so slow drifts of a shared machine hit both alike.
        const order = rep % 2 === 0 ? (["ours", "floor"] as const) : (["floor", "ours"] as const);
        for (const which of order) {
          ctx.log(`engine: N=${n} repetition ${rep + 1}/${repetitions}: ${which}`);
          const c = await cycle(which === "ours" ? ours : floor, emulator);
          ms[which].up.push(c.up.ms);
          ms[which].refresh.push(c.refresh.ms);
          ms[which].destroy.push(c.destroy.ms);
          for (const r of [c.up, c.refresh, c.destroy]) maxRss(peakRssKb[which], r);
          if (which === "ours") {
            calls.up.push(c.upLog.length / n);
            calls.refresh.push(c.refreshLog.length / n);
            calls.destroy.push(c.destroyLog.length / n);
            tokensPerUp.push(fingerprints(c.upLog));
            upActions = count(c.upLog);
          } else if (c.upLog.length + c.refreshLog.length + c.destroyLog.length > 0) {
            throw new Error("the floor program called the API");
          }
        }
      }
      const s = (x: number[]) => sampled(x);
      const result: EngineSizeResult = {
        n,
        repetitions,
        ms: {
          ours: { up: s(ms.ours.up), refresh: s(ms.ours.refresh), destroy: s(ms.ours.destroy) },
          floor: { up: s(ms.floor.up), refresh: s(ms.floor.refresh), destroy: s(ms.floor.destroy) },
        },
        ratio: {
          up: median(ms.ours.up) / median(ms.floor.up),
          refresh: median(ms.ours.refresh) / median(ms.floor.refresh),
          destroy: median(ms.ours.destroy) / median(ms.floor.destroy),
        },
        callsPerResource: { up: median(calls.up), refresh: median(calls.refresh), destroy: median(calls.destroy) },
        upActions,
        tokensPerUp,
        peakRssKb,
      };
      results.push(result);

      if (n === latencyN) latency.push(...(await latencyRuns(ctx, ours, emulator, n)));
    }
    return { sizes: results, latency, emulatorPeakRssKb: emulator.peakRssKb() };
  } finally {
    for (const stack of stacks) stack.dispose();
    await emulator.stop();
  }
}

/**
 * The same up with REMOTE_LATENCY_MS added to every call, against 0 ms, at the CLI's default --parallel:
 * pairs of ups (0 ms, then +latency; the order alternates), each followed by a destroy.
 */
async function latencyRuns(ctx: BenchContext, ours: BenchStack, emulator: EmulatorProcess, n: number): Promise<LatencyResult[]> {
  const repetitions = ctx.quick ? 1 : 4;
  const zero: number[] = [];
  const slow: number[] = [];
  for (let rep = 0; rep < repetitions; rep++) {
    for (const latencyMs of rep % 2 === 0 ? [0, REMOTE_LATENCY_MS] : [REMOTE_LATENCY_MS, 0]) {
      ctx.log(`engine: N=${n} up at +${latencyMs} ms, repetition ${rep + 1}/${repetitions}`);
      await emulator.admin.clearFaults();
      if (latencyMs > 0) await emulator.admin.addFault({ kind: "latency", latency_ms: latencyMs });
      const up = await ours.must(UP);
      await emulator.admin.clearFaults();
      await ours.must(DESTROY);
      (latencyMs === 0 ? zero : slow).push(up.ms);
    }
  }
  return [
    {
      n,
      latencyMs: REMOTE_LATENCY_MS,
      parallel: null,
      upMs0: sampled(zero),
      upMsLatency: sampled(slow),
      addedMs: median(slow) - median(zero),
    },
  ];
}
