/**
 * The hard faults (issue 11): a launch performed late after a 502/504 or a held request, responses
 * dropped before or after processing, a 2xx with a garbled body after the launch, runs that show up
 * in the public API only after a visibility delay; every decision deterministic by the fault seed, per
 * action. The emulated clock runs at a thousandth of real time here, so only clock/advance moves it.
 */
import * as http from "node:http";
import { DOCS_SEED } from "../../emulator/index";
import type { RequestLogEntry } from "../../emulator/request-log";
import { LaunchJobResponse } from "../../provider/client/schemas";
import { parseIsoDate } from "../../provider/client/wire";
import { closeAll, expectNoAnswer, type Harness, LAUNCHED_RUN_ID, PREPARE_PDA, startEmulator, waitFor } from "./helpers/harness";

const SLOW_CLOCK = { clockSpeed: 0.001 };
let h: Harness;
beforeAll(async () => {
  h = await startEmulator({ ...SLOW_CLOCK, faultSeed: 11 });
});
afterAll(closeAll);
beforeEach(async () => {
  await h.admin.reset(); // clears faults, late actions and the request log; restarts the fault RNG
});

const JOB = "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV";
const launchBody = { action: "launch_job", ...PREPARE_PDA };
const launch = (e: Harness = h) => e.post("/v1/dag/launch", launchBody);
const lastStatus = () => h.post("/v1/dag/status", { action: "get_last_status", ...PREPARE_PDA, limit: 20 });
const checkRun = (runId: string) => h.post("/v1/dag/status", { action: "check_run_status", ...PREPARE_PDA, job_id: JOB, run_id: runId });
const launchEntries = () => h.admin.requests({ action: "launch_job" });
const launchedRuns = () => h.admin.listRuns({ origin: "launch" });
/** The first launch_job entry, once the request log has one (a held request is logged while it waits). */
const firstLaunchEntry = (): Promise<RequestLogEntry> => waitFor(async () => (await launchEntries())[0], "a launch_job request in the log");
const shownRunIds = async (): Promise<string[]> => (await lastStatus()).body.results.map((r: { run_id: string }) => r.run_id);

describe("late_processing", () => {
  it.each([504, 502] as const)(
    "answers %i at once, performs the launch delay_ms later, attributed to the original request though the client retried",
    async (status) => {
      await h.admin.addFault({ kind: "late_processing", action: "launch_job", status, delay_ms: 5000, max_count: 1 });
      const first = await launch();
      expect(first.status).toBe(status);
      expect(first.body).toEqual({ code: status, data: {}, message: `injected fault: HTTP ${status}` });
      const retry = await launch();
      expect(retry.status).toBe(200);

      const [late, retried] = (await launchEntries()) as [RequestLogEntry, RequestLogEntry];
      expect(late).toMatchObject({ fault: "late_processing", status, run_id: null, performed_at: null, delayed_until: expect.any(String) });
      expect((await launchedRuns()).map((r) => r.request_id)).toEqual([retried.request_id]);
      expect((await h.admin.info()).pending_late_actions).toBe(1);

      await h.admin.advanceClock(5);

      const [performed] = (await launchEntries()) as [RequestLogEntry];
      expect(performed.run_id).toMatch(LAUNCHED_RUN_ID);
      expect(performed.performed_at).toBe(late.delayed_until);
      const [run] = await h.admin.listRuns({ run_id: performed.run_id as string });
      expect(run).toMatchObject({
        origin: "launch",
        request_id: late.request_id,
        request_seq: late.seq,
        token_fingerprint: late.token_fingerprint,
        start_execution_date: late.delayed_until,
      });
      expect((await checkRun(performed.run_id as string)).status).toBe(200);
      expect(await launchedRuns()).toHaveLength(2);
      expect((await h.admin.info()).pending_late_actions).toBe(0);
    },
  );

  it("hold: no answer while the client waits; the launch happens delay_ms later and the waiting client then gets the status", async () => {
    await h.admin.addFault({ kind: "late_processing", action: "launch_job", hold: true, delay_ms: 30_000, max_count: 1 });
    const answer = launch();
    answer.catch(() => undefined); // awaited below; a failed assertion before must not leave it unhandled
    const held = await firstLaunchEntry();
    expect(held).toMatchObject({ fault: "late_processing", status: null, performed_at: null });
    expect(await launchedRuns()).toEqual([]);

    await h.admin.advanceClock(30);

    expect((await answer).status).toBe(504);
    const [entry] = await launchEntries();
    expect(entry).toMatchObject({ status: 504, performed_at: held.delayed_until, run_id: expect.stringMatching(LAUNCHED_RUN_ID) });
    expect((await launchedRuns())[0]).toMatchObject({ run_id: entry?.run_id, request_id: held.request_id });
  });

  it("hold: a client that gives up hears nothing, and the launch still happens later", async () => {
    await h.admin.addFault({ kind: "late_processing", action: "launch_job", hold: true, delay_ms: 20_000, max_count: 1 });
    const headers = { "content-type": "application/json", authorization: `Bearer ${h.token}` };
    const req = http.request(`${h.url}/v1/dag/launch`, { method: "POST", agent: false, headers });
    let answered = false;
    req.on("response", () => {
      answered = true;
    });
    const closed = new Promise((resolve) => req.on("close", resolve));
    req.on("error", () => undefined);
    req.end(JSON.stringify(launchBody));
    await firstLaunchEntry();
    req.destroy(); // the client's timeout
    await closed;

    await h.admin.advanceClock(20);

    expect(answered).toBe(false);
    const [entry] = await launchEntries();
    expect(entry).toMatchObject({ status: null, run_id: expect.stringMatching(LAUNCHED_RUN_ID), performed_at: entry?.delayed_until });
    expect(await launchedRuns()).toHaveLength(1);
  });

  it("a request refused at the gateway (401) is answered the fault's status and never performed", async () => {
    await h.admin.addFault({ kind: "late_processing", action: "launch_job", delay_ms: 1000, max_count: 1 });
    expect((await h.post("/v1/dag/launch", launchBody, { token: "not-a-jwt" })).status).toBe(504);
    await h.admin.advanceClock(2);
    expect(await launchEntries()).toEqual([expect.objectContaining({ error_code: "jwt_bad_format", performed_at: null, run_id: null })]);
    expect(await launchedRuns()).toEqual([]);
  });
});

