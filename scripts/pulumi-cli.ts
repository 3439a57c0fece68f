/**
 * The provisioned Pulumi CLI, shared by the demo, the tests and the benchmarks: where it is, and the
 * environment that keeps it offline (file backend, no update check, no plugin download).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * The CLI version: `$PULUMI_VERSION`, as for scripts/ensure-pulumi.sh (the CI matrix sets it), else the one the
 * project pins (same as @pulumi/pulumi).
 */
export const PULUMI_VERSION = process.env.PULUMI_VERSION?.replace(/^v/, "") || "3.248.0";

/**
 * The `pulumi` Python SDK the Python tests install from PyPI: `$PULUMI_PYTHON_SDK_VERSION` (PyPI's releases lag the
 * CLI's: the CI matrix names the newest it serves), else the CLI's version.
 */
export const PULUMI_PYTHON_SDK_VERSION = process.env.PULUMI_PYTHON_SDK_VERSION?.trim() || PULUMI_VERSION;

/** The repository root, from scripts/ (sources) or dist/scripts/ (built). */
export const REPO = [resolve(__dirname, ".."), resolve(__dirname, "..", "..")].find((dir) =>
  existsSync(join(dir, "scripts", "ensure-pulumi.sh")),
) as string;

let binDir: string | undefined;

/** The provisioned CLI's directory: scripts/ensure-pulumi.sh builds it once per machine, then answers at once. */
export function pulumiBinDir(): string {
  binDir ??=
    process.env.PULUMI_TAILER_BIN_DIR ??
    execFileSync("bash", [join(REPO, "scripts", "ensure-pulumi.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
      .trim()
      .split("\n")
      .pop();
  if (!binDir) throw new Error("scripts/ensure-pulumi.sh printed no bin directory");
  return binDir;
}

/** Environment for an offline CLI: state in `stateDir`, `PULUMI_HOME` in `home`, the provisioned CLI first on PATH. */
export function offlinePulumiEnv(stateDir: string, home: string, passphrase: string): Record<string, string> {
  return {
    PATH: `${pulumiBinDir()}:${process.env.PATH ?? ""}`,
    // metadata=skip: no `.attrs` sidecar beside each state file. gocloud's fileblob writes the sidecar in place
    // (truncate, then write), so a pulumi killed at that moment left it empty and every later command failed
    // "failed to load checkpoint: EOF" (the chaos test's killed runners did, once). A bucket has no sidecars.
    PULUMI_BACKEND_URL: `file://${stateDir}?metadata=skip`,
    PULUMI_HOME: home,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}
