/**
 * The native provider beside the dynamic resources and the dynamic floor: `pulumi up`, a no-change
 * `preview --refresh` and `destroy` of N ConfigurationStatus through the plugin tarball's
 * `pulumi-resource-tailer` (what YAML, Python and Go users run), N TailerConfigurationStatus, and N
 * no-op dynamic resources; the state's size after up, and each provider process's peak memory. Up to
 * N = 2,000 (issue 17's scale rows; destroy timed up to 1,000), with the growth exponent of each series.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { pluginTarball } from "../../scripts/plugin-tarball";
import type { BenchContext } from "../lib/context";
import { benchWorld, startEmulatorProcess } from "../lib/emulator";
import { BenchStack, type CliResult } from "../lib/pulumi";
import { growthExponent, median, type Sampled, sampled } from "../lib/stats";

/** The three programs, by name. */
const PROGRAMS = ["native", "dynamic", "floor"] as const;
type Program = (typeof PROGRAMS)[number];

/** Per N: times of the three programs, the state's size, the providers' memory. */
export interface NativeSizeResult {
  n: number;
  repetitions: number;
  /** Per program, ms; where destroy was not timed, its samples are empty and its median NaN (null in the JSON). */
  ms: Record<Program, { up: Sampled; refresh: Sampled; destroy: Sampled }>;
  /** native / floor, from the medians. */
  ratioToFloor: { up: number; refresh: number; destroy: number };
  /** Bytes of `pulumi stack export` after up. */
  stateBytes: Record<Program, number>;
  /** Peak RSS (KiB) of the provider process (nativeProvider or dynamicProvider) and of the program. */
  peakRssKb: Record<Program, Record<string, number>>;
  /** Wall time of this size, every command of the three programs included (untimed destroys too), in seconds. */
  seconds: number;
}

/** The growth exponents (v ~ N^k) of one program, fitted over every N of the section from 100 up. */
export interface Growth {
  up: number;
  refresh: number;
  destroy: number;
  stateBytes: number;
}

/** The section's results. */
export interface NativeResult {
  sizes: NativeSizeResult[];
  /** Per program: the growth exponent of each series. */
  growth: Record<Program, Growth>;
}

/** One size of the scale rows. */
interface ScaleSize {
  n: number;
  repetitions: number;
  /** Whether destroy is timed; if not, the stack is emptied by an untimed destroy without checkpoints. */
  timeDestroy: boolean;
}

/**
 * The sizes of the scale rows: one repetition each, and destroy untimed at the largest N, which the engine's
 * O(N^2) checkpoints make slow (timing it costs about 13 min for the three programs; bench/README.md).
 */
const SCALE: ScaleSize[] = [
  { n: 100, repetitions: 1, timeDestroy: true },
  { n: 500, repetitions: 1, timeDestroy: true },
  { n: 1000, repetitions: 1, timeDestroy: true },
  { n: 2000, repetitions: 1, timeDestroy: false },
];

/** The smoke run's sizes: the same two kinds of size, tiny. */
const QUICK_SCALE: ScaleSize[] = [
  { n: 3, repetitions: 1, timeDestroy: true },
  { n: 6, repetitions: 1, timeDestroy: true },
  { n: 9, repetitions: 1, timeDestroy: false },
];

/**
 * The untimed destroy's environment: the engine saves the state once, at the end, instead of after every
 * step (Pulumi's PULUMI_SKIP_CHECKPOINTS); the providers' deletes run as in any destroy.
 */
const UNTIMED_DESTROY_ENV = { PULUMI_SKIP_CHECKPOINTS: "true" };

const UP = ["up", "--yes", "--skip-preview"];
const REFRESH = ["preview", "--refresh", "--expect-no-changes"];
const DESTROY = ["destroy", "--yes", "--skip-preview"];

/** The native program's stack, with the plugin from its tarball (extracted once) named in Pulumi.yaml. */
async function nativeStack(ctx: BenchContext, config: Record<string, string>, secrets: Record<string, string>): Promise<BenchStack> {
  const plugin = ctx.tempDir("native-plugin");
  execFileSync("tar", ["-xzf", pluginTarball(), "-C", plugin]);
  const stack = await BenchStack.create("native", config, secrets);
  appendFileSync(`${stack.dir}/Pulumi.yaml`, `plugins:\n  providers:\n    - name: tailer\n      path: ${plugin}\n`);
  return stack;
}

