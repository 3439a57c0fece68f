/**
 * The drift table with the real CLI on the dynamic provider, a TypeScript program (test/helpers/driftE2E.ts;
 * the provider-level test and the native plugin's, test/e2e/native-drift.test.ts, run the same rows): per row
 * a stack declaring a configuration of its own, `pulumi up`, what happens in Tailer Studio, then `pulumi
 * preview --refresh --expect-no-changes` (exit code and printed line), `pulumi refresh` (the refreshed
 * outputs in state), and what `pulumi up` sends without and with `enforce: "always"`. Rows run side by
 * side; those without the API's Date header on an emulator of their own. Then enforce in the plan, and the
 * example pipeline's unverified-status gate.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { type DriftStackFactory, driftEmulators, runDriftRow, runEnforceAlways } from "../helpers/driftE2E";
import { DRIFT_ROWS } from "../helpers/driftRows";
import { launchOutsidePulumi, startEmulator } from "../helpers/emulator";
import { SALES_LOAD_DEV, WORLD_SEED } from "../helpers/provider";
import { createE2EStack, type E2EStack, REPO } from "../helpers/pulumi";

jest.setTimeout(600_000);

const PROGRAM = join(REPO, "test", "e2e", "programs", "drift");

const emulators = driftEmulators();
const stacks: E2EStack[] = [];
afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.dispose()));
});

/** A row's stack: the TypeScript program, declaring what the row declares through `drift:*` config. */
const dynamicStack: DriftStackFactory = async (env, configuration, declared) => {
  const config: Record<string, string> = { "drift:configurationId": configuration.configuration_id };
  if (declared.activated !== undefined) config["drift:activated"] = String(declared.activated);
  if (declared.archived !== undefined) config["drift:archived"] = String(declared.archived);
  const stack = await createE2EStack(PROGRAM, env, config);
  stacks.push(stack);
  return { pulumi: stack.cli, env: stack.env };
};

test.concurrent.each(DRIFT_ROWS.map((row, index) => [row.name, row, index] as const))("%s", async (_name, row, index) =>
  runDriftRow(await emulators.forRow(row), row, index, dynamicStack),
);

test("enforce: always shows in every plan as an update of each configuration, and each up sends it once, saying why", () =>
  runEnforceAlways(emulators.shared(), DRIFT_ROWS.length, dynamicStack, "pulumi-nodejs:dynamic/tailer:ConfigurationStatus"));

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
