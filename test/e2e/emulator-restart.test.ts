/**
 * The emulator killed with SIGKILL while a run is in flight and restarted on the same database: nothing
 * is lost, the run goes on to its terminal status, and the `pulumi up` waiting for it (its client
 * retrying the connection) finishes as if nothing happened.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdminClient } from "../../emulator";
import { WORLD_SEED } from "../helpers/provider";
import { createE2EStack, type E2EStack, REPO } from "../helpers/pulumi";

jest.setTimeout(300_000);

const ADMIN_TOKEN = "e2e-restart-admin-token";
const load = {
  account: "000099",
  environment: "DEV" as const,
  configuration_type: "table-to-table" as const,
  configuration_id: "000099_sales_load_DEV",
};
const stateDir = mkdtempSync(join(tmpdir(), "tailer-restart-"));
let emulator: ChildProcess | undefined;
let e2e: E2EStack;

/** Starts the emulator CLI on `port` (0: any) with the database in stateDir; resolves with its URL. */
function startEmulatorProcess(port: number): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      join(REPO, "dist", "emulator", "cli.js"),
      "start",
      "--port",
      String(port),
      "--state-dir",
      stateDir,
      "--db",
      join(stateDir, "state.db"),
      "--seed",
      WORLD_SEED,
      "--clock-speed",
      "60",
      "--admin-token",
      ADMIN_TOKEN,
      "--ready-json",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  emulator = child;
  return new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout?.on("data", (d) => {
      buffer += d;
      const line = buffer.split("\n").find((l) => l.includes('"event":"ready"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.on("exit", (code) => reject(new Error(`the emulator exited with ${code} before it was ready`)));
  });
}

afterAll(async () => {
  emulator?.kill("SIGKILL");
  await e2e?.dispose();
  rmSync(stateDir, { recursive: true, force: true });
});

test("SIGKILL of the emulator mid-run, restart on the same database: the run ends SUCCESS and up succeeds", async () => {
  const url = await startEmulatorProcess(0);
  const port = Number(new URL(url).port);
  const admin = new AdminClient(url, ADMIN_TOKEN);
  const devServiceAccountKey = JSON.parse(readFileSync(join(stateDir, "dev-service-account.json"), "utf8"));
  e2e = await createE2EStack(
    join(REPO, "test", "e2e", "programs", "jobs"),
    { url, devServiceAccountKey },
    { "tailer:retryMaxAttempts": "10" },
  );
  await admin.scriptLaunches(load, [{ duration: "0:05:00", outcome: "SUCCESS" }]); // 5 s real

  const up = e2e.stack.up();
  const deadline = Date.now() + 60_000;
  let running: string | undefined;
  while (!running && Date.now() < deadline) {
    running = (await admin.listRuns(load)).find((r) => r.status === "RUNNING")?.run_id;
    if (!running) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(running).toBeDefined();

  emulator?.kill("SIGKILL");
  await new Promise((resolve) => emulator?.once("exit", resolve));
  await new Promise((resolve) => setTimeout(resolve, 500));
  await startEmulatorProcess(port);

  const result = await up;
  expect(result.outputs.runId?.value).toBe(running);
  expect(result.outputs.status?.value).toBe("SUCCESS");
  const runs = await admin.listRuns(load);
  expect(runs.map((r) => [r.run_id, r.status])).toEqual([[running, "SUCCESS"]]);
});
