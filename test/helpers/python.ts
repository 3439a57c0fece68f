/**
 * Python for end-to-end tests: a virtualenv with the `pulumi` SDK from PyPI at the CLI's version, made once per
 * machine and Python version under the cache folder (so CI pays the download once), the same plus the generated
 * Python SDK (once per version of sdk/python), and per-program copies of them; Python projects of the native
 * provider wired to an emulator.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { digestOf, filesUnder } from "../../scripts/gen-sdk";
import { PULUMI_PYTHON_SDK_VERSION } from "../../scripts/pulumi-cli";
import { type RunningEmulator, startEmulator } from "./emulator";
import { installPlugin } from "./native";
import { createProgramStack, type ProgramStack } from "./programs";
import { WORLD_SEED } from "./provider";
import { REPO } from "./pulumi";

const execFileAsync = promisify(execFile);

/** The generated Python SDK, `pulumi_tailer` (`npm run gen-sdk` writes it). */
const PYTHON_SDK = join(REPO, "sdk", "python");

/** The python the language host uses outside a virtualenv, and that creates them. */
export const PYTHON = process.env.PULUMI_PYTHON_CMD || "python3";

/** The machine's cache folder for this project: $PULUMI_TAILER_CACHE, else $XDG_CACHE_HOME/pulumi-tailer, else ~/.cache/pulumi-tailer. */
export function cacheDir(): string {
  return process.env.PULUMI_TAILER_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pulumi-tailer");
}

