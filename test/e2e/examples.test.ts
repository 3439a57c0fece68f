/** Each example under examples/ runs against the emulator with the real CLI, as its README says. */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as semver from "semver";
import { launchOutsidePulumi, type RunningEmulator, startEmulator } from "../helpers/emulator";
import { SALES_LOAD_DEV, WORLD_SEED } from "../helpers/provider";
import { createE2EStack, type E2EStack, PULUMI_VERSION, REPO } from "../helpers/pulumi";
import { exampleFiles, pythonTests } from "../helpers/python";

jest.setTimeout(300_000);

let env: RunningEmulator;
const stacks: E2EStack[] = [];

// Each test has its own emulator and stacks: none reads what another left.
beforeEach(async () => {
  env = await startEmulator({ seed: WORLD_SEED, clockSpeed: 600 });
});
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.dispose()));
  await env?.close();
});

async function stackFor(example: string, config: Record<string, string> = {}, withCredentials = true) {
  const stack = await createE2EStack(join(REPO, "examples", example), env, config);
  if (!withCredentials) await stack.stack.removeConfig("tailer:credentials");
  stacks.push(stack);
  return stack;
}

/** A run of the configuration, launched as Tailer's scheduler would, and over. */
async function launch(configurationId: string, environment: "DEV" | "PROD" = "DEV") {
  await launchOutsidePulumi(env, {
    account: "000099",
    environment,
    configuration_type: "table-to-table",
    configuration_id: configurationId,
  });
  await env.admin.advanceClock(600);
}

describe("deployment-gate", () => {
  const prod = {
    account: "000099",
    environment: "PROD" as const,
    configuration_type: "table-to-table" as const,
    configuration_id: "000099_sales_load_PROD",
  };

  test("closed: the preview fails naming the DEV run, and PROD is left as it is", async () => {
    const gate = await stackFor("deployment-gate");
    // The emulator is this file's: another test may have activated PROD before; the gate must leave it as it finds it.
    const prodBefore = (await env.admin.listConfigurations(prod))[0]?.activated;
    await env.admin.clearRequests();
    await env.admin.scriptLaunches({ ...prod, environment: "DEV", configuration_id: "000099_sales_load_DEV" }, [
      { duration: 10, outcome: "FAILED" },
    ]);
    await launch("000099_sales_load_DEV");
    const error = await gate.stack.preview().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/Deployment gate closed: the last DEV run of 000099_sales_load_DEV ended FAILED \(run \d{8}-/);
    const failedUp = await gate.stack.up().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failedUp?.message).toMatch(/Deployment gate closed: the last DEV run of 000099_sales_load_DEV ended FAILED/);
    expect((await env.admin.listConfigurations(prod))[0]?.activated).toBe(prodBefore);
    expect(await env.admin.requests({ action: "set_configuration_status" })).toEqual([]);
  });

  test("open: after a successful DEV run, up activates PROD", async () => {
    const gate = await stackFor("deployment-gate");
    await launch("000099_sales_load_DEV");
    const up = await gate.stack.up();
    expect(up.outputs.prodActivated?.value).toBe(true);
    expect((await env.admin.listConfigurations(prod))[0]?.activated).toBe(true);
  });
});

describe("deployment-pipeline", () => {
  function ci(stack: E2EStack, ...args: string[]): Promise<{ code: number; output: string }> {
    return new Promise((done) => {
      // ci.sh runs `pulumi` from PATH in its own folder, as a CI job would.
      const child = spawn("bash", [join(stack.dir, "ci.sh"), ...args], { env: { ...process.env, ...stack.env } });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      child.on("close", (code) => done({ code: code ?? -1, output }));
    });
  }

  test("deploy, then the scheduled drift check passes; drift fails it; deploy repairs it", async () => {
    const pipeline = await stackFor("deployment-pipeline", { "pipeline:release": "2026.11.1", "pipeline:environment": "DEV" });
    const deploy = await ci(pipeline, "deploy", "e2e");
    expect(deploy.output).toContain("ci: e2e deployed");
    expect(deploy.code).toBe(0);
    expect((await ci(pipeline, "drift-check", "e2e")).code).toBe(0);

    await env.admin.advanceClock(5);
    await env.admin.updateConfiguration({
      account: "000099",
      environment: "DEV",
      configuration_type: "table-to-table",
      configuration_id: "000099_sales_aggregate_DEV",
      activated: false,
    });
    await launch("000099_sales_aggregate_DEV");
    const drift = await ci(pipeline, "drift-check", "e2e");
    expect(drift.code).toBe(1);
    expect(drift.output).toMatch(/DRIFT on e2e/);
    expect(drift.output).toMatch(/activated/);

    expect((await ci(pipeline, "deploy", "e2e")).code).toBe(0);
    expect((await ci(pipeline, "drift-check", "e2e")).code).toBe(0);
  });
});

