/**
 * The drift table with the real CLI (test/helpers/driftRows.ts; the provider-level test runs the same rows):
 * per row a stack declaring a configuration of its own, `pulumi up`, what happens in Tailer Studio, then
 * `pulumi preview --refresh --expect-no-changes` (exit code and printed line), `pulumi refresh` (the
 * refreshed outputs in state), and what `pulumi up` sends without and with `enforce: "always"`.
 * Rows run side by side; those without the API's Date header on an emulator of their own.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { DRIFT_ROWS, type DriftRow, studioOn } from "../helpers/driftRows";
import { launchOutsidePulumi, type RunningEmulator, startEmulator, type WireIdentity } from "../helpers/emulator";
import { SALES_LOAD_DEV, WORLD_SEED } from "../helpers/provider";
import { createE2EStack, type E2EStack, REPO } from "../helpers/pulumi";

jest.setTimeout(600_000);

const PROGRAM = join(REPO, "test", "e2e", "programs", "drift");
const SKEW_CLOCK = join(REPO, "test", "helpers", "skew-clock.js");

/** Real time (runs stay RUNNING; the rows move the clock themselves); one emulator answers without a Date header. */
let dated: RunningEmulator;
let undated: RunningEmulator;
const stacks: E2EStack[] = [];
beforeAll(async () => {
  [dated, undated] = await Promise.all([startEmulator({ seed: WORLD_SEED }), startEmulator({ seed: WORLD_SEED })]);
  await undated.admin.setDateHeader(false);
});
afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.dispose()));
  await Promise.all([dated?.close(), undated?.close()]);
});

