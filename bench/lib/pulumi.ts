/**
 * A Pulumi stack of one of the benchmark's programs, driven with the real CLI (file backend, offline),
 * in a copy of the program under .e2e/ so that `import "pulumi-tailer"` resolves to this package's dist/.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, isAbsolute, join } from "node:path";
import { performance } from "node:perf_hooks";
import { offlinePulumiEnv, pulumiBinDir } from "../../scripts/pulumi-cli";
import { REPO } from "./paths";
import { pulumiProcesses, watchPeakRss } from "./proc";

/** The outcome of one CLI command. */
export interface CliResult {
  code: number;
  /** Wall-clock time of the command, ms. */
  ms: number;
  stdout: string;
  stderr: string;
  /** Epoch ms when the command returned. */
  endedAt: number;
  /** Peak RSS (KiB) of the dynamic-provider process and of the program process, when sampled. */
  peakRssKb?: Record<string, number>;
}

/** Options of one command. */
export interface RunOptions {
  /** Standard input. */
  input?: string;
  /** Watch the peak memory of the dynamic-provider and program processes. */
  sampleRss?: boolean;
  /** Extra environment variables for this command. */
  env?: Record<string, string>;
}

const STACK = "bench";

/** A stack of a program copy. */
export class BenchStack {
  private constructor(
    readonly dir: string,
    private readonly scratch: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Copies bench/programs/<program> (or the folder at an absolute path) and creates its stack with `config` (secret values in `secrets`). */
  static async create(program: string, config: Record<string, string>, secrets: Record<string, string> = {}): Promise<BenchStack> {
    const root = join(REPO, ".e2e");
    mkdirSync(root, { recursive: true });
    const source = isAbsolute(program) ? program : join(REPO, "bench", "programs", program);
    const dir = mkdtempSync(join(root, `bench-${basename(program)}-`));
    cpSync(source, dir, { recursive: true });
    const scratch = mkdtempSync(join(tmpdir(), "tailer-bench-"));
    mkdirSync(join(scratch, "state"));
    mkdirSync(join(scratch, "home"));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...offlinePulumiEnv(join(scratch, "state"), join(scratch, "home"), "bench"),
      TAILER_JOURNAL_DIR: join(scratch, "journal"),
    };
    const stack = new BenchStack(dir, scratch, env);
    await stack.must(["stack", "init"]);
    const plain = Object.entries(config).flatMap(([key, value]) => ["--plaintext", `${key}=${value}`]);
    if (plain.length > 0) await stack.must(["config", "set-all", ...plain]);
    for (const [key, value] of Object.entries(secrets)) await stack.must(["config", "set", "--secret", key], { input: value });
    return stack;
  }

  /** Runs `pulumi <args> --stack bench --non-interactive`, timing it; `sampleRss` watches its processes' memory. */
  run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn(join(pulumiBinDir(), "pulumi"), [...args, "--stack", STACK, "--non-interactive"], {
        cwd: this.dir,
        env: { ...this.env, ...options.env },
        stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
      if (options.input !== undefined) child.stdin?.end(options.input);
      const watcher = options.sampleRss && child.pid !== undefined ? watchPeakRss(child.pid, pulumiProcesses) : undefined;
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (d) => (stdout += d));
      child.stderr?.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => {
        const ms = performance.now() - started;
        const endedAt = Date.now();
        const peakRssKb = watcher?.stop();
        resolve({ code: code ?? -1, ms, endedAt, stdout, stderr, ...(peakRssKb ? { peakRssKb } : {}) });
      });
    });
  }

  /** Like run, and fails on a non-zero exit. */
  async must(args: string[], options: RunOptions = {}): Promise<CliResult> {
    const result = await this.run(args, options);
    if (result.code !== 0)
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}:\n${tail(result.stdout)}\n${tail(result.stderr)}`);
    return result;
  }

  /** Removes the program copy and the stack's state (destroys nothing). */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

function tail(text: string, lines = 30): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}
