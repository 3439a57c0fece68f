/**
 * Item 4: against what a user would do instead. bench/curl-recipe.sh (the docs' recipe: a fresh token,
 * then one curl, per configuration, sequentially) beside `pulumi up` of the same N configurations, both
 * with REMOTE_LATENCY_MS added to every call, on the same emulator, interleaved.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { BenchContext } from "../lib/context";
import { benchWorld, startEmulatorProcess } from "../lib/emulator";
import { REPO } from "../lib/paths";
import { BenchStack } from "../lib/pulumi";
import { median, type Sampled, sampled } from "../lib/stats";
import { REMOTE_LATENCY_MS } from "./engine";

/** The comparison's results. */
export interface CurlResult {
  n: number;
  latencyMs: number;
  repetitions: number;
  scriptMs: Sampled;
  upMs: Sampled;
  /** script / up, medians: how many times faster up is. */
  speedup: number;
  /** What the script did, from the request log of its last repetition. */
  scriptCalls: number;
  scriptOk: number;
  /** Token commands run by the script (one per call) and distinct tokens seen (same-second tokens are identical). */
  scriptTokenCommands: number;
  scriptDistinctTokens: number;
  /** Median time of one token command, ms (measured alone). */
  tokenCommandMs: number;
}

function runScript(url: string, listFile: string, tokenCommand: string): Promise<{ ms: number; code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("bash", [join(REPO, "bench", "curl-recipe.sh"), url, listFile], {
      env: { ...process.env, TOKEN_COMMAND: tokenCommand },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ ms: performance.now() - started, code: code ?? -1, stdout }));
  });
}

/** Runs the section. */
export async function runCurl(ctx: BenchContext): Promise<CurlResult> {
  const n = ctx.quick ? 5 : 100;
  const repetitions = ctx.quick ? 1 : 2;
  const emulator = await startEmulatorProcess({ stateDir: ctx.tempDir("curl-emulator"), seed: benchWorld(n) });
  const stack = await BenchStack.create(
    "tailer",
    { "tailer:apiUrl": emulator.url, "bench:count": String(n) },
    { "tailer:credentials": emulator.devKeyJson },
  );
  try {
    const listFile = join(ctx.scratch, "configurations.txt");
    writeFileSync(listFile, Array.from({ length: n }, (_, i) => `000099_bench_${String(i).padStart(4, "0")}_DEV\n`).join(""));
    const tokenCommand = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(REPO, "dist", "emulator", "cli.js"))} token --state-dir ${JSON.stringify(emulator.stateDir)}`;

    // Warm-up (unmeasured, not in the smoke run): one up and destroy; then the token command alone, timed.
    if (!ctx.quick) {
      ctx.log("curl: warm-up");
      await stack.must(["up", "--yes", "--skip-preview"]);
      await stack.must(["destroy", "--yes", "--skip-preview"]);
    }
    const tokenTimes: number[] = [];
    for (let i = 0; i < (ctx.quick ? 1 : 5); i++) {
      const started = performance.now();
      await new Promise<void>((resolve, reject) =>
        spawn("bash", ["-c", tokenCommand], { stdio: "ignore" }).on("close", (code) =>
          code === 0 ? resolve() : reject(new Error(`token command exited ${code}`)),
        ),
      );
      tokenTimes.push(performance.now() - started);
    }

    await emulator.admin.addFault({ kind: "latency", latency_ms: REMOTE_LATENCY_MS });
    const scriptMs: number[] = [];
    const upMs: number[] = [];
    let scriptCalls = 0;
    let scriptOk = 0;
    let scriptDistinctTokens = 0;
    for (let rep = 0; rep < repetitions; rep++) {
      ctx.log(`curl: N=${n} at +${REMOTE_LATENCY_MS} ms, repetition ${rep + 1}/${repetitions}: the script`);
      await emulator.admin.clearRequests();
      const script = await runScript(emulator.url, listFile, tokenCommand);
      if (script.code !== 0) throw new Error(`curl-recipe.sh exited ${script.code}`);
      const log = await emulator.admin.requests();
      scriptCalls = log.length;
      scriptOk = log.filter((e) => e.status === 200).length;
      scriptDistinctTokens = new Set(log.map((e) => e.token_fingerprint)).size;
      if (scriptOk !== n) throw new Error(`the script set ${scriptOk} of ${n} configurations: ${script.stdout.slice(0, 500)}`);
      scriptMs.push(script.ms);

      ctx.log(`curl: N=${n} at +${REMOTE_LATENCY_MS} ms, repetition ${rep + 1}/${repetitions}: pulumi up`);
      const up = await stack.must(["up", "--yes", "--skip-preview"]);
      upMs.push(up.ms);
      await emulator.admin.clearFaults();
      await stack.must(["destroy", "--yes", "--skip-preview"]);
      await emulator.admin.addFault({ kind: "latency", latency_ms: REMOTE_LATENCY_MS });
    }
    return {
      n,
      latencyMs: REMOTE_LATENCY_MS,
      repetitions,
      scriptMs: sampled(scriptMs),
      upMs: sampled(upMs),
      speedup: median(scriptMs) / median(upMs),
      scriptCalls,
      scriptOk,
      scriptTokenCommands: n,
      scriptDistinctTokens,
      tokenCommandMs: median(tokenTimes),
    };
  } finally {
    stack.dispose();
    await emulator.stop();
  }
}
