/** What every section of the benchmark gets. */
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

/** The run's settings and helpers. */
export interface BenchContext {
  /** The smoke run: tiny sizes, one repetition. */
  quick: boolean;
  /** The largest N of the scale rows (`--max-n`; all of them by default). */
  maxN: number;
  /** A scratch folder for this run (removed at the end). */
  scratch: string;
  /** Progress on stderr. */
  log(message: string): void;
  /** A fresh folder under scratch. */
  tempDir(prefix: string): string;
}

const started = performance.now();

/** Makes the context. */
export function makeContext(quick: boolean, scratch: string, quiet = false, maxN = Number.POSITIVE_INFINITY): BenchContext {
  return {
    quick,
    maxN,
    scratch,
    log(message) {
      if (!quiet) process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
    },
    tempDir(prefix) {
      return mkdtempSync(join(scratch, `${prefix}-`));
    },
  };
}
