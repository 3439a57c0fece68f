/**
 * Python for end-to-end tests: a virtualenv with the `pulumi` SDK from PyPI at the CLI's version, made once per
 * machine and Python version under the cache folder (so CI pays the download once), and per-program copies of it
 * with extra packages, such as a generated SDK.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { PULUMI_PYTHON_SDK_VERSION } from "../../scripts/pulumi-cli";

const execFileAsync = promisify(execFile);

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

let sdkVirtualenv: Promise<string> | undefined;

/**
 * A virtualenv with `pulumi==<PULUMI_PYTHON_SDK_VERSION>` from PyPI, made on first use and then reused by every test run on this
 * machine: `<cache>/python/pulumi-<version>-py<X.Y>`. Treat it as read-only: give a program its own copy with
 * {@link createPythonVirtualenv}.
 */
export function pythonSdkVirtualenv(): Promise<string> {
  sdkVirtualenv ??= buildSdkVirtualenv();
  return sdkVirtualenv;
}

async function buildSdkVirtualenv(): Promise<string> {
  const pythonVersion = (await run(PYTHON, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])).trim();
  const target = join(cacheDir(), "python", `pulumi-${PULUMI_PYTHON_SDK_VERSION}-py${pythonVersion}`);
  const complete = (dir: string) => existsSync(join(dir, ".complete"));
  if (complete(target)) return target;
  mkdirSync(dirname(target), { recursive: true });
  // Built aside and renamed into place: a concurrent test file either wins the rename or finds the work done.
  const stage = mkdtempSync(`${target}.stage-`);
  try {
    await run(PYTHON, ["-m", "venv", stage]);
    await run(join(stage, "bin", "python"), [
      "-m",
      "pip",
      "install",
      "--disable-pip-version-check",
      `pulumi==${PULUMI_PYTHON_SDK_VERSION}`,
    ]);
    writeFileSync(join(stage, ".complete"), `pulumi==${PULUMI_PYTHON_SDK_VERSION}\n`);
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

/**
 * Makes the virtualenv of one program at `dir` (for `virtualenv: venv` in Pulumi.yaml: `<project>/venv`): a copy of
 * {@link pythonSdkVirtualenv} (hard links where the filesystem allows: pip and Python only ever add or replace files),
 * then `pip install <packages>`: requirement specifiers or paths, such as a generated Python SDK's folder.
 */
export async function createPythonVirtualenv(dir: string, packages: string[] = []): Promise<string> {
  const base = await pythonSdkVirtualenv();
  await run("cp", ["-al", base, dir]).catch(() => {
    rmSync(dir, { recursive: true, force: true }); // another filesystem: what cp -al left, then a real copy
    return run("cp", ["-a", base, dir]);
  });
  if (packages.length > 0) {
    await run(join(dir, "bin", "python"), ["-m", "pip", "install", "--disable-pip-version-check", ...packages]);
  }
  return dir;
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
