/** TailerClient against a real emulator over a real socket: actions, errors, retries, and never launching twice. */

import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { clearTokenCache, tokensMinted } from "../../provider/auth";
import { type ClientEvent, ErrorCodes, hasErrorCode, isTailerError, type TailerClient } from "../../provider/client";
import { type LaunchAttempt, LaunchUncertainError } from "../../provider/client/launch";
import { launchOutsidePulumi, type RunningEmulator, startEmulator } from "../helpers/emulator";
import { REPO } from "../helpers/pulumi";

const T2T = {
  account: "000099",
  environment: "DEV" as const,
  configuration_type: "table-to-table" as const,
  configuration_id: "000099_iowa_liquor_prepare_pda_DEV",
};
const JOB = "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV";

let env: RunningEmulator;
let client: TailerClient;

beforeAll(async () => {
  env = await startEmulator({ clockSpeed: 1000 });
});
afterAll(() => env.close());
beforeEach(async () => {
  await env.admin.reset();
  client = env.client();
});

async function runsOf(configurationId: string) {
  return env.admin.listRuns({ configuration_id: configurationId });
}

describe("actions", () => {
  test("launch_job returns a run id in the documented format, and the run is visible to check_run_status", async () => {
    const launch = await client.launchJob(T2T);
    expect(launch.runId).toMatch(/^\d{8}-\d{6}-[0-9a-f-]{36}$/);
    expect(launch.adopted).toBe(false);
    const run = await client.checkRunStatus({ ...T2T, job_id: JOB, run_id: launch.runId });
    expect(run).toMatchObject({ run_id: launch.runId, job_id: JOB, configuration_type: "table-to-table" });
  });

  test("get_last_status returns the docs' runs newest first, with gbq-to-gbq read as table-to-table", async () => {
    const runs = await client.getLastStatus(T2T);
    expect(runs.map((r) => r.run_id).slice(0, 3)).toEqual([
      "20201230-112837-0a795c70-2557-4a60-ba16-788aa2bea179",
      "20201230-110907-47b31b2d-a54a-4a95-a3a6-b4fbc2168333",
      "20201210-140612-19e547a1-de6a-47f0-b563-b8a3d5754118",
    ]);
    expect(runs.every((r) => r.configuration_type === "table-to-table")).toBe(true);
  });

  test("get_last_status filters by status, execution date and limit", async () => {
    const runs = await client.getLastStatus({
      account: "000099",
      environment: "DEV",
      configuration_type: "storage-to-storage",
      configuration_id: "000099-jarvis-demo-iowa-liquor-storage-to-storage",
      execution_date: "2020-12-09",
      status: "SUCCESS",
      limit: 2,
    });
    expect(runs.map((r) => r.run_id)).toEqual([
      "20201209-cf026ae9-c79c-4cf9-8ffb-0bb63ad39469",
      "20201209-7b7b7a66-1cc0-4f09-a893-ce4a35adf09b",
    ]);
  });

  test("set_configuration_status disables, and a launch then ends DEACTIVATED", async () => {
    await client.setConfigurationStatus({ ...T2T, activated: false, archived: false });
    const { runId } = await client.launchJob(T2T);
    const run = await client.checkRunStatus({ ...T2T, job_id: JOB, run_id: runId });
    expect(run?.status).toBe("DEACTIVATED");
  });

  test("set_configuration_status returns the server's time of the change", async () => {
    const { serverTimeMs } = await client.setConfigurationStatus({ ...T2T, activated: true, archived: false });
    expect(serverTimeMs).toEqual(expect.any(Number));
  });

  test("reset_workflow_status and get_by_status answer as documented", async () => {
    await client.resetWorkflowStatus({
      account: "000099",
      environment: "DEV",
      configuration_type: "workflow",
      configuration_id: "000099-iowa-liquor-load-pda",
    });
    const runs = await client.getByStatus({ account: "000099", configuration_type: "table-to-table", status: "SUCCESS", limit: 5 });
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.status === "SUCCESS")).toBe(true);
  });

  test("set_run_status marks a failed run as handled", async () => {
    await env.admin.scriptLaunches(T2T, [{ duration: 1, outcome: "FAILED" }]);
    const { runId } = await client.launchJob(T2T);
    await env.admin.advanceClock(60);
    await client.setRunStatus({ ...T2T, run_id: runId, status: "CHECKED" });
    expect((await client.checkRunStatus({ ...T2T, job_id: JOB, run_id: runId }))?.status).toBe("CHECKED");
  });
});