describe("service-account-auth", () => {
  const scratch = mkdtempSync(join(tmpdir(), "tailer-auth-example-"));

  test("with a key file: up succeeds, and neither the key nor a token reaches the state", async () => {
    const keyFile = join(scratch, "deployer.json");
    writeFileSync(keyFile, JSON.stringify(env.emulator.devServiceAccountKey));
    const example = await stackFor("service-account-auth", { "tailer:credentialsFile": keyFile }, false);
    const up = await example.stack.up();
    expect(up.outputs.statusSetAt?.value).toEqual(expect.any(String));
    const exported = await example.exportText();
    const key = env.emulator.devServiceAccountKey as { private_key: string; private_key_id: string };
    expect(exported).not.toContain(key.private_key_id);
    expect(exported).not.toContain(key.private_key.split("\n")[1]);
    expect(exported).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  });

  test("with a token command (tailer auth get-token's output): up succeeds", async () => {
    const script = join(scratch, "get-token.sh");
    writeFileSync(script, `#!/bin/sh\necho "Tailer SDK"\necho ""\necho "User token : ${env.emulator.mintToken()}"\n`);
    chmodSync(script, 0o755);
    const example = await stackFor("service-account-auth", { "tailer:tokenCommand": script }, false);
    const up = await example.stack.up();
    expect(up.summary.result).toBe("succeeded");
  });
});

describe("python-quickstart", () => {
  const python = pythonTests(); // an emulator of its own per test: the other examples' runs and drift do not reach it

  /** The example's virtualenv, as the test makes it: PyPI's pulumi at the CLI's version, and this repository's SDK. */
  test("its requirements.txt asks for what its test installs: PyPI's pulumi and this repository's SDK", () => {
    const lines = exampleFiles("python-quickstart")["requirements.txt"]?.split("\n") ?? [];
    const requirements = lines.filter((line) => line && !line.startsWith("#"));
    expect(requirements).toEqual(["pulumi>=3.248.0,<4.0.0", "../../sdk/python"]); // pip reads the path from the example's folder
    expect(semver.satisfies(PULUMI_VERSION, ">=3.248.0 <4.0.0")).toBe(true);
    expect(resolve(REPO, "examples", "python-quickstart", "../../sdk/python")).toBe(join(REPO, "sdk", "python"));
  });

  test("up runs the load once per release and reads its last success back, a refreshed preview shows no change, destroy disables the aggregate", async () => {
    const own = python.env;
    const stack = await python.stack(exampleFiles("python-quickstart"));
    const ok = async (args: string[]) => {
      const result = await stack.pulumi(args);
      if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${result.code}):\n${result.stdout}${result.stderr}`);
    };
    const activated = async (configuration_type: "table-to-table" | "table-to-storage", configuration_id: string) =>
      (await own.admin.listConfigurations({ ...SALES_LOAD_DEV, configuration_type, configuration_id }))[0]?.activated;
    await ok(["up", "--yes"]);
    const first = await stack.outputs();
    expect(first).toMatchObject({ load_run_status: "SUCCESS", load_run_duration: expect.any(String) });
    expect(first.last_success_run_id).toBe(first.load_run_id);
    expect(await activated("table-to-table", "000099_sales_load_DEV")).toBe(true);
    expect(await activated("table-to-table", "000099_sales_aggregate_DEV")).toBe(true);
    expect(await activated("table-to-storage", "000099_sales_export")).toBe(false);
    await ok(["preview", "--refresh", "--expect-no-changes"]);

    await ok(["config", "set", "quickstart:release", "2026.11.2"]);
    await ok(["up", "--yes"]);
    const second = await stack.outputs();
    expect(second.load_run_id).not.toBe(first.load_run_id);
    expect(second.last_success_run_id).toBe(second.load_run_id);
    expect(await own.admin.listRuns(SALES_LOAD_DEV)).toHaveLength(2);

    await ok(["destroy", "--yes"]);
    expect(await activated("table-to-table", "000099_sales_aggregate_DEV")).toBe(false);
    expect(await activated("table-to-table", "000099_sales_load_DEV")).toBe(true);
  });
});
