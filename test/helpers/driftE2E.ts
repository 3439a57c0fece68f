/**
 * The drift table (./driftRows.ts) with the real CLI, in either provider mode: a stack per row, declaring
 * a configuration of its own, driven through `pulumi up`, what Tailer Studio does, the drift gate
 * (`pulumi preview --refresh --expect-no-changes --diff`), `pulumi refresh` and `pulumi up` without and
 * with `enforce: "always"`. test/e2e/drift.test.ts runs it on the dynamic provider (a TypeScript
 * program), test/e2e/native-drift.test.ts on the native plugin (a YAML program).
 */
import { join } from "node:path";
import { type DriftRow, expectStatusSetClock, studioOn, takeDateHeaderAway } from "./driftRows";
import { type RunningEmulator, startEmulator, type WireIdentity } from "./emulator";
import { SALES_LOAD_DEV, WORLD_SEED } from "./provider";
import { REPO } from "./pulumi";

const SKEW_CLOCK = join(REPO, "test", "helpers", "skew-clock.js");

/** What a row needs of a stack: the CLI on it, and the environment of every call (the clock skew goes there). */
export interface DriftStack {
  /** Runs `pulumi <args>` on the stack: its exit code, and stdout then stderr. */
  pulumi(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The environment of every CLI call (and so of the program and the provider it starts). */
  env: Record<string, string>;
}

/** Makes the stack of a row declaring `declared` for `configuration`; `enforce` comes from the stack config `drift:enforce`. */
export type DriftStackFactory = (env: RunningEmulator, configuration: WireIdentity, declared: DriftRow["declared"]) => Promise<DriftStack>;

/**
 * The emulators of a drift test file (real time: runs stay RUNNING, the rows move the clock themselves):
 * one the rows with the Date header share, and one of its own for each row without it, so that no other
 * row's clock moves skew its machine clock. Registers the jest hooks that start and close them.
 */
export function driftEmulators(): { shared(): RunningEmulator; forRow(row: DriftRow): Promise<RunningEmulator> } {
  let shared: RunningEmulator | undefined;
  const own: Promise<RunningEmulator>[] = [];
  beforeAll(async () => {
    shared = await startEmulator({ seed: WORLD_SEED });
  });
  afterAll(async () => {
    await Promise.all([shared?.close(), ...own.map(async (env) => (await env).close())]);
  });
  return {
    shared: () => shared as RunningEmulator,
    forRow(row) {
      if (!row.withoutDateHeader) return Promise.resolve(shared as RunningEmulator);
      const env = startEmulator({ seed: WORLD_SEED });
      own.push(env);
      return env;
    },
  };
}

/** The configuration of the row at `index`: the sales load's shape, an id of its own, on `env`. */
export async function rowConfiguration(env: RunningEmulator, index: number): Promise<WireIdentity> {
  const configuration: WireIdentity = { ...SALES_LOAD_DEV, configuration_id: `000099_drift_${index}_DEV` };
  await env.admin.putConfigurations([{ ...configuration, run: { duration: "0:01:00", outcome: "SUCCESS" } }]);
  return configuration;
}

/** The CLI on a row's stack, with the reads a row asserts on. */
export function driftCli(env: RunningEmulator, stack: DriftStack, configuration: WireIdentity) {
  const cli = async (args: string[]) => {
    const result = await stack.pulumi(args);
    return { code: result.code, output: result.stdout + result.stderr };
  };
  const ok = async (args: string[]) => {
    const { code, output } = await cli(args);
    if (code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${code}):\n${output}`);
    return output;
  };
  /** The configuration status's outputs in state (dynamic or native type), or undefined when state has none. */
  const outputsInState = async () => {
    const { deployment } = JSON.parse(await ok(["stack", "export"]));
    const resources = deployment.resources as { type: string; outputs: Record<string, unknown> }[];
    return resources.find((r) => /tailer:(index:)?ConfigurationStatus$/.test(r.type))?.outputs;
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
  return { cli, ok, outputsInState, upSends, skewLocalClock };
}

/**
 * Runs `row` on a stack of its own made by `makeStack` on `env`: the gate's exit code and the one line it
 * prints at the default verbosity, the refreshed outputs in state, and what up sends without and with enforce.
 */
export async function runDriftRow(env: RunningEmulator, row: DriftRow, index: number, makeStack: DriftStackFactory): Promise<void> {
  const configuration = await rowConfiguration(env, index);
  const stack = await makeStack(env, configuration, row.declared);
  const { cli, ok, outputsInState, upSends, skewLocalClock } = driftCli(env, stack, configuration);
  let setAt = "";
  const studio = studioOn(env, configuration, () => setAt, skewLocalClock);
  await row.before?.(studio);
  await takeDateHeaderAway(row, studio);
  await ok(["up", "--yes"]);
  const set = (await outputsInState()) ?? {};
  expectStatusSetClock(row, set, (await env.admin.clock()).now_us / 1000);
  setAt = String(set.statusSetAt);
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
}

/**
 * `enforce: "always"` on a stack made by `makeStack`: every plan shows an update of the configuration (of
 * type `type`, with no property changed), and every up sends the status once and says why.
 */
export async function runEnforceAlways(env: RunningEmulator, index: number, makeStack: DriftStackFactory, type: string): Promise<void> {
  const configuration = await rowConfiguration(env, index);
  const { cli, ok, upSends } = driftCli(env, await makeStack(env, configuration, {}), configuration);
  await ok(["config", "set", "drift:enforce", "always"]);
  await ok(["up", "--yes"]);
  const plan = await cli(["preview", "--refresh", "--expect-no-changes", "--diff"]);
  expect(plan.code).not.toBe(0);
  expect(plan.output).toContain(`~ ${type}: (update)`);
  expect(plan.output).toMatch(/~ 1 to update/);
  expect(await upSends()).toEqual({ calls: 1, upFails: false });
  const again = await ok(["up", "--yes"]);
  expect(again).toContain(`tailer: ${configuration.configuration_id} status sent again: active (enforce: "always")`);
}