/** Runs the section. */
export async function runNative(ctx: BenchContext): Promise<NativeResult> {
  const scale = ctx.quick ? QUICK_SCALE : SCALE.filter((z) => z.n <= ctx.maxN);
  const sizes = scale.map((z) => z.n);
  const emulator = await startEmulatorProcess({ stateDir: ctx.tempDir("native-emulator"), seed: benchWorld(Math.max(...sizes)) });
  const config = { "tailer:apiUrl": emulator.url };
  const secrets = { "tailer:credentials": emulator.devKeyJson };
  const stacks: Record<Program, BenchStack> = {
    native: await nativeStack(ctx, config, secrets),
    dynamic: await BenchStack.create("tailer", config, secrets),
    floor: await BenchStack.create("floor", {}),
  };
  try {
    // Warm caches (CLI, plugins, node modules, ts compile) once, unmeasured (not in the smoke run).
    if (!ctx.quick)
      for (const [program, stack] of Object.entries(stacks)) {
        ctx.log(`native: warm-up cycle: ${program}`);
        await stack.must(["config", "set", "bench:count", "10"]);
        for (const command of [UP, REFRESH, DESTROY]) await stack.must(command);
      }
    const results: NativeSizeResult[] = [];
    for (const { n, repetitions, timeDestroy } of scale) {
      const sizeStarted = performance.now();
      for (const stack of Object.values(stacks)) await stack.must(["config", "set", "bench:count", String(n)]);
      const ms = Object.fromEntries(
        PROGRAMS.map((p) => [p, { up: [] as number[], refresh: [] as number[], destroy: [] as number[] }]),
      ) as Record<Program, { up: number[]; refresh: number[]; destroy: number[] }>;
      const stateBytes = {} as Record<Program, number>;
      const peakRssKb = Object.fromEntries(PROGRAMS.map((p) => [p, {}])) as Record<Program, Record<string, number>>;
      for (let rep = 0; rep < repetitions; rep++) {
        // Rotate the order, so slow drifts of a shared machine hit all three alike.
        const order = PROGRAMS.map((_, i) => PROGRAMS[(i + rep) % PROGRAMS.length] as Program);
        for (const program of order) {
          ctx.log(`native: N=${n} repetition ${rep + 1}/${repetitions}: ${program}`);
          const stack = stacks[program];
          const up = await stack.must(UP, { sampleRss: true });
          stateBytes[program] = (await stack.must(["stack", "export"])).stdout.length;
          const refresh = await stack.must(REFRESH, { sampleRss: true });
          ms[program].up.push(up.ms);
          ms[program].refresh.push(refresh.ms);
          for (const r of [up, refresh]) keepPeaks(peakRssKb[program], r);
          if (!timeDestroy) {
            await emptyUntimed(stack);
            continue;
          }
          const destroy = await stack.must(DESTROY, { sampleRss: true });
          ms[program].destroy.push(destroy.ms);
          keepPeaks(peakRssKb[program], destroy);
        }
      }
      const timing = (p: Program) => ({ up: sampled(ms[p].up), refresh: sampled(ms[p].refresh), destroy: sampled(ms[p].destroy) });
      results.push({
        n,
        repetitions,
        ms: { native: timing("native"), dynamic: timing("dynamic"), floor: timing("floor") },
        ratioToFloor: {
          up: median(ms.native.up) / median(ms.floor.up),
          refresh: median(ms.native.refresh) / median(ms.floor.refresh),
          destroy: median(ms.native.destroy) / median(ms.floor.destroy),
        },
        stateBytes,
        peakRssKb,
        seconds: (performance.now() - sizeStarted) / 1000,
      });
    }
    return { sizes: results, growth: growthOf(results, ctx.quick ? 0 : 100) };
  } finally {
    for (const stack of Object.values(stacks)) stack.dispose();
    await emulator.stop();
  }
}

/** Fits the growth exponent of every series over the sizes from `fromN` up where the series was measured. */
function growthOf(sizes: NativeSizeResult[], fromN: number): Record<Program, Growth> {
  const fitted = sizes.filter((z) => z.n >= fromN);
  const fit = (value: (z: NativeSizeResult) => number) =>
    growthExponent(fitted.map((z) => ({ n: z.n, v: value(z) })).filter((p) => Number.isFinite(p.v)));
  const of = (p: Program): Growth => ({
    up: fit((z) => z.ms[p].up.median),
    refresh: fit((z) => z.ms[p].refresh.median),
    destroy: fit((z) => z.ms[p].destroy.median),
    stateBytes: fit((z) => z.stateBytes[p]),
  });
  return { native: of("native"), dynamic: of("dynamic"), floor: of("floor") };
}

/** The untimed destroy; fails if it left a resource in the state (the next size would then start from it). */
async function emptyUntimed(stack: BenchStack): Promise<void> {
  await stack.must(DESTROY, { env: UNTIMED_DESTROY_ENV });
  const state = JSON.parse((await stack.must(["stack", "export"])).stdout) as { deployment?: { resources?: unknown[] } };
  const left = state.deployment?.resources?.length ?? 0;
  if (left > 0) throw new Error(`the untimed destroy left ${left} resources in the state`);
}

function keepPeaks(into: Record<string, number>, from: CliResult): void {
  for (const [k, v] of Object.entries(from.peakRssKb ?? {})) into[k] = Math.max(into[k] ?? 0, v);
}
