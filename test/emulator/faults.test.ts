/**
 * Faults on demand (admin API): latency, 429 with Retry-After, 5xx, connection
 * reset, and drop_response (processed, then no answer), with counts, filters and
 * a seedable RNG; and the request log that lets tests count calls.
 */
import { closeAll, expectNoAnswer, type Harness, httpRequest, PREPARE_PDA, startEmulator } from "./helpers/harness";

let h: Harness;
beforeAll(async () => {
  h = await startEmulator();
});
afterAll(closeAll);
beforeEach(async () => {
  await h.admin.reset(); // also clears faults and the request log
});

const launchBody = { action: "launch_job", ...PREPARE_PDA };
const readBody = { action: "get_last_status", ...PREPARE_PDA };
const launch = () => h.post("/v1/dag/launch", launchBody);
const read = () => h.post("/v1/dag/status", readBody);

const noAnswer = (path: string, body: unknown) => expectNoAnswer(`${h.url}${path}`, body, h.token);

describe("fault kinds", () => {
  it("latency holds the request back: a later request without it is answered first", async () => {
    await h.admin.addFault({ kind: "latency", latency_ms: 500, action: "get_last_status" });
    const order: string[] = [];
    const slow = read().then((r) => order.push(`read ${r.status}`));
    const fast = launch().then((r) => order.push(`launch ${r.status}`));
    await Promise.all([slow, fast]);
    expect(order).toEqual(["launch 200", "read 200"]);
    const entries = await h.admin.requests();
    expect(Object.fromEntries(entries.map((e) => [e.action, e.latency_ms]))).toEqual({ get_last_status: 500, launch_job: 0 });
  });

  it("rate_limit answers 429 with Retry-After, max_count times", async () => {
    const rule = await h.admin.addFault({ kind: "rate_limit", retry_after_seconds: 7, max_count: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await launch();
      expect(r.status).toBe(429);
      expect(r.headers["retry-after"]).toBe("7");
      expect(r.body).toEqual({ code: 429, data: {}, message: "injected fault: too many requests" });
    }
    expect((await launch()).status).toBe(200);
    expect((await h.admin.listFaults()).faults.find((f) => f.id === rule.id)?.applied).toBe(2);
    // Refused requests launched nothing.
    expect((await h.admin.requests({ action: "launch_job" })).filter((e) => e.run_id !== null)).toHaveLength(1);
  });

  it.each([500, 503] as const)("error answers %i in the API's error form", async (status) => {
    await h.admin.addFault({ kind: "error", status, max_count: 1 });
    const r = await read();
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ code: status, data: {}, message: `injected fault: HTTP ${status}` });
    expect((await read()).status).toBe(200);
  });

  it("reset destroys the connection before answering, and nothing is launched", async () => {
    await h.admin.addFault({ kind: "reset", max_count: 1 });
    const error = await noAnswer("/v1/dag/launch", launchBody);
    expect(["ECONNRESET", "EPIPE"]).toContain(error.code ?? error.message);
    const [entry] = await h.admin.requests();
    expect(entry).toMatchObject({ fault: "reset", status: null, run_id: null });
    expect(await h.admin.listRuns({ ...PREPARE_PDA, status: "RUNNING" })).toHaveLength(0);
  });

  it("drop_response on launch_job persists the launch, then cuts the connection (the ambiguous case)", async () => {
    await h.admin.addFault({ kind: "drop_response", action: "launch_job", max_count: 1 });
    const error = await noAnswer("/v1/dag/launch", launchBody);
    expect(["ECONNRESET", "EPIPE"]).toContain(error.code ?? error.message);
    const [entry] = await h.admin.requests({ action: "launch_job" });
    expect(entry).toMatchObject({ fault: "drop_response", status: 200, auth_ok: true });
    expect(entry?.run_id).toEqual(expect.any(String));
    // The run exists: a client that retries blindly would launch twice.
    const r = await h.post("/v1/dag/status", {
      action: "check_run_status",
      ...PREPARE_PDA,
      job_id: "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV",
      run_id: entry?.run_id,
    });
    expect(r.body.results[0]).toMatchObject({ run_id: entry?.run_id, status: "RUNNING" });
  });
});