describe("drop_response", () => {
  it("before processing: no answer, and no run (a retry is safe)", async () => {
    await h.admin.addFault({ kind: "drop_response", when: "before", action: "launch_job", max_count: 1 });
    const error = await expectNoAnswer(`${h.url}/v1/dag/launch`, launchBody, h.token);
    expect(["ECONNRESET", "EPIPE"]).toContain(error.code ?? error.message);
    expect(await launchEntries()).toEqual([
      expect.objectContaining({ fault: "drop_response", auth_ok: true, status: null, run_id: null, performed_at: null }),
    ]);
    expect(await launchedRuns()).toEqual([]);
  });

  it("after processing: no answer, but the run exists (a blind retry would launch twice)", async () => {
    await h.admin.addFault({ kind: "drop_response", when: "after", action: "launch_job", max_count: 1 });
    const error = await expectNoAnswer(`${h.url}/v1/dag/launch`, launchBody, h.token);
    expect(["ECONNRESET", "EPIPE"]).toContain(error.code ?? error.message);
    const [entry] = await launchEntries();
    expect(entry).toMatchObject({ fault: "drop_response", status: 200, performed_at: expect.any(String) });
    expect((await launchedRuns()).map((r) => r.run_id)).toEqual([entry?.run_id]);
    expect(await shownRunIds()).toContain(entry?.run_id);
  });
});

describe("garbled_body", () => {
  it.each([
    ["truncated", "application/json"],
    ["html", "text/html; charset=utf-8"],
    ["bad_run_id", "application/json"],
  ] as const)("%s: a 200 the client cannot use, after the launch was performed", async (garble, contentType) => {
    await h.admin.addFault({ kind: "garbled_body", garble, action: "launch_job", max_count: 1 });
    const r = await launch();
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe(contentType);
    expect(LaunchJobResponse.safeParse(r.body).success).toBe(false);
    const [entry] = await launchEntries();
    expect(entry).toMatchObject({ fault: "garbled_body", status: 200, run_id: expect.stringMatching(LAUNCHED_RUN_ID) });
    expect((await launchedRuns()).map((run) => run.run_id)).toEqual([entry?.run_id]);
  });

  it("bad_run_id prints every run id of a listing as Python's None", async () => {
    await h.admin.addFault({ kind: "garbled_body", garble: "bad_run_id", action: "get_last_status", max_count: 1 });
    const r = await lastStatus();
    expect(r.body.results.length).toBeGreaterThan(0);
    expect(new Set(r.body.results.map((run: { run_id: string }) => run.run_id))).toEqual(new Set(["None"]));
  });
});

