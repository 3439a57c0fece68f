/**
 * The command-line path users type in a pipeline, on the root project (the quickstart): `pulumi up --yes`
 * and `pulumi preview --refresh --expect-no-changes` as a drift gate, judged by their exit codes.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchOutsidePulumi, type RunningEmulator, startEmulator } from "../helpers/emulator";
import { WORLD_SEED } from "../helpers/provider";
import { offlineEnv, pulumiBinDir, REPO } from "../helpers/pulumi";

jest.setTimeout(300_000);

let env: RunningEmulator;
let scratch: string;
let configFile: string;
let vars: Record<string, string>;

function pulumi(args: string[], stdin?: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(join(pulumiBinDir(), "pulumi"), [...args, "--stack", "cli", "--non-interactive", "--cwd", REPO], {
      env: { ...process.env, ...vars },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.stdin.end(stdin ?? "");
    child.on("close", (code) => done({ code: code ?? -1, output }));
  });
}

// Each test has its own emulator and stack (tests run in random order): the gates deploy first themselves.
beforeEach(async () => {
  env = await startEmulator({ seed: WORLD_SEED, clockSpeed: 600 });
  scratch = mkdtempSync(join(tmpdir(), "tailer-cli-"));
  mkdirSync(join(scratch, "state"));
  mkdirSync(join(scratch, "home"));
  // The stack's config lives outside the repository: --config-file.
  configFile = join(scratch, "Pulumi.cli.yaml");
  vars = offlineEnv(join(scratch, "state"), join(scratch, "home"));
  expect((await pulumi(["stack", "init"])).code).toBe(0);
  // stack init writes the passphrase salt next to Pulumi.yaml; move it out with the rest of the config.
  renameSync(join(REPO, "Pulumi.cli.yaml"), configFile);
  expect((await pulumi(["config", "set", "tailer:apiUrl", env.url, "--config-file", configFile])).code).toBe(0);
  const key = JSON.stringify(env.emulator.devServiceAccountKey);
  expect((await pulumi(["config", "set", "--secret", "tailer:credentials", "--config-file", configFile], key)).code).toBe(0);
});

afterEach(async () => {
  await pulumi(["destroy", "--yes", "--config-file", configFile]);
  await pulumi(["stack", "rm", "--yes", "--force"]);
  rmSync(scratch, { recursive: true, force: true });
  await env?.close();
});

test("pulumi up --yes exits 0 and prints the run's progress and outputs", async () => {
  const { code, output } = await pulumi(["up", "--yes", "--config-file", configFile]);
  expect(code).toBe(0);
  expect(output).toMatch(/launched run \d{8}-\d{6}-\S+ of 000099_sales_load_DEV/);
  expect(output).toMatch(/loadRunStatus\s*: "SUCCESS"/);
});

test("the drift gate passes (exit 0) when nothing changed", async () => {
  expect((await pulumi(["up", "--yes", "--config-file", configFile])).code).toBe(0);
  const { code } = await pulumi(["preview", "--refresh", "--expect-no-changes", "--config-file", configFile]);
  expect(code).toBe(0);
});

test("the drift gate fails (non-zero) and names the drift after a change in Tailer Studio", async () => {
  const aggregate = {
    account: "000099",
    environment: "DEV" as const,
    configuration_type: "table-to-table" as const,
    configuration_id: "000099_sales_aggregate_DEV",
  };
  expect((await pulumi(["up", "--yes", "--config-file", configFile])).code).toBe(0);
  await env.admin.advanceClock(5);
  await env.admin.updateConfiguration({ ...aggregate, activated: false });
  await launchOutsidePulumi(env, aggregate);
  const { code, output } = await pulumi(["preview", "--refresh", "--expect-no-changes", "--config-file", configFile]);
  expect(code).not.toBe(0);
  expect(output).toMatch(/sales-aggregate update \[diff: ~activated\]/);
  expect(output).toMatch(/no changes were expected/);
});
