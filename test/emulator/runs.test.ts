/**
 * The life of runs: WAITING -> RUNNING -> SUCCESS/FAILED on the emulated clock,
 * scripted durations and outcomes, the max_active_runs queue, DEACTIVATED, and
 * progress with nobody polling.
 */

import { ACTION_PATHS, type Action } from "../../provider/client/schemas";
import { parseIsoDate } from "../../provider/client/wire";
import { closeAll, type Harness, LOAD_PDA, PREPARE_PDA, startEmulator, waitFor } from "./helpers/harness";

let h: Harness;
beforeAll(async () => {
  h = await startEmulator();
});
afterAll(closeAll);
beforeEach(async () => {
  await h.admin.reset();
});

async function call(action: Action, fields: Record<string, unknown>) {
  const r = await h.post(ACTION_PATHS[action], { action, ...fields });
  expect(r.status).toBe(200);
  return r.body;
}
const launch = async (identity: Record<string, unknown> = PREPARE_PDA): Promise<string> => (await call("launch_job", identity)).run_id;
const run = async (runId: string, identity: { configuration_id: string } & Record<string, unknown> = PREPARE_PDA) =>
  (await call("check_run_status", { ...identity, job_id: `gbq-to-gbq|${identity.configuration_id}`, run_id: runId })).results[0];
const seconds = (a: string, b: string) => ((parseIsoDate(b) as number) - (parseIsoDate(a) as number)) / 1e6;

describe("a launched run", () => {
  it("runs for its configuration's duration, then succeeds, with timestamps from its own timeline", async () => {
    const id = await launch(); // prepare_pda: 0:01:30, SUCCESS (docs.json)
    await h.admin.advanceClock(89);
    expect((await run(id)).status).toBe("RUNNING");
    await h.admin.advanceClock(3600);
    const done = await run(id);
    expect(done).toMatchObject({ status: "SUCCESS", duration: "0:01:30" });
    // It ended 90 s after it started, not when someone looked.
    expect(seconds(done.start_execution_date, done.last_update_date)).toBe(90);
  });

  it("follows the next scripted launches in order, then the configuration's behaviour again", async () => {
    const pending = await h.admin.scriptLaunches(PREPARE_PDA, [
      { duration: 5, outcome: "FAILED" },
      { duration: "0:00:07.250000", outcome: "SUCCESS" },
    ]);
    expect(pending).toBe(2);
    await h.admin.updateConfiguration({ ...PREPARE_PDA, max_active_runs: null });
    const [a, b, c] = [await launch(), await launch(), await launch()] as [string, string, string];
    expect((await h.admin.listConfigurations(PREPARE_PDA))[0]?.pending_scripted_launches).toBe(0);
    await h.admin.advanceClock(600);
    expect(await run(a)).toMatchObject({ status: "FAILED", duration: "0:00:05" });
    expect(await run(b)).toMatchObject({ status: "SUCCESS", duration: "0:00:07.250000" });
    expect(await run(c)).toMatchObject({ status: "SUCCESS", duration: "0:01:30" });
  });

  it("takes a configured 1-hour duration and outcome from the admin API", async () => {
    await h.admin.updateConfiguration({ ...PREPARE_PDA, run: { duration: "1:00:00", outcome: "FAILED" } });
    const id = await launch();
    await h.admin.advanceClock(3599);
    expect((await run(id)).status).toBe("RUNNING");
    await h.admin.advanceClock(1);
    expect(await run(id)).toMatchObject({ status: "FAILED", duration: "1:00:00" });
  });

  it("can be set RUNNING out of band for a given time, then ends with the given outcome", async () => {
    const id = await launch();
    await h.admin.setRunStatus(id, "FAILED");
    await h.admin.setRunStatus(id, "RUNNING", { duration: 10, outcome: "SUCCESS" });
    expect((await run(id)).status).toBe("RUNNING");
    await h.admin.advanceClock(10);
    expect(await run(id)).toMatchObject({ status: "SUCCESS", duration: "0:00:10" });
  });
});

describe("progress with nobody polling", () => {
  it("a 1-hour job on a clock 3600x faster ends by itself within milliseconds", async () => {
    const fast = await startEmulator({ clockSpeed: 3600 });
    await fast.admin.updateConfiguration({ ...PREPARE_PDA, run: { duration: "1:00:00" } });
    const r = await fast.post("/v1/dag/launch", { action: "launch_job", ...PREPARE_PDA });
    const store = fast.emulator.internals.store;
    // Read the database directly: no API read is there to bring the run up to date.
    const ended = await waitFor(() => store.runById(r.body.run_id)?.status === "SUCCESS", "the run to end on its timer", 5000);
    expect(ended).toBe(true);
    expect(store.runById(r.body.run_id)?.duration_us).toBe(3600 * 1e6);
  });
});