describe("visibility delay", () => {
  it("a rule: launch_job returns the id at once; the run shows in the public API once delay_ms passed on the emulated clock", async () => {
    await h.admin.addFault({ kind: "visibility_delay", action: "launch_job", delay_ms: 10_000 });
    const { body } = await launch();
    expect(body.run_id).toMatch(LAUNCHED_RUN_ID);
    const byStatus = async () =>
      (
        await h.post("/v1/dag/status", {
          action: "get_by_status",
          account: "000099",
          configuration_type: "table-to-table",
          status: "RUNNING",
        })
      ).body.results;
    expect(await shownRunIds()).not.toContain(body.run_id);
    expect((await checkRun(body.run_id)).status).toBe(404);
    expect(await byStatus()).toEqual([]);
    const [run] = await h.admin.listRuns({ run_id: body.run_id });
    expect(Number(parseIsoDate(run?.visible_date as string)) - Number(parseIsoDate(run?.start_execution_date as string))).toBe(10_000_000);

    await h.admin.advanceClock(9);
    expect(await shownRunIds()).not.toContain(body.run_id);
    await h.admin.advanceClock(1);
    expect(await shownRunIds()).toContain(body.run_id);
    expect((await checkRun(body.run_id)).status).toBe(200);
    expect((await byStatus()).map((r: { run_id: string }) => r.run_id)).toEqual([body.run_id]);
    expect((await launchEntries())[0]?.visibility_delay_ms).toBe(10_000);
  });

  it("the global setting delays every new run, and a reset turns it off", async () => {
    await h.admin.setVisibilityDelay(3000);
    expect((await h.admin.listFaults()).visibility_delay_ms).toBe(3000);
    const { body } = await launch();
    expect(await shownRunIds()).not.toContain(body.run_id);
    await h.admin.advanceClock(3);
    expect(await shownRunIds()).toContain(body.run_id);
    await h.admin.reset();
    expect((await h.admin.listFaults()).visibility_delay_ms).toBe(0);
  });
});

describe("determinism by seed, per action", () => {
  const RULES = [
    { id: "late", kind: "late_processing", action: "launch_job", probability: 0.25, delay_ms: 1000, delay_max_ms: 60_000 },
    { id: "drop", kind: "drop_response", when: "before", action: "launch_job", probability: 0.25 },
    { id: "garbled", kind: "garbled_body", action: "launch_job", probability: 0.3 },
    { id: "hidden", kind: "visibility_delay", action: "launch_job", probability: 0.5, delay_ms: 0, delay_max_ms: 5000 },
    { id: "flaky-reads", kind: "error", status: 503, action: "get_last_status", probability: 0.5 },
  ] as const;

  /** What happened to each launch: the fault rule, the late delay drawn, the visibility delay drawn. */
  async function launchDecisions(e: Harness, readsBetween: number): Promise<string[]> {
    await e.admin.addFaults([...RULES]);
    for (let i = 0; i < 40; i++) {
      await launch(e).catch(() => undefined); // a dropped launch has no answer
      for (let j = 0; j < readsBetween; j++) await e.post("/v1/dag/status", { action: "get_last_status", ...PREPARE_PDA });
    }
    const delay = (x: RequestLogEntry) =>
      x.delayed_until === null ? 0 : Math.round((Number(parseIsoDate(x.delayed_until)) - Number(parseIsoDate(x.emulated_time))) / 1000);
    return (await e.admin.requests({ action: "launch_job" })).map((x) => `${x.fault_rule}/${delay(x)}/${x.visibility_delay_ms}`);
  }

  it("the same seed gives each action the same decisions, whatever the other actions drew in between", async () => {
    const quiet = await launchDecisions(await startEmulator({ ...SLOW_CLOCK, faultSeed: 2024 }), 0);
    const busy = await launchDecisions(await startEmulator({ ...SLOW_CLOCK, faultSeed: 2024 }), 2);
    const other = await launchDecisions(await startEmulator({ ...SLOW_CLOCK, faultSeed: 2025 }), 0);
    expect(busy).toEqual(quiet);
    expect(other).not.toEqual(quiet);
    expect(new Set(quiet.map((d) => d.split("/")[0]))).toEqual(new Set(["late", "drop", "garbled", "null"]));
  });

  it("a reset replays the same decisions", async () => {
    const first = await launchDecisions(h, 1);
    await h.admin.reset();
    expect(await launchDecisions(h, 1)).toEqual(first);
  });
});

describe("fault rules", () => {
  it("are checked per kind, naming the field", async () => {
    await expect(h.admin.addFault({ kind: "late_processing", delay_ms: 61_000 })).rejects.toThrow(/400.*delay_ms/);
    await expect(h.admin.addFault({ kind: "late_processing", status: 503 as never })).rejects.toThrow(/400.*status/);
    await expect(h.admin.addFault({ kind: "error", when: "before" } as never)).rejects.toThrow(/400.*"when"/);
    await expect(h.admin.addFault({ kind: "visibility_delay", delay_ms: 500, delay_max_ms: 100 })).rejects.toThrow(
      /400.*delay_max_ms: must not be less than delay_ms/,
    );
  });

  it("come from the seed file too, at start and again on every reset", async () => {
    const rules = [{ id: "slow-launch", kind: "late_processing", action: "launch_job", delay_ms: 2000 }];
    const e = await startEmulator({ seed: { ...(DOCS_SEED as object), faults: { seed: 77, visibility_delay_ms: 250, rules } } });
    const expected = {
      seed: 77,
      visibility_delay_ms: 250,
      faults: [{ id: "slow-launch", kind: "late_processing", delay_ms: 2000, delay_max_ms: null, status: 504, hold: false, applied: 0 }],
    };
    expect(await e.admin.listFaults()).toMatchObject(expected);
    await e.admin.clearFaults();
    await e.admin.reset();
    expect(await e.admin.listFaults()).toMatchObject(expected);
  });
});