describe("errors", () => {
  test("an unknown configuration is TAILER_NOT_FOUND with Tailer's message, and is not retried", async () => {
    await env.admin.clearRequests();
    const error = await client.launchJob({ ...T2T, configuration_id: "000099_nope_DEV" }).catch((e: unknown) => e);
    expect(hasErrorCode(error, ErrorCodes.NOT_FOUND)).toBe(true);
    expect(isTailerError(error) && error.serverMessage).toContain("000099_nope_DEV");
    expect(isTailerError(error) && error.status).toBe(404);
    // One read (the runs before launching) failed already: nothing was launched or retried.
    expect((await env.admin.requests()).length).toBe(1);
  });

  test("a table-to-table id without its suffix fails before sending, naming the fixed id", async () => {
    await env.admin.clearRequests();
    const error = await client.getLastStatus({ ...T2T, configuration_id: "000099_iowa_liquor_prepare_pda" }).catch((e: unknown) => e);
    expect(hasErrorCode(error, ErrorCodes.INVALID_REQUEST)).toBe(true);
    expect(String(error)).toContain('"000099_iowa_liquor_prepare_pda_DEV"');
    expect(await env.admin.requests()).toHaveLength(0);
  });

  test("an invalid request names the field and sends nothing", async () => {
    await env.admin.clearRequests();
    const error = await client.getLastStatus({ ...T2T, account: "99", limit: 0 }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/account: account must be 6 digits/);
    expect(String(error)).toMatch(/limit: limit must be at least 1/);
    expect(await env.admin.requests()).toHaveLength(0);
  });

  test("a token for another account is TAILER_FORBIDDEN", async () => {
    const other = env.client({ auth: { token: env.emulator.mintToken({ accounts: ["000110"] }) } });
    const error = await other.getLastStatus(T2T).catch((e: unknown) => e);
    expect(hasErrorCode(error, ErrorCodes.FORBIDDEN)).toBe(true);
  });

  test("a token for another audience is the gateway's 403: TAILER_FORBIDDEN saying it was minted for another URL, never holding the token", async () => {
    const token = env.emulator.mintToken({ audience: "https://elsewhere.example" });
    const other = env.client({ auth: { token } });
    const error = await other.getLastStatus(T2T).catch((e: unknown) => e);
    expect(hasErrorCode(error, ErrorCodes.FORBIDDEN)).toBe(true);
    expect(String(error)).toContain("Audiences in Jwt are not allowed");
    expect(String(error)).toMatch(/minted for another API URL/);
    expect(JSON.stringify(error) + String(error) + String((error as Error).stack)).not.toContain(token);
  });

  test("a refused connection is TAILER_NETWORK after the retries, naming the URL", async () => {
    const dead = env.client({ apiUrl: "http://127.0.0.1:9", retry: { maxAttempts: 2, minTimeoutMs: 1, maxTimeoutMs: 1 } });
    const error = await dead.getLastStatus(T2T).catch((e: unknown) => e);
    expect(hasErrorCode(error, ErrorCodes.NETWORK)).toBe(true);
    expect(String(error)).toContain("127.0.0.1:9");
    expect(isTailerError(error) && error.attempts).toBe(2);
  });
});

