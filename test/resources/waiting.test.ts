/**
 * A waiting up ends promptly when the job's usual duration is known. Measured on the emulated clock (at
 * real speed here: a 3 s job takes 3 s): from the run's end to the status check that saw it.
 */
import { jobRunProvider as provider } from "../../provider/resources/jobRunProvider";
import type { RunningEmulator } from "../helpers/emulator";
import { PROVIDER_PLACEHOLDER, resetWorld, startProviderEnvironment, stopProviderEnvironment } from "../helpers/provider";

const identity = { account: "000099", environment: "DEV", configurationType: "table-to-table", configurationId: "000099_sales_load_DEV" };
const apiIdentity = {
  account: "000099",
  environment: "DEV" as const,
  configuration_type: "table-to-table" as const,
  configuration_id: "000099_sales_load_DEV",
};

let env: RunningEmulator;
beforeAll(async () => {
  env = await startProviderEnvironment(1);
});
afterAll(() => stopProviderEnvironment(env));
beforeEach(() => resetWorld(env));

/** Creates the run and waits for it; how long after the run's end (emulated clock) its end was seen, and the checks made. */
async function create(inputs: Record<string, unknown> = {}) {
  const checked = await provider.check({}, { ...identity, pollIntervalSeconds: 2, ...inputs });
  await env.admin.clearRequests();
  const result = await provider.create({ ...checked.inputs, __provider: PROVIDER_PLACEHOLDER });
  const [run] = await env.admin.listRuns({ run_id: String(result.id) });
  const checks = (await env.admin.requests()).filter((e) => e.action === "check_run_status");
  const seenAt = Date.parse(String(checks[checks.length - 1]?.emulated_time));
  return { result, seenAfterEndMs: seenAt - Date.parse(String(run?.last_update_date)), checks: checks.length };
}

/** Three successful runs of 3 s, the day before. */
function threeRunsOf3Seconds() {
  return ["20261126-100000", "20261126-110000", "20261126-120000"].map((stamp, i) => ({
    ...apiIdentity,
    run_id: `${stamp}-0a795c70-2557-4a60-ba16-78${i}aa2bea179`,
    status: "SUCCESS" as const,
    start_execution_date: `2026-11-26T1${i}:00:00+00:00`,
    duration: "0:00:03",
  }));
}

test("with runs of 3 s in its history, a 3 s run is seen within a second of its end", async () => {
  await env.admin.addRuns(threeRunsOf3Seconds());
  await env.admin.scriptLaunches(apiIdentity, [{ duration: 3, outcome: "SUCCESS" }]);
  const { result, seenAfterEndMs, checks } = await create();
  expect(result.outs.status).toBe("SUCCESS");
  expect(seenAfterEndMs).toBeLessThan(1000);
  expect(checks).toBeLessThanOrEqual(3);
});

test("without history the schedule only grows: the same run is seen later (at 5 s)", async () => {
  await env.admin.scriptLaunches(apiIdentity, [{ duration: 3, outcome: "SUCCESS" }]);
  const { result, seenAfterEndMs } = await create();
  expect(result.outs.status).toBe("SUCCESS");
  // Checks at 0, 2, 5 s (x1.5): the run that ended at 3 s is seen at 5 s.
  expect(seenAfterEndMs).toBeGreaterThanOrEqual(1500);
});

test("a first run with expectedDurationSeconds is seen within a second of its end", async () => {
  await env.admin.scriptLaunches(apiIdentity, [{ duration: 3, outcome: "SUCCESS" }]);
  const { result, seenAfterEndMs, checks } = await create({ expectedDurationSeconds: 3 });
  expect(result.outs.status).toBe("SUCCESS");
  expect(seenAfterEndMs).toBeLessThan(1000);
  expect(checks).toBeLessThanOrEqual(3);
});

test("the job's history wins over expectedDurationSeconds: a stale estimate does not delay a run seen before", async () => {
  await env.admin.addRuns(threeRunsOf3Seconds());
  await env.admin.scriptLaunches(apiIdentity, [{ duration: 3, outcome: "SUCCESS" }]);
  const { result, seenAfterEndMs } = await create({ expectedDurationSeconds: 60 });
  expect(result.outs.status).toBe("SUCCESS");
  expect(seenAfterEndMs).toBeLessThan(1000);
});
