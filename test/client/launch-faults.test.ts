/**
 * launch_job against the emulator's hard faults, at the emulator's real clock speed (its late processing
 * and visibility delays are real time here): what happens after the server did the work.
 */
import { LaunchUncertainError } from "../../provider/client/launch";
import { type RunningEmulator, startEmulator } from "../helpers/emulator";

const T2T = {
  account: "000099",
  environment: "DEV" as const,
  configuration_type: "table-to-table" as const,
  configuration_id: "000099_iowa_liquor_prepare_pda_DEV",
};

let env: RunningEmulator;
beforeAll(async () => {
  env = await startEmulator({ clockSpeed: 1 });
});
afterAll(() => env.close());
beforeEach(() => env.admin.reset());

const launchedRuns = async () =>
  (await env.admin.listRuns({ configuration_id: T2T.configuration_id, origin: "launch" })).map((r) => r.run_id);

test("regression: late processing after a 504 (one lookup found nothing, the client launched again): the late run is adopted, one run", async () => {
  await env.admin.addFault({ kind: "late_processing", status: 504, delay_ms: 600, action: "launch_job", max_count: 1 });
  const launch = await env.client({ reconcileWindowMs: 2_000 }).launchJob(T2T);
  expect(launch.adopted).toBe(true);
  expect(await launchedRuns()).toEqual([launch.runId]);
});

test("a request held by the gateway and performed after the client gave up (timeout): the late run is adopted", async () => {
  await env.admin.addFault({ kind: "late_processing", status: 502, hold: true, delay_ms: 700, action: "launch_job", max_count: 1 });
  const launch = await env.client({ requestTimeoutMs: 300, reconcileWindowMs: 2_000 }).launchJob(T2T);
  expect(launch.adopted).toBe(true);
  expect(await launchedRuns()).toEqual([launch.runId]);
});

test("regression: a 2xx with an unreadable body after launching was final (no lookup, relaunched next time); it is reconciled", async () => {
  await env.admin.addFault({ kind: "garbled_body", garble: "bad_run_id", action: "launch_job", max_count: 1 });
  const launch = await env.client({ reconcileWindowMs: 1_000 }).launchJob(T2T);
  expect(launch.adopted).toBe(true);
  expect(await launchedRuns()).toEqual([launch.runId]);
});

test("a run that shows up in reads only later (visibility delay) is still found within the window", async () => {
  await env.admin.addFaults([
    { kind: "visibility_delay", delay_ms: 500, action: "launch_job", max_count: 1 },
    { kind: "drop_response", when: "after", action: "launch_job", max_count: 1 },
  ]);
  const launch = await env.client({ reconcileWindowMs: 1_500 }).launchJob(T2T);
  expect(launch.adopted).toBe(true);
  expect(await launchedRuns()).toEqual([launch.runId]);
});

test("an answer dropped before processing: nothing appears, LAUNCH_UNCERTAIN naming no candidate, nothing launched", async () => {
  await env.admin.addFault({ kind: "drop_response", when: "before", action: "launch_job", max_count: 1 });
  const error = await env
    .client({ reconcileWindowMs: 500 })
    .launchJob(T2T)
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LaunchUncertainError);
  expect(String(error)).toContain("Candidates: none.");
  expect(await launchedRuns()).toEqual([]);
});

test("a late launch processed after the window is not adopted by this call: LAUNCH_UNCERTAIN, and the run appears afterwards", async () => {
  await env.admin.addFault({ kind: "late_processing", status: 504, delay_ms: 1_500, action: "launch_job", max_count: 1 });
  const error = await env
    .client({ reconcileWindowMs: 300 })
    .launchJob(T2T)
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LaunchUncertainError);
  await env.admin.advanceClock(2); // the emulator performs it 1.5 s (emulated) after the request
  expect(await launchedRuns()).toHaveLength(1);
});
