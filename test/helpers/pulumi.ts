/**
 * The real Pulumi CLI against the emulator: a stack per test file, on a local file backend, in a
 * temporary copy of the program (so stack config files never land in the repository), offline.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import * as semver from "semver";
import { offlinePulumiEnv, PULUMI_VERSION, pulumiBinDir, REPO } from "../../scripts/pulumi-cli";
import { type RunningEmulator, startEmulator } from "./emulator";

export { PULUMI_VERSION, pulumiBinDir, REPO };

/** Environment for offline Pulumi: file backend, passphrase, no update checks, no plugin downloads. */
export function offlineEnv(stateDir: string, home: string): Record<string, string> {
  return {
    ...offlinePulumiEnv(stateDir, home, "e2e-passphrase"),
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    // The provider's launch journal, private to this stack's scratch folder.
    TAILER_JOURNAL_DIR: join(home, "tailer-launches"),
  };
}

/** What a finished `pulumi` command did. */
export interface PulumiResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the provisioned `pulumi` CLI with `args` in `cwd` (the environment adds to this process's); resolves once it exits. */
export function runPulumi(args: string[], cwd: string, env: Record<string, string>, stdin = ""): Promise<PulumiResult> {
  return new Promise((done) => {
    const child = spawn(join(pulumiBinDir(), "pulumi"), args, { cwd, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.end(stdin);
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** A stack of a program copy, wired to an emulator. */
export interface E2EStack {
  stack: Stack;
  /** The program copy's directory. */
  dir: string;
  /** Environment of every CLI call. */
  env: Record<string, string>;
  /** Runs the `pulumi` CLI itself in the program directory; resolves with its exit code and output. */
  cli(args: string[]): Promise<PulumiResult>;
  /** `pulumi stack export` as text (plain: secrets stay encrypted). */
  exportText(): Promise<string>;
  /** Destroys nothing; removes the temporary folders. */
  dispose(): Promise<void>;
}

/** What a stack needs of an emulator: its URL and the dev service account's key (an in-process emulator, or one in a child process). */
export type EmulatorTarget = RunningEmulator | { url: string; devServiceAccountKey: unknown };

/**
 * Copies `programDir` under `root` (default .e2e/, inside the package, so `import "pulumi-tailer"` resolves)
 * and creates a stack for `emulator`.
 */
export async function createE2EStack(
  programDir: string,
  emulator: EmulatorTarget,
  config: Record<string, string> = {},
  secretConfig: Record<string, string> = {},
  root = join(REPO, ".e2e"),
): Promise<E2EStack> {
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, "program-"));
  cpSync(programDir, dir, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), "tailer-e2e-"));
  mkdirSync(join(scratch, "state"));
  mkdirSync(join(scratch, "home"));
  const env = offlineEnv(join(scratch, "state"), join(scratch, "home"));
  const pulumiCommand = await PulumiCommand.get({
    root: resolve(pulumiBinDir(), ".."),
    version: semver.parse(PULUMI_VERSION) ?? undefined,
  });
  const stack = await LocalWorkspace.createOrSelectStack({ stackName: "e2e", workDir: dir }, { envVars: env, pulumiCommand });
  await stack.setAllConfig({
    "tailer:apiUrl": { value: emulator.url },
    "tailer:credentials": {
      value: JSON.stringify("emulator" in emulator ? emulator.emulator.devServiceAccountKey : emulator.devServiceAccountKey),
      secret: true,
    },
    ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, { value: v }])),
    ...Object.fromEntries(Object.entries(secretConfig).map(([k, v]) => [k, { value: v, secret: true }])),
  });
  const cli = (args: string[]) => runPulumi([...args, "--stack", "e2e", "--non-interactive"], dir, env);
  return {
    stack,
    dir,
    env,
    cli,
    async exportText() {
      const result = await cli(["stack", "export"]);
      if (result.code !== 0) throw new Error(`pulumi stack export failed: ${result.stderr}`);
      return result.stdout;
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** What stackPerTest gives each test: the file's emulator, and the test's own stack. */
export interface StackPerTest {
  env(): RunningEmulator;
  e2e(): E2EStack;
}

/**
 * One emulator for the test file, and for each test a fresh world (the emulator reset) and a stack of
 * its own on `programDir`: no test depends on another's state or order. Registers the jest hooks.
 */
export function stackPerTest(programDir: string, { clockSpeed, seed }: { clockSpeed: number; seed: string }): StackPerTest {
  let env: RunningEmulator | undefined;
  let e2e: E2EStack | undefined;
  beforeAll(async () => {
    env = await startEmulator({ seed, clockSpeed });
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(async () => {
    await env?.admin.reset();
    e2e = await createE2EStack(programDir, env as RunningEmulator);
  });
  afterEach(async () => {
    await e2e?.dispose();
  });
  return { env: () => env as RunningEmulator, e2e: () => e2e as E2EStack };
}
