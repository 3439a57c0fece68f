/**
 * The emulator in its own process (the `tailer-emulator` CLI from dist/), as a user runs it: its CPU
 * and memory are its own, apart from the benchmark's and Pulumi's.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { AdminClient } from "pulumi-tailer/emulator";
import { REPO } from "./paths";
import { peakRssKb } from "./proc";

/** A running emulator process. */
export interface EmulatorProcess {
  url: string;
  pid: number;
  adminToken: string;
  admin: AdminClient;
  /** The state folder (database, dev key). */
  stateDir: string;
  /** The dev service account's key JSON: what a deployer's key file would hold. */
  devKeyJson: string;
  /** Peak RSS so far, KiB. */
  peakRssKb(): number | undefined;
  stop(): Promise<void>;
}

/** Options of startEmulatorProcess. */
export interface EmulatorProcessOptions {
  /** State folder; the database is a file in it (persistence on). */
  stateDir: string;
  /** The seed, written to the state folder. */
  seed: unknown;
  clockSpeed?: number;
  /** PEM files: serve HTTPS with HTTP/2. */
  tls?: { certFile: string; keyFile: string; cert: string };
}

/** Starts `node dist/emulator/cli.js start` on a free port and waits for its ready line. */
export async function startEmulatorProcess(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
  const seedFile = join(options.stateDir, "seed.json");
  writeFileSync(seedFile, JSON.stringify(options.seed));
  const args = [
    join(REPO, "dist", "emulator", "cli.js"),
    "start",
    "--port",
    "0",
    "--ready-json",
    "--quiet",
    "--state-dir",
    options.stateDir,
    "--db",
    join(options.stateDir, "state.db"),
    "--seed",
    seedFile,
    "--clock-speed",
    String(options.clockSpeed ?? 1),
    ...(options.tls ? ["--tls-cert", options.tls.certFile, "--tls-key", options.tls.keyFile] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  const ready = await new Promise<{ url: string; admin_token: string; pid: number }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`the emulator printed ${line}`));
      }
    });
    child.once("exit", (code) => reject(new Error(`the emulator exited (${code}) before it was ready: ${stderr}`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const admin = new AdminClient(ready.url, ready.admin_token, options.tls ? { ca: options.tls.cert } : {});
  return {
    url: ready.url,
    pid: ready.pid,
    adminToken: ready.admin_token,
    admin,
    stateDir: options.stateDir,
    devKeyJson: readFileSync(join(options.stateDir, "dev-service-account.json"), "utf8"),
    peakRssKb: () => peakRssKb(ready.pid),
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The benchmark's world: `count` table-to-table configurations with three past runs each, and a job configuration. */
export function benchWorld(count: number): unknown {
  const configurations: unknown[] = [];
  const runs: unknown[] = [];
  const day = Date.UTC(2026, 0, 5);
  for (let i = 0; i < count; i++) {
    const id = `000099_bench_${String(i).padStart(4, "0")}_DEV`;
    configurations.push({ account: "000099", environment: "DEV", configuration_type: "table-to-table", configuration_id: id });
    for (let r = 0; r < 3; r++) {
      const start = new Date(day + (r * 86_400 + i) * 1000);
      const stamp = start.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
      runs.push({
        account: "000099",
        environment: "DEV",
        configuration_type: "table-to-table",
        configuration_id: id,
        run_id: `${stamp}-${hex(i, r)}`,
        status: "SUCCESS",
        start_execution_date: start.toISOString().replace("Z", "+00:00"),
        duration: "0:01:00",
      });
    }
  }
  configurations.push({
    account: "000099",
    environment: "DEV",
    configuration_type: "table-to-table",
    configuration_id: "000099_bench_job_DEV",
    max_active_runs: null,
  });
  return { description: "pulumi-tailer benchmarks", configurations, runs };
}

/** A uuid4-shaped id, deterministic per configuration and run. */
function hex(i: number, r: number): string {
  const n = (i * 7919 + r * 104729 + 1).toString(16).padStart(12, "0").slice(-12);
  return `00000000-0000-4000-8000-${n}`;
}