/** Runs a command; its error carries the command line and what it printed. */
async function run(command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed: ${(error as Error).message}\n${stdout}${stderr}`);
  }
}

let pythonVersion: Promise<string> | undefined;

/** `X.Y` of {@link PYTHON}: virtualenvs are kept per Python version. */
function pythonMinorVersion(): Promise<string> {
  pythonVersion ??= run(PYTHON, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).then((v) => v.trim());
  return pythonVersion;
}

/**
 * The virtualenv at `target`, made by `make` when it is not complete: `make` fills a staging folder next to it, which
 * is then renamed into place (a concurrent test file either wins the rename or finds the work done).
 */
async function cachedVirtualenv(target: string, make: (stage: string) => Promise<void>): Promise<string> {
  const complete = (dir: string) => existsSync(join(dir, ".complete"));
  if (complete(target)) return target;
  mkdirSync(dirname(target), { recursive: true });
  const stage = mkdtempSync(`${target}.stage-`);
  try {
    await make(stage);
    writeFileSync(join(stage, ".complete"), "");
    try {
      renameSync(stage, target);
    } catch (error) {
      if (!complete(target)) throw error;
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return target;
}

/** `pip install <packages>` into the virtualenv at `dir`. */
async function pipInstall(dir: string, packages: string[]): Promise<void> {
  await run(join(dir, "bin", "python"), ["-m", "pip", "install", "--disable-pip-version-check", ...packages]);
}

/** Copies the virtualenv `base` to `dir`: hard links where the filesystem allows (pip and Python only ever add or replace files). */
async function copyVirtualenv(base: string, dir: string): Promise<string> {
  await run("cp", ["-al", base, dir]).catch(() => {
    rmSync(dir, { recursive: true, force: true }); // another filesystem: what cp -al left, then a real copy
    return run("cp", ["-a", base, dir]);
  });
  return dir;
}

let sdkVirtualenv: Promise<string> | undefined;

/**
 * A virtualenv with `pulumi==<PULUMI_PYTHON_SDK_VERSION>` (the CLI's version unless set) from PyPI, made on first use and then reused by every test run on this
 * machine: `<cache>/python/pulumi-<version>-py<X.Y>`. Treat it as read-only: give a program its own copy with
 * {@link createPythonVirtualenv}.
 */
export function pythonSdkVirtualenv(): Promise<string> {
  sdkVirtualenv ??= pythonMinorVersion().then((version) =>
    cachedVirtualenv(join(cacheDir(), "python", `pulumi-${PULUMI_PYTHON_SDK_VERSION}-py${version}`), async (stage) => {
      await run(PYTHON, ["-m", "venv", stage]);
      await pipInstall(stage, [`pulumi==${PULUMI_PYTHON_SDK_VERSION}`]);
    }),
  );
  return sdkVirtualenv;
}

/** The generated Python SDK's sources (sdk/python, without what pip or mypy leave next to them). */
function tailerSdkSources(): string[] {
  return filesUnder(PYTHON_SDK, ["__pycache__", "build", "dist", "pulumi_tailer.egg-info", ".mypy_cache"]);
}

let tailerVirtualenv: Promise<string> | undefined;

/**
 * {@link pythonSdkVirtualenv} plus the generated Python SDK, `pulumi_tailer`, pip-installed from the files this
 * repository generated (sdk/python, built from a copy: pip leaves build/ next to the sources it builds), made once per
 * version of those files: `<cache>/python/pulumi-<version>-py<X.Y>-tailer-<digest>`. Read-only, like its base.
 */
export function tailerSdkVirtualenv(): Promise<string> {
  tailerVirtualenv ??= (async () => {
    const base = await pythonSdkVirtualenv();
    return cachedVirtualenv(`${base}-tailer-${digestOf(tailerSdkSources())}`, async (stage) => {
      rmSync(stage, { recursive: true });
      await copyVirtualenv(base, stage);
      rmSync(join(stage, ".complete"));
      const sources = mkdtempSync(join(tmpdir(), "pulumi-tailer-python-sdk-"));
      try {
        for (const file of tailerSdkSources()) {
          mkdirSync(dirname(join(sources, relative(PYTHON_SDK, file))), { recursive: true });
          copyFileSync(file, join(sources, relative(PYTHON_SDK, file)));
        }
        await pipInstall(stage, [sources]);
      } finally {
        rmSync(sources, { recursive: true, force: true });
      }
    });
  })();
  return tailerVirtualenv;
}

/**
 * Makes the virtualenv of one program at `dir` (for `virtualenv: venv` in Pulumi.yaml: `<project>/venv`): a copy of
 * {@link pythonSdkVirtualenv}, then `pip install <packages>`: requirement specifiers or paths.
 */
export async function createPythonVirtualenv(dir: string, packages: string[] = []): Promise<string> {
  await copyVirtualenv(await pythonSdkVirtualenv(), dir);
  if (packages.length > 0) await pipInstall(dir, packages);
  return dir;
}

/** Makes the virtualenv of one program on the generated SDK at `dir`: a copy of {@link tailerSdkVirtualenv}, no pip run. */
export async function createTailerVirtualenv(dir: string): Promise<string> {
  return copyVirtualenv(await tailerSdkVirtualenv(), dir);
}

/** The files of a Python project: Pulumi.yaml (`runtime: python` with `toolchain: pip, virtualenv: venv`), requirements.txt, __main__.py. */
export function pythonProject(
  name: string,
  main: string,
  requirements: string[] = [`pulumi==${PULUMI_PYTHON_SDK_VERSION}`],
): Record<string, string> {
  return {
    "Pulumi.yaml": `name: ${name}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n`,
    "requirements.txt": `${requirements.join("\n")}\n`,
    "__main__.py": main,
  };
}

/** The files of the example `examples/<name>` (a project folder without subfolders), as a file map for createProgramStack. */
export function exampleFiles(name: string): Record<string, string> {
  const dir = join(REPO, "examples", name);
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => [entry.name, readFileSync(join(dir, entry.name), "utf8")]),
  );
}

/**
 * A Python project's stack wired to `emulator`: `tailer:apiUrl` (and `config`), `secretConfig` (by default the dev
 * service account's key as `tailer:credentials`), the generated SDK in its virtualenv, the plugin installed.
 */
export async function createPythonStack(
  emulator: RunningEmulator,
  files: Record<string, string>,
  secretConfig: Record<string, string> = { "tailer:credentials": JSON.stringify(emulator.emulator.devServiceAccountKey) },
  config: Record<string, string> = {},
): Promise<ProgramStack> {
  const stack = await createProgramStack(files, { config: { "tailer:apiUrl": emulator.url, ...config }, secretConfig });
  try {
    await createTailerVirtualenv(join(stack.dir, "venv"));
    installPlugin(stack);
    return stack;
  } catch (error) {
    stack.dispose();
    throw error;
  }
}

/** What {@link pythonTests} gives each test: a fresh emulator, and Python stacks on it, all closed after the test. */
export interface PythonTest {
  /** The test's emulator (the examples' world, 600 emulated seconds per second). */
  readonly env: RunningEmulator;
  /** {@link createPythonStack} on the test's emulator; the stack is disposed after the test. */
  stack(files: Record<string, string>, secretConfig?: Record<string, string>): Promise<ProgramStack>;
}

/** Gives each test of the file its own emulator and Python stacks ({@link PythonTest}): no state shared between tests. */
export function pythonTests(): PythonTest {
  let env: RunningEmulator | undefined;
  const stacks: ProgramStack[] = [];
  beforeEach(async () => {
    env = await startEmulator({ seed: WORLD_SEED, clockSpeed: 600 });
  });
  afterEach(async () => {
    for (const stack of stacks.splice(0)) stack.dispose();
    await env?.close();
    env = undefined;
  });
  const running = () => {
    if (env === undefined) throw new Error("pythonTests(): the emulator runs only during a test");
    return env;
  };
  return {
    get env() {
      return running();
    },
    async stack(files, secretConfig) {
      const stack = await createPythonStack(running(), files, secretConfig);
      stacks.push(stack);
      return stack;
    },
  };
}
