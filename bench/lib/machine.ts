/** The machine and the versions the figures were measured with. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { pulumiBinDir, REPO } from "./paths";

/** What latest.md and latest.json record about the run's environment. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  /** 1-minute load average when the run started (the machine is shared). */
  loadAverageAtStart: number;
  os: string;
  node: string;
  pulumiCli: string;
  /** The CLI's default --parallel on this machine (from `pulumi up --help`). */
  pulumiDefaultParallel: number | null;
  packages: Record<string, string>;
  gitCommit: string;
}

function tryRun(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

function installedVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(REPO, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

/** HEAD, marked when the measured code (provider, emulator, bench) differs from it. */
function gitCommit(): string {
  const head = tryRun("git", ["-C", REPO, "rev-parse", "--short", "HEAD"]);
  const dirty = tryRun("git", ["-C", REPO, "status", "--porcelain", "--", "provider", "emulator", "bench"]);
  return dirty && dirty !== "unknown" ? `${head} (with uncommitted changes)` : head;
}

function defaultParallel(): number | null {
  const help = tryRun(join(pulumiBinDir(), "pulumi"), ["up", "--help"]);
  const match = /--parallel\b.*\(default (\d+)\)/.exec(help);
  return match ? Number(match[1]) : null;
}

/** Collects the machine's description. */
export function machineInfo(): MachineInfo {
  const own = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { name: string; version: string };
  let os = `${process.platform} ${process.arch}`;
  try {
    const release = readFileSync("/etc/os-release", "utf8");
    os = `${/^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? os}, kernel ${tryRun("uname", ["-r"])}`;
  } catch {
    // not Linux: keep platform and arch
  }
  return {
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    os,
    node: process.versions.node,
    pulumiCli: tryRun(join(pulumiBinDir(), "pulumi"), ["version"]).replace(/^v/, ""),
    pulumiDefaultParallel: defaultParallel(),
    packages: {
      [own.name]: own.version,
      "@pulumi/pulumi": installedVersion("@pulumi/pulumi"),
      undici: installedVersion("undici"),
      "better-sqlite3": installedVersion("better-sqlite3"),
      "google-auth-library": installedVersion("google-auth-library"),
      zod: installedVersion("zod"),
      typescript: installedVersion("typescript"),
      curl: tryRun("curl", ["--version"]).split("\n")[0]?.split(" ")[1] ?? "unknown",
    },
    gitCommit: gitCommit(),
  };
}