/** A row's stack, on a configuration of its own, and the CLI on it. */
async function rowStack(env: RunningEmulator, row: DriftRow, index: number) {
  const configuration: WireIdentity = { ...SALES_LOAD_DEV, configuration_id: `000099_drift_${index}_DEV` };
  await env.admin.putConfigurations([{ ...configuration, run: { duration: "0:01:00", outcome: "SUCCESS" } }]);
  const config: Record<string, string> = { "drift:configurationId": configuration.configuration_id };
  if (row.declared.activated !== undefined) config["drift:activated"] = String(row.declared.activated);
  if (row.declared.archived !== undefined) config["drift:archived"] = String(row.declared.archived);
  const stack = await createE2EStack(PROGRAM, env, config);
  stacks.push(stack);
  const cli = async (args: string[]) => {
    const result = await stack.cli(args);
    return { code: result.code, output: result.stdout + result.stderr };
  };
  const ok = async (args: string[]) => {
    const { code, output } = await cli(args);
    if (code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${code}):\n${output}`);
    return output;
  };
  /** The configuration status's outputs in state, or undefined when state has none. */
  const outputsInState = async () => {
    const { deployment } = JSON.parse(await stack.exportText());
    const resources = deployment.resources as { type: string; outputs: Record<string, unknown> }[];
    return resources.find((r) => r.type.endsWith("tailer:ConfigurationStatus"))?.outputs;
  };
  const setCalls = async () =>
    (await env.admin.requests({ action: "set_configuration_status" })).filter((e) => e.configuration_id === configuration.configuration_id)
      .length;
  /** set_configuration_status calls of `pulumi up --yes` with `args`, and whether it failed. */
  const upSends = async (...args: string[]) => {
    const before = await setCalls();
    const { code } = await cli(["up", "--yes", ...args]);
    return { calls: (await setCalls()) - before, upFails: code !== 0 };
  };
  /** This machine's clock `ms` off the API's, in every process the CLI starts (the program and the provider). */
  const skewLocalClock = async (ms: number) => {
    const offset = (await env.admin.clock()).now_us / 1000 - Date.now() + ms;
    stack.env.NODE_OPTIONS = `--require ${SKEW_CLOCK}`;
    stack.env.TAILER_TEST_CLOCK_SKEW_MS = String(Math.round(offset));
  };
  return { configuration, cli, ok, outputsInState, upSends, skewLocalClock };
}

const rows = DRIFT_ROWS.map((row, index) => [row.name, row, index] as const);

test.concurrent.each(rows)("%s", async (_name, row, index) => {
  const env = row.clock ? undated : dated;
  const { configuration, cli, ok, outputsInState, upSends, skewLocalClock } = await rowStack(env, row, index);
  let setAt = "";
  const studio = studioOn(env, configuration, () => setAt, skewLocalClock);
  await row.before?.(studio);
  await row.clock?.(studio);
  await ok(["up", "--yes"]);
  if (row.needsStatusSetAt) setAt = String((await outputsInState())?.statusSetAt);
  await row.after?.(studio);

  // The drift gate: its exit code, and the line saying what the refresh found.
  const gate = await cli(["preview", "--refresh", "--expect-no-changes", "--diff"]);
  const lines = gate.output.split("\n").filter((line) => line.includes(`tailer: ${configuration.configuration_id}`));
  expect({ previewFails: gate.code !== 0, lines }).toEqual({
    previewFails: row.previewFails,
    lines: row.line ? [expect.stringMatching(row.line(configuration.configuration_id))] : [],
  });

  // The refreshed outputs, as `pulumi refresh` records them.
  await ok(["refresh", "--yes"]);
  const refreshed = await outputsInState();
  if (row.refreshed === "gone") expect(refreshed).toBeUndefined();
  else expect(refreshed).toMatchObject(row.refreshed);

  // up without enforce sends what the evidence calls for; with enforce "always", exactly one call.
  expect(await upSends()).toEqual({ calls: row.upSends, upFails: row.refreshed === "gone" });
  expect(await upSends("--config", "drift:enforce=always")).toEqual({ calls: 1, upFails: row.refreshed === "gone" });
});

test("enforce: always shows in every plan as an update of each configuration, and each up sends it once", async () => {
  const row: DriftRow = { name: "enforce", declared: {}, refreshed: {}, previewFails: true, upSends: 1 };
  const { cli, ok, upSends } = await rowStack(dated, row, DRIFT_ROWS.length);
  await ok(["config", "set", "drift:enforce", "always"]);
  await ok(["up", "--yes"]);
  const plan = await cli(["preview", "--refresh", "--expect-no-changes", "--diff"]);
  expect(plan.code).not.toBe(0);
  expect(plan.output).toMatch(/~ pulumi-nodejs:dynamic\/tailer:ConfigurationStatus: \(update\)/);
  expect(plan.output).toMatch(/~ 1 to update/);
  expect(await upSends()).toEqual({ calls: 1, upFails: false });
  expect(await upSends()).toEqual({ calls: 1, upFails: false });
});

describe("examples/deployment-pipeline: ci.sh drift-check fails on statuses unverified past the limit", () => {
  /** Runs ci.sh as a CI job would (`pulumi` from PATH, in the example's folder), with `vars`. */
  function ci(stack: E2EStack, vars: Record<string, string>, ...args: string[]): Promise<{ code: number; output: string }> {
    return new Promise((done) => {
      const child = spawn("bash", [join(stack.dir, "ci.sh"), ...args], { env: { ...process.env, ...stack.env, ...vars } });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      child.on("close", (code) => done({ code: code ?? -1, output }));
    });
  }
  // A day of the API's clock: far more than the test's own duration at 60x, far less than the jumps it makes.
  const DAY = { UNVERIFIED_MAX_SECONDS: "86400" };

  test("deploy proves the statuses; two days without a run fail the gate (warn only warns); runs, or a deploy with enforce, pass it again", async () => {
    const env = await startEmulator({ seed: WORLD_SEED, clockSpeed: 60 });
    try {
      const pipeline = await createE2EStack(join(REPO, "examples", "deployment-pipeline"), env, {
        "pipeline:release": "2026.11.1",
        "pipeline:environment": "DEV",
      });
      stacks.push(pipeline);
      expect((await ci(pipeline, DAY, "deploy", "e2e")).code).toBe(0);
      expect((await ci(pipeline, DAY, "drift-check", "e2e")).code).toBe(0);

      await env.admin.advanceClock(2 * 86_400);
      const stale = await ci(pipeline, DAY, "drift-check", "e2e");
      expect(stale.code).toBe(1);
      expect(stale.output).toMatch(/000099_sales_aggregate_DEV status unverified for 4\dh\d\dm\d\ds \(limit 24h00m00s\)/);
      expect(stale.output).toMatch(/ci: UNVERIFIED on e2e/);
      const warned = await ci(pipeline, { ...DAY, UNVERIFIED_ACTION: "warn" }, "drift-check", "e2e");
      expect(warned.code).toBe(0);
      expect(warned.output).toMatch(/warning: tailer: 000099_sales_aggregate_DEV status unverified for 4\dh/);

      for (const id of ["000099_sales_load_DEV", "000099_sales_aggregate_DEV"])
        await launchOutsidePulumi(env, { ...SALES_LOAD_DEV, configuration_id: id });
      expect((await ci(pipeline, DAY, "drift-check", "e2e")).code).toBe(0);

      // enforce "always": every deploy sends the statuses again, so the gate checks the limit only.
      await pipeline.cli(["config", "set", "pipeline:enforce", "always"]);
      expect((await ci(pipeline, DAY, "deploy", "e2e")).output).toMatch(/ci: e2e deployed \(enforce/);
      await env.admin.advanceClock(2 * 86_400);
      expect((await ci(pipeline, DAY, "drift-check", "e2e")).code).toBe(1);
      expect((await ci(pipeline, DAY, "deploy", "e2e")).code).toBe(0);
      expect((await ci(pipeline, DAY, "drift-check", "e2e")).code).toBe(0);
    } finally {
      await env.close();
    }
  });
});