describe("fault rules", () => {
  it("can target one action or one path", async () => {
    await h.admin.addFaults([
      { kind: "error", status: 503, action: "launch_job" },
      { kind: "rate_limit", path: "/v1/workflow/status" },
    ]);
    expect((await launch()).status).toBe(503);
    expect((await read()).status).toBe(200);
    expect(
      (
        await h.post("/v1/workflow/status", {
          action: "reset_workflow_status",
          account: "000099",
          environment: "DEV",
          configuration_type: "workflow",
          configuration_id: "000099-iowa-liquor-load-pda",
        })
      ).status,
    ).toBe(429);
  });

  it("apply before authentication, as the infrastructure would", async () => {
    await h.admin.addFault({ kind: "error", status: 503 });
    expect((await httpRequest(`${h.url}/v1/dag/status`, readBody)).status).toBe(503);
  });

  it("are removed one by one or all at once", async () => {
    const a = await h.admin.addFault({ kind: "error", status: 500, id: "a" });
    await h.admin.addFault({ kind: "rate_limit", id: "b", action: "launch_job" });
    expect(a.id).toBe("a");
    expect(await h.admin.clearFaults("a")).toBe(1);
    expect((await read()).status).toBe(200);
    expect((await launch()).status).toBe(429);
    expect(await h.admin.clearFaults()).toBe(1);
    expect((await launch()).status).toBe(200);
  });

  it("with a probability, give the same outcomes for the same RNG seed", async () => {
    const pattern = async () => {
      await h.admin.clearFaults();
      await h.admin.addFaults([{ kind: "error", status: 503, probability: 0.5 }], 12345);
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await read()).status);
      return statuses;
    };
    const first = await pattern();
    const second = await pattern();
    expect(second).toEqual(first);
    const failures = first.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
  });

  it("take their seed from the faultSeed option", async () => {
    const run = async () => {
      const e = await startEmulator({ faultSeed: 99 });
      await e.admin.addFault({ kind: "rate_limit", probability: 0.3 });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await e.post("/v1/dag/status", readBody)).status);
      return out;
    };
    expect(await run()).toEqual(await run());
    expect((await h.admin.listFaults()).seed).toEqual(expect.any(Number));
  });

  it("are validated (400 naming the field)", async () => {
    await expect(h.admin.addFault({ kind: "explode" as never })).rejects.toThrow(/400.*kind/);
    await expect(h.admin.addFault({ kind: "error", probability: 2 })).rejects.toThrow(/400.*probability/);
  });
});

describe("the request log", () => {
  it("records each public-API request with what tests need to count", async () => {
    await launch();
    await read();
    await h.post("/v1/dag/status", readBody, { token: null });
    const log = await h.admin.requests();
    expect(log).toHaveLength(3);
    expect(log.map((e) => e.seq)).toEqual([...log.map((e) => e.seq)].sort((a, b) => a - b));
    expect(log[0]).toMatchObject({
      method: "POST",
      path: "/v1/dag/launch",
      action: "launch_job",
      account: "000099",
      configuration_type: "table-to-table",
      configuration_id: PREPARE_PDA.configuration_id,
      status: 200,
      auth_ok: true,
      fault: null,
      http_version: "1.1",
    });
    expect(log[0]?.run_id).toEqual(expect.any(String));
    expect(log[2]).toMatchObject({ status: 401, auth_ok: false, run_id: null });
    expect(new Date(log[0]?.time as string).getTime()).toBeGreaterThan(0);
  });

  it("filters by action and by sequence number, and can be cleared", async () => {
    await launch();
    await read();
    await read();
    expect(await h.admin.requests({ action: "get_last_status" })).toHaveLength(2);
    const all = await h.admin.requests();
    expect(await h.admin.requests({ since: all[0]?.seq })).toHaveLength(2);
    expect(await h.admin.clearRequests()).toBe(3);
    expect(await h.admin.requests()).toEqual([]);
    await read();
    expect((await h.admin.requests())[0]?.seq).toBeGreaterThan(all[2]?.seq as number);
  });

  it("ties each answer to its entry by x-request-id", async () => {
    const r = await read();
    const [entry] = await h.admin.requests();
    expect(r.headers["x-request-id"]).toBe(entry?.request_id);
    expect(entry?.request_id).toMatch(new RegExp(`^[0-9a-f]{8}-${entry?.seq}$`));
  });

  it("dates answers on the emulated clock", async () => {
    const before = await h.admin.advanceClock(10 * 86_400);
    const r = await read();
    const after = await h.admin.clock();
    const date = Date.parse(r.headers.date as string); // whole seconds
    expect(date).toBeGreaterThanOrEqual(Math.floor(before.now_us / 1e6) * 1000);
    expect(date).toBeLessThanOrEqual(after.now_us / 1000);
  });

  it("answers without a Date header while the switch is off, until the faults are cleared or reset", async () => {
    await h.admin.setDateHeader(false);
    expect((await h.admin.listFaults()).date_header).toBe(false);
    const without = await read();
    expect(without.status).toBe(200);
    expect(without.headers.date).toBeUndefined(); // not even node's own, on the wall clock
    expect((await launch()).headers.date).toBeUndefined();
    await h.admin.clearFaults();
    expect((await read()).headers.date).toEqual(expect.any(String));
    await h.admin.setDateHeader(false);
    await h.admin.reset();
    expect((await read()).headers.date).toEqual(expect.any(String));
  });

  it("does not log admin API calls", async () => {
    await h.admin.listRuns();
    await h.admin.clock();
    expect(await h.admin.requests()).toEqual([]);
  });
});
