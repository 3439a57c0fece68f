/**
 * A Pulumi project of any language written from a file map into a scratch folder, with its own stack
 * on a local file backend, driven by the offline CLI. For Python and YAML programs (see ./python.ts);
 * TypeScript programs wired to an emulator use createE2EStack.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { offlineEnv, type PulumiResult, pulumiBinDir, runPulumi } from "./pulumi";

/** A scratch project and its stack. */
export interface ProgramStack {
  /** The project folder (Pulumi.yaml and the program). */
  dir: string;
  /** The stack's name. */
  stack: string;
  /** Environment of every CLI call (file backend, private PULUMI_HOME, no update check, no plugin download). */
  env: Record<string, string>;
  /** Runs `pulumi <args> --non-interactive` in the project, on the stack (`stack init` selected it); resolves once it exits. */
  pulumi(args: string[], stdin?: string): Promise<PulumiResult>;
  /** Starts `pulumi <args>` like `pulumi`, in its own process group (as a terminal runs it), for tests that interrupt it. */
  start(args: string[]): { child: ChildProcess; exited: Promise<PulumiResult> };
  /** `pulumi stack output --json` (with `--show-secrets` if asked), parsed. */
  outputs(showSecrets?: boolean): Promise<Record<string, unknown>>;
  /** Removes the scratch folders (destroys nothing). */
  dispose(): void;
}

/** Options of createProgramStack. */
export interface ProgramStackOptions {
  /** The stack's name (default "test"). */
  stack?: string;
  /** Plain stack configuration, `key: value` (the key may omit the project prefix). */
  config?: Record<string, string>;
  /** Secret stack configuration, encrypted with the test passphrase. */
  secretConfig?: Record<string, string>;
}

/** Writes `files` (relative path -> content) into a scratch project folder and initialises a stack for it. */
export async function createProgramStack(files: Record<string, string>, options: ProgramStackOptions = {}): Promise<ProgramStack> {
  const scratch = mkdtempSync(join(tmpdir(), "pulumi-program-"));
  const dir = join(scratch, "project");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  for (const folder of ["state", "home"]) mkdirSync(join(scratch, folder));
  const env = offlineEnv(join(scratch, "state"), join(scratch, "home"));
  const stack = options.stack ?? "test";
  const pulumi = (args: string[], stdin?: string) => runPulumi([...args, "--non-interactive"], dir, env, stdin);

  const check = async (args: string[], stdin?: string) => {
    const result = await pulumi(args, stdin);
    if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${result.code}):\n${result.stdout}${result.stderr}`);
    return result;
  };
  await check(["stack", "init", stack]);
  for (const [key, value] of Object.entries(options.config ?? {})) await check(["config", "set", key, value]);
  // Secrets go through stdin, never through the command line.
  for (const [key, value] of Object.entries(options.secretConfig ?? {})) await check(["config", "set", "--secret", key], value);

  return {
    dir,
    stack,
    env,
    pulumi,
    start(args) {
      const child = spawn(join(pulumiBinDir(), "pulumi"), [...args, "--non-interactive"], {
        cwd: dir,
        env: { ...process.env, ...env },
        detached: true,
      });
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (d) => (stdout += d));
      child.stderr?.on("data", (d) => (stderr += d));
      const exited = new Promise<PulumiResult>((done) => child.on("close", (code) => done({ code: code ?? -1, stdout, stderr })));
      return { child, exited };
    },
    async outputs(showSecrets = false) {
      const { stdout } = await check(["stack", "output", "--json", ...(showSecrets ? ["--show-secrets"] : [])]);
      return JSON.parse(stdout) as Record<string, unknown>;
    },
    dispose() {
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
