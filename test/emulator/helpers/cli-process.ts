/**
 * Runs the real `tailer-emulator` CLI in child processes.
 *
 * How: the emulator's sources (and the shared rules it imports from
 * provider/client and provider/core) are transpiled once per test run with the
 * TypeScript compiler API (`transpileModule`: no type-check, no tsconfig, no
 * dist/ touched, about a second) into a temporary folder, and `node` runs that
 * folder's emulator/cli.js with NODE_PATH pointing at the repository's
 * node_modules. Type-checking stays with `tsc --noEmit`; this is only the build.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..", "..");
let built: string | undefined;

/** Transpiles the emulator once; returns the path of cli.js. */
export function buildCli(): string {
  if (built) return built;
  const out = mkdtempSync(path.join(os.tmpdir(), "emu-cli-build-"));
  // The emulator, and the shared rules it imports (provider/client, and the core they build on).
  const sources = ["emulator", path.join("provider", "client"), path.join("provider", "core")].flatMap((dir) =>
    readdirSync(path.join(ROOT, dir))
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
      .map((f) => path.join(dir, f)),
  );
  for (const rel of sources) {
    const source = readFileSync(path.join(ROOT, rel), "utf8");
    const js = ts.transpileModule(source, {
      fileName: rel,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true },
    }).outputText;
    mkdirSync(path.join(out, path.dirname(rel)), { recursive: true });
    writeFileSync(path.join(out, rel.replace(/\.ts$/, ".js")), js);
  }
  mkdirSync(path.join(out, "emulator", "seeds"), { recursive: true });
  for (const f of readdirSync(path.join(ROOT, "emulator", "seeds"))) {
    copyFileSync(path.join(ROOT, "emulator", "seeds", f), path.join(out, "emulator", "seeds", f));
  }
  built = path.join(out, "emulator", "cli.js");
  return built;
}

const env = () => ({ ...process.env, NODE_PATH: path.join(ROOT, "node_modules") });

/** Runs the CLI to completion (for help, token, usage errors), with `extraEnv` added to the environment. */
export function runCli(
  args: string[],
  cwd = os.tmpdir(),
  extraEnv: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [buildCli(), ...args], { cwd, env: { ...env(), ...extraEnv }, encoding: "utf8", timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A `tailer-emulator start` child that printed its ready line. */
export interface CliServer {
  child: ChildProcess;
  url: string;
  adminToken: string;
  pid: number;
  /** What it printed up to its ready line: the JSON line, or with `banner` the banner. */
  banner: string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the child is gone. */
  exited: Promise<number | string>;
}

const running = new Set<ChildProcess>();

/**
 * Starts `tailer-emulator start --port 0 --ready-json ...args` and waits for its ready line; with `banner`,
 * without --ready-json, waiting for the banner's `READY <url>` line (the admin token read from the banner).
 * With `extraEnv` (added to the environment) holding TAILER_EMULATOR_URL, without --port 0.
 */
export function startCli(
  args: string[],
  cwd = os.tmpdir(),
  { banner = false, extraEnv = {} as Record<string, string> } = {},
): Promise<CliServer> {
  const port = extraEnv.TAILER_EMULATOR_URL === undefined ? ["--port", "0"] : [];
  const child = spawn(process.execPath, [buildCli(), "start", ...port, ...(banner ? [] : ["--ready-json"]), ...args], {
    cwd,
    env: { ...env(), ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? "unknown");
    });
  });
  const server = (url: string, adminToken: string, pid: number): CliServer => ({
    child,
    url,
    adminToken,
    pid,
    banner: stdout,
    stderr: () => stderr,
    exited,
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (c: Buffer) => {
      stdout += c.toString();
      if (banner) {
        const ready = /^READY (\S+)$/m.exec(stdout);
        const adminToken = /admin token: (\S+)/.exec(stdout);
        if (ready?.[1] && adminToken?.[1]) resolve(server(ready[1], adminToken[1], child.pid ?? 0));
        return;
      }
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      const ready = JSON.parse(line) as { event: string; url: string; admin_token: string; pid: number };
      resolve(server(ready.url, ready.admin_token, ready.pid));
    });
    void exited.then((code) => reject(new Error(`tailer-emulator exited (${code}) before it was ready:\n${stderr}`)));
  });
}

/** Removes the transpiled build (call in afterAll). */
export function removeBuild(): void {
  if (built) rmSync(path.dirname(path.dirname(built)), { recursive: true, force: true });
  built = undefined;
}

/** Kills (SIGKILL) every child still running: test cleanup. */
export async function killAllCli(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          c.once("exit", () => resolve());
          c.kill("SIGKILL");
        }),
    ),
  );
}

/** Fails with the fix when curl is missing: the docs' examples are curl commands, and they are run as written. */
export function requireCurl(): void {
  if (spawnSync("curl", ["--version"], { encoding: "utf8" }).status !== 0)
    throw new Error("curl is not installed: the seed pages' examples run through it; install curl (apt-get install curl)");
}