describe("retries", () => {
  test("regression: retry lines contradicted themselves ('attempt 2 failed (… Gave up after 2 attempts …); retrying'); only the final error counts attempts", async () => {
    await env.admin.addFault({ kind: "error", status: 503, max_count: 5, action: "get_last_status" });
    const events: ClientEvent[] = [];
    const error = await env
      .client({ retry: { maxAttempts: 3, minTimeoutMs: 1, maxTimeoutMs: 2 }, onEvent: (e) => events.push(e) })
      .getLastStatus(T2T)
      .catch((e: unknown) => e);
    const reasons = events.flatMap((e) => (e.type === "retry" ? [e.reason] : []));
    expect(reasons).toHaveLength(2);
    for (const reason of reasons) expect(reason).not.toMatch(/Gave up/);
    expect(String(error)).toMatch(/Gave up after 3 attempts/);
    await env.admin.clearFaults();
  });

  test("5xx on a read is retried until it succeeds", async () => {
    await env.admin.clearRequests();
    await env.admin.addFault({ kind: "error", status: 503, max_count: 2, action: "get_last_status" });
    await expect(client.getLastStatus(T2T)).resolves.toHaveLength(3);
    const log = await env.admin.requests();
    expect(log.map((e) => e.status)).toEqual([503, 503, 200]);
  });

  test("429 honours Retry-After: the wait before the retry is at least the server's", async () => {
    await env.admin.addFault({ kind: "rate_limit", retry_after_seconds: 1, max_count: 1, action: "get_last_status" });
    const waits: number[] = [];
    const recording = env.client({ sleep: async (ms) => void waits.push(ms) });
    await recording.getLastStatus(T2T);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
  });

  test("attempts are bounded: the last error is reported with the count", async () => {
    await env.admin.addFault({ kind: "error", status: 500, action: "get_last_status" });
    const bounded = env.client({ retry: { maxAttempts: 3, minTimeoutMs: 1, maxTimeoutMs: 2 } });
    const error = await bounded.getLastStatus(T2T).catch((e: unknown) => e);
    expect(hasErrorCode(error, ErrorCodes.SERVER_ERROR)).toBe(true);
    expect(isTailerError(error) && error.attempts).toBe(3);
    await env.admin.clearFaults();
  });

  test("a reset connection on set_configuration_status is retried: it is idempotent", async () => {
    await env.admin.clearRequests();
    await env.admin.addFault({ kind: "reset", max_count: 1, action: "set_configuration_status" });
    await client.setConfigurationStatus({ ...T2T, activated: true, archived: false });
    const log = (await env.admin.requests()).map((e) => `${e.fault ?? "ok"}:${e.status}`);
    expect(log).toEqual(["reset:null", "ok:200"]);
  });

  test("a timeout of seconds (undici's own timers) is TAILER_TIMEOUT too", async () => {
    await env.admin.addFault({ kind: "latency", latency_ms: 6000, action: "get_last_status" });
    const patient = env.client({ requestTimeoutMs: 2500, retry: { maxAttempts: 1 } });
    const error = await patient.getLastStatus(T2T).catch((e: unknown) => e);
    expect(hasErrorCode(error, ErrorCodes.TIMEOUT)).toBe(true);
    expect(String(error)).toContain("no complete answer within 2500 ms");
    await env.admin.clearFaults();
  });

  test("a per-request timeout is TAILER_TIMEOUT", async () => {
    await env.admin.addFault({ kind: "latency", latency_ms: 500, action: "get_last_status" });
    const impatient = env.client({ requestTimeoutMs: 100, retry: { maxAttempts: 1 } });
    const error = await impatient.getLastStatus(T2T).catch((e: unknown) => e);
    expect(hasErrorCode(error, ErrorCodes.TIMEOUT)).toBe(true);
    await env.admin.clearFaults();
  });
});

