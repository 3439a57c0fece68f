/**
 * Faults with the real CLI: an estate of configurations deployed while the API fails at random, and
 * launches whose answers are lost at random. Nothing is lost, nothing is launched twice.
 * Counts: 200 statuses and 100 launches under TAILER_STRESS=1 (npm run test:stress), fewer in npm test.
 */
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "../helpers/emulator";
import { createE2EStack, type E2EStack, REPO } from "../helpers/pulumi";
import { count } from "../reliability/helpers";

jest.setTimeout(900_000);

const STATUSES = count("TAILER_RELIABILITY_STATUSES", { normal: 60, stress: 200 });
const LAUNCHES = count("TAILER_RELIABILITY_LAUNCHES", { normal: 30, stress: 100 });
const MAX_ATTEMPTS = 8;
const base = { account: "000099", environment: "DEV" as const, configuration_type: "table-to-table" as const };

let env: RunningEmulator;
let e2e: E2EStack;

// Each test its own emulator and stack: the first test's creates would otherwise count against the other's, in any order.
beforeEach(async () => {
  env = await startEmulator({ seed: null, clockSpeed: 600 });
  await env.admin.putConfigurations([
    ...Array.from({ length: STATUSES }, (_, i) => ({
      ...base,
      configuration_id: `000099_estate_${i}_DEV`,
      activated: i % 2 === 0, // many start in the opposite state of what the program declares
    })),
    ...Array.from({ length: LAUNCHES }, (_, i) => ({
      ...base,
      configuration_id: `000099_launch_${i}_DEV`,
      run: { duration: 30, outcome: "SUCCESS" as const },
    })),
  ]);
  e2e = await createE2EStack(join(REPO, "test", "e2e", "programs", "estate"), env, { "tailer:retryMaxAttempts": String(MAX_ATTEMPTS) });
});
afterEach(async () => {
  await e2e?.dispose();
  await env?.close();
});

test(`up of ${STATUSES} statuses while 20% of calls fail (503, 429 + Retry-After, resets) or stall (latency spikes) converges, with bounded retries`, async () => {
  await env.admin.addFaults(
    [
      { kind: "error", status: 503, probability: 0.07 },
      { kind: "rate_limit", retry_after_seconds: 1, probability: 0.07 },
      { kind: "reset", probability: 0.06 },
      { kind: "latency", latency_ms: 300, probability: 0.05 },
    ],
    8, // a seed whose draws fail about 20 % of the first few hundred calls, as the scenario says
  );
  await env.admin.clearRequests();
  await e2e.stack.setAllConfig({ "estate:statuses": { value: String(STATUSES) }, "estate:runs": { value: "0" } });
  const up = await e2e.stack.up({ parallel: 16 });
  expect(up.summary.result).toBe("succeeded");
  expect(up.summary.resourceChanges?.create).toBe(STATUSES + 1); // and the stack

  const configurations = await env.admin.listConfigurations({ account: "000099" });
  for (let i = 0; i < STATUSES; i++) {
    const found = configurations.find((c) => c.configuration_id === `000099_estate_${i}_DEV`);
    expect({ id: found?.configuration_id, activated: found?.activated }).toEqual({ id: `000099_estate_${i}_DEV`, activated: i % 3 !== 0 });
  }
  const log = await env.admin.requests({ limit: 100_000 });
  const faulted = log.filter((e) => e.fault !== null && e.fault !== "latency").length;
  const perConfiguration = new Map<string, number>();
  for (const entry of log)
    perConfiguration.set(String(entry.configuration_id), (perConfiguration.get(String(entry.configuration_id)) ?? 0) + 1);
  expect(faulted / log.length).toBeGreaterThanOrEqual(0.15);
  expect(Math.max(...perConfiguration.values())).toBeLessThanOrEqual(MAX_ATTEMPTS);
  expect(log.length).toBeLessThan(STATUSES * 2);
  process.stdout.write(
    `faults: ${log.length} calls for ${STATUSES} statuses, ${faulted} faults injected, at most ${Math.max(...perConfiguration.values())} attempts per call\n`,
  );

  // And the state is right: a no-change refresh finds nothing, faults still on.
  await e2e.stack.preview({ expectNoChanges: true, refresh: true, parallel: 16 });
});

test(`${LAUNCHES} launches whose answers are dropped at random: every run recorded, none launched twice`, async () => {
  await env.admin.addFault({ kind: "drop_response", action: "launch_job", probability: 0.3 });
  await env.admin.clearRequests();
  await e2e.stack.setAllConfig({ "estate:statuses": { value: "0" }, "estate:runs": { value: String(LAUNCHES) } });
  const up = await e2e.stack.up({ parallel: 16 });
  expect(up.summary.result).toBe("succeeded");
  await env.admin.clearFaults();

  const dropped = (await env.admin.requests({ action: "launch_job", limit: 100_000 })).filter((e) => e.fault === "drop_response").length;
  const exported = JSON.parse(await e2e.exportText());
  const recorded = exported.deployment.resources
    .filter((r: { type: string }) => r.type === "pulumi-nodejs:dynamic/tailer:JobRun")
    .map((r: { outputs: { runId: string; configurationId: string; status: string } }) => r.outputs);
  expect(recorded).toHaveLength(LAUNCHES);
  for (let i = 0; i < LAUNCHES; i++) {
    const runs = await env.admin.listRuns({ configuration_id: `000099_launch_${i}_DEV` });
    expect(runs.map((r) => r.run_id)).toEqual([
      recorded.find((r: { configurationId: string }) => r.configurationId === `000099_launch_${i}_DEV`)?.runId,
    ]);
  }
  expect(dropped).toBeGreaterThan(0);
  expect(recorded.every((r: { status: string }) => r.status === "SUCCESS")).toBe(true);
  process.stdout.write(`launches: ${LAUNCHES} runs, ${dropped} answers dropped, 0 duplicates\n`);
});