describe("progress with nobody polling, after a clock advance", () => {
  it("re-arms the timer: a run due sooner after an advance ends on time, not at its old real time", async () => {
    const slow = await startEmulator({ clockSpeed: 1 });
    await slow.admin.updateConfiguration({ ...PREPARE_PDA, run: { duration: 3600 } }); // an hour of real time
    const r = await slow.post("/v1/dag/launch", { action: "launch_job", ...PREPARE_PDA });
    await slow.admin.advanceClock(3599.95); // 50 ms left
    const store = slow.emulator.internals.store;
    await waitFor(() => store.runById(r.body.run_id)?.status === "SUCCESS", "the run to end 50 ms later, on its timer", 5000);
  });
});

describe("max_active_runs", () => {
  it("queues launches WAITING behind the running one (1 for table-to-table) and starts them in order", async () => {
    const [a, b, c] = [await launch(), await launch(), await launch()] as [string, string, string];
    expect([(await run(a)).status, (await run(b)).status, (await run(c)).status]).toEqual(["RUNNING", "WAITING", "WAITING"]);
    expect((await run(b)).duration).toBe("0:00:00");
    await h.admin.advanceClock(90);
    expect([(await run(a)).status, (await run(b)).status, (await run(c)).status]).toEqual(["SUCCESS", "RUNNING", "WAITING"]);
    await h.admin.advanceClock(3600);
    const runs = [await run(a), await run(b), await run(c)];
    expect(runs.map((x) => x.status)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS"]);
    // One after the other: each ended 90 s after the previous one.
    expect(seconds(runs[0].last_update_date, runs[1].last_update_date)).toBe(90);
    expect(seconds(runs[1].last_update_date, runs[2].last_update_date)).toBe(90);
    expect(runs.map((x) => x.duration)).toEqual(["0:01:30", "0:01:30", "0:01:30"]);
  });

  it("frees the slot when the running run is set FAILED by hand", async () => {
    const [a, b] = [await launch(), await launch()] as [string, string];
    await call("set_run_status", {
      account: "000099",
      configuration_type: "table-to-table",
      configuration_id: PREPARE_PDA.configuration_id,
      run_id: a,
      status: "FAILED",
    });
    expect((await run(b)).status).toBe("RUNNING");
  });

  it("starts waiting runs when the limit is raised, and runs everything at once when unlimited", async () => {
    const ids = [await launch(), await launch(), await launch()];
    await h.admin.updateConfiguration({ ...PREPARE_PDA, max_active_runs: 2 });
    expect(await Promise.all(ids.map(async (id) => (await run(id)).status))).toEqual(["RUNNING", "RUNNING", "WAITING"]);
    await h.admin.updateConfiguration({ ...PREPARE_PDA, max_active_runs: null });
    expect(await Promise.all(ids.map(async (id) => (await run(id)).status))).toEqual(["RUNNING", "RUNNING", "RUNNING"]);
  });

  it("ends queued runs DEACTIVATED when the configuration was disabled before they could start", async () => {
    const [a, b] = [await launch(), await launch()] as [string, string];
    await call("set_configuration_status", { ...PREPARE_PDA, activated: false, archived: false });
    expect((await run(a)).status).toBe("RUNNING"); // a running run is not stopped
    await h.admin.advanceClock(90);
    expect(await run(a)).toMatchObject({ status: "SUCCESS" });
    expect(await run(b)).toMatchObject({ status: "DEACTIVATED", duration: "0:00:00" });
  });
});

describe("the emulated clock", () => {
  it("only moves forward", async () => {
    const t1 = await h.admin.clock();
    const t2 = await h.admin.advanceClock(0);
    expect(t2.now_us).toBeGreaterThanOrEqual(t1.now_us);
    await expect(h.admin.advanceClock(-5)).rejects.toThrow(/400/);
  });

  it("accepts H:MM:SS advances", async () => {
    const t1 = await h.admin.clock();
    const t2 = await h.admin.advanceClock("2:00:00");
    expect(t2.now_us - t1.now_us).toBeGreaterThanOrEqual(7200 * 1e6);
  });

  it("shows launches at the advanced time", async () => {
    const before = await h.admin.advanceClock(86_400 * 400);
    const r = await run(await launch(LOAD_PDA), LOAD_PDA);
    const after = await h.admin.clock();
    expect(seconds(before.now, r.start_execution_date)).toBeGreaterThanOrEqual(0);
    expect(seconds(r.start_execution_date, after.now)).toBeGreaterThanOrEqual(0);
  });
});
