/**
 * `npm run bench`: every benchmark of issue 7 in one run, side by side, written to
 * bench/results/latest.md (the table, the machine, the versions) and latest.json beside it.
 *
 *   node dist/bench/run.js [--quick] [--only engine,profile,native,curl,client,emulator,runs] [--out DIR] [--max-n N]
 *
 * --quick is the smoke run (tiny sizes, one repetition) the test suite runs so this cannot rot; it
 * writes to bench/results/tmp/ unless --out says otherwise, never over latest.*.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { makeContext } from "./lib/context";
import { machineInfo } from "./lib/machine";
import { REPO } from "./lib/paths";
import { evaluateTargets, renderMarkdown } from "./report";
import { type BenchResults, SECTIONS, type SectionName } from "./results";
import { runClient } from "./sections/client";
import { runCurl } from "./sections/curl";
import { runEmulatorLoad } from "./sections/emulator-load";
import { runEngine } from "./sections/engine";
import { runNative } from "./sections/native";
import { runProfile } from "./sections/profile";
import { runRuns } from "./sections/runs";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean" },
      only: { type: "string" },
      out: { type: "string" },
      quiet: { type: "boolean" },
      "max-n": { type: "string" },
    },
  });
  const quick = values.quick ?? false;
  const only = values.only ? (values.only.split(",") as SectionName[]) : [...SECTIONS];
  for (const name of only) if (!SECTIONS.includes(name)) throw new Error(`unknown section ${name}; sections: ${SECTIONS.join(", ")}`);
  const outDir = values.out ?? join(REPO, "bench", "results", quick || values.only ? "tmp" : "");
  const scratch = mkdtempSync(join(tmpdir(), "tailer-bench-run-"));
  const maxN = values["max-n"] === undefined ? Number.POSITIVE_INFINITY : Number(values["max-n"]);
  const ctx = makeContext(quick, scratch, values.quiet ?? false, maxN);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const results: BenchResults = {
    schema: "pulumi-tailer-bench/1",
    quick,
    startedAt,
    durationSeconds: 0,
    command: `npm run bench${quick ? " -- --quick" : ""}${values.only ? ` -- --only ${values.only}` : ""}${values["max-n"] ? ` --max-n ${values["max-n"]}` : ""}`,
    machine: machineInfo(),
  };
  const sectionSeconds: Partial<Record<SectionName, number>> = {};
  results.sectionSeconds = sectionSeconds;
  /** Runs one section if asked for, and records its wall time. */
  const timed = async <T>(name: SectionName, run: (c: typeof ctx) => Promise<T>): Promise<T | undefined> => {
    if (!only.includes(name)) return undefined;
    const sectionStarted = performance.now();
    try {
      return await run(ctx);
    } finally {
      sectionSeconds[name] = (performance.now() - sectionStarted) / 1000;
    }
  };
  try {
    results.emulator = await timed("emulator", runEmulatorLoad);
    results.client = await timed("client", runClient);
    results.engine = await timed("engine", runEngine);
    results.profile = await timed("profile", runProfile);
    results.native = await timed("native", runNative);
    results.curl = await timed("curl", runCurl);
    results.runs = await timed("runs", runRuns);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  results.durationSeconds = (performance.now() - started) / 1000;
  results.targets = evaluateTargets(results);
  results.loadAverageAtEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, "latest.md"), renderMarkdown(results));
  ctx.log(`done in ${results.durationSeconds.toFixed(0)} s: ${join(outDir, "latest.md")}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
