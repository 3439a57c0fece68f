/** Where things are: the repository (from dist/bench/lib/ or bench/lib/), the Pulumi CLI. */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** The repository root. */
export const REPO = findRepo(__dirname);

function findRepo(start: string): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "bench"))) return dir;
    dir = resolve(dir, "..");
  }
  throw new Error(`cannot find the repository above ${start}`);
}

/** The Pulumi CLI version the project pins. */
export const PULUMI_VERSION = "3.248.0";

let binDir: string | undefined;

/** The provisioned CLI's directory (scripts/ensure-pulumi.sh builds it once per machine, then answers at once). */
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