describe("launch_job never launches twice", () => {
  // The reconcile window: a launch whose answer is lost is decided 300 ms after it began.
  const reconciling = () => env.client({ reconcileWindowMs: 300 });

  test("a dropped answer (the launch happened) is found and adopted at once, not relaunched", async () => {
    await env.admin.addFault({ kind: "drop_response", max_count: 1, action: "launch_job" });
    const before = (await runsOf(T2T.configuration_id)).length;
    const launch = await reconciling().launchJob(T2T);
    expect(launch.adopted).toBe(true);
    const after = await runsOf(T2T.configuration_id);
    expect(after.length).toBe(before + 1);
    expect(after.map((r) => r.run_id)).toContain(launch.runId);
  });

  test("a reset before processing: nothing appears within the window, LAUNCH_UNCERTAIN with no candidate, never a second launch_job", async () => {
    await env.admin.clearRequests();
    await env.admin.addFault({ kind: "reset", max_count: 1, action: "launch_job" });
    const error = await reconciling()
      .launchJob(T2T)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LaunchUncertainError);
    expect((error as LaunchUncertainError).candidates).toEqual([]);
    expect((error as LaunchUncertainError).attempt).toMatchObject({
      jobId: JOB,
      reason: expect.stringMatching(/may have reached the API/),
    });
    expect(String(error)).toMatch(/TAILER_LAUNCH_UNCERTAIN|may or may not have started a run/);
    const actions = (await env.admin.requests()).map((e) => e.action);
    expect(actions.filter((a) => a === "launch_job")).toHaveLength(1);
  });

  test("a 503 is ambiguous: the client reads the job's runs instead of launching again", async () => {
    await env.admin.clearRequests();
    await env.admin.addFault({ kind: "error", status: 503, max_count: 1, action: "launch_job" });
    await reconciling()
      .launchJob(T2T)
      .catch(() => undefined);
    const actions = [...new Set((await env.admin.requests()).map((e) => `${e.action}:${e.status}`))];
    expect(actions).toEqual(["get_last_status:200", "launch_job:503"]);
  });

  test("a 429 was not processed: the client relaunches without looking", async () => {
    await env.admin.clearRequests();
    await env.admin.addFault({ kind: "rate_limit", retry_after_seconds: 0, max_count: 1, action: "launch_job" });
    await client.launchJob(T2T);
    const actions = (await env.admin.requests()).map((e) => `${e.action}:${e.status}`);
    expect(actions).toEqual(["get_last_status:200", "launch_job:429", "launch_job:200"]);
  });

  test("regression: a launch killed during a 429 back-off journaled the time before the back-off; each send journals its own time", async () => {
    await env.admin.addFault({ kind: "rate_limit", retry_after_seconds: 1, max_count: 1, action: "launch_job" });
    const attempts: LaunchAttempt[] = [];
    await client.launchJob(T2T, { onAttempt: (attempt) => attempts.push(attempt) });
    expect(attempts).toHaveLength(2);
    const [first, second] = attempts.map((a) => Date.parse(a.startedAt)) as [number, number];
    // A run started during the back-off (a schedule's) started before the second send: never ours.
    expect(second - first).toBeGreaterThanOrEqual(1000);
  });

  test("a refused connection never reached the server: retried, and never reconciled", async () => {
    const dead = env.client({ apiUrl: "http://127.0.0.1:9", retry: { maxAttempts: 2, minTimeoutMs: 1, maxTimeoutMs: 1 } });
    const error = await dead.launchJob(T2T, { before: { runs: [] } }).catch((e: unknown) => e);
    expect(hasErrorCode(error, ErrorCodes.NETWORK)).toBe(true);
    expect(error).not.toBeInstanceOf(LaunchUncertainError);
    expect(String(error)).toContain("nothing was sent");
  });

  test("a foreign run started during the window is one candidate among two: LAUNCH_UNCERTAIN names both", async () => {
    await env.admin.addFault({ kind: "reset", max_count: 1, action: "launch_job" });
    const slow = env.client({ reconcileWindowMs: 1500 });
    const pending = slow.launchJob(T2T).catch((e: unknown) => e);
    while (!(await env.admin.requests()).some((e) => e.fault === "reset")) await new Promise((resolve) => setTimeout(resolve, 10));
    // Another actor launches the same job twice while the first launch is being reconciled.
    const others = [await launchOutsidePulumi(env, T2T), await launchOutsidePulumi(env, T2T)];
    const error = (await pending) as LaunchUncertainError;
    expect(error).toBeInstanceOf(LaunchUncertainError);
    expect(error.candidates.map((r) => r.run_id).sort()).toEqual([...others].sort());
    expect(error.message).toContain(others[0]);
  });

  test("under random dropped answers over 30 launches: 30 runs, no duplicates", async () => {
    await env.admin.addFault({ kind: "drop_response", probability: 0.5, action: "launch_job" });
    const before = new Set((await runsOf(T2T.configuration_id)).map((r) => r.run_id));
    const ids: string[] = [];
    const launcher = reconciling();
    for (let i = 0; i < 30; i++) ids.push((await launcher.launchJob(T2T)).runId);
    await env.admin.clearFaults();
    const created = (await runsOf(T2T.configuration_id)).filter((r) => !before.has(r.run_id)).map((r) => r.run_id);
    expect(new Set(ids).size).toBe(30);
    expect(created.sort()).toEqual([...ids].sort());
  });
});

describe("who calls", () => {
  test("regression: the User-Agent said 0.1.0 whatever the version; it is package.json's", async () => {
    const agents: string[] = [];
    const server = createServer((req, res) => {
      agents.push(String(req.headers["user-agent"]));
      res.writeHead(200, { "content-type": "application/json" }).end('{"results": []}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const local = env.client({ apiUrl: url, auth: { token: "opaque-test-token-123456" } });
    await local.getLastStatus(T2T);
    await local.close();
    server.closeAllConnections();
    server.close();
    const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
    expect(agents).toEqual([`pulumi-tailer/${version} node/${process.versions.node}`]);
  });
});

describe("tokens", () => {
  test("one token for many calls", async () => {
    clearTokenCache();
    const fresh = env.client();
    const before = tokensMinted();
    await Promise.all(Array.from({ length: 20 }, () => fresh.getLastStatus(T2T)));
    expect(tokensMinted() - before).toBe(1);
  });
});
