/**
 * Schedules: a configuration can launch runs on a period, as Tailer's schedules do (seed file or admin
 * API), with an execution-date rule; the runs say they came from the scheduler, and the request log
 * records each scheduled launch. The emulated clock runs at a thousandth of real time: only
 * clock/advance moves it.
 */
import * as path from "node:path";
import { parseIsoDate } from "../../provider/client/wire";
import { closeAll, startEmulator, tempDir, waitFor } from "./helpers/harness";

afterEach(closeAll);

const SLOW_CLOCK = { clockSpeed: 0.001 };
const NIGHTLY = { account: "000099", environment: "DEV", configuration_type: "table-to-table", configuration_id: "nightly_DEV" } as const;
const seedWith = (schedule: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  configurations: [{ ...NIGHTLY, run: { duration: 10 }, schedule, ...extra }],
});
const seconds = (iso: string) => Number(parseIsoDate(iso)) / 1e6;

describe("a schedule", () => {
  it("launches a run every period, at its own instants, from the scheduler; the request log records each launch", async () => {
    const h = await startEmulator({ ...SLOW_CLOCK, seed: seedWith({ every: 60, execution_date: "launch_day" }) });
    const [configured] = await h.admin.listConfigurations(NIGHTLY);
    expect(configured?.schedule).toEqual({ every: "0:01:00", execution_date: "launch_day", next_launch_date: expect.any(String) });
    const first = seconds(configured?.schedule?.next_launch_date as string);

    await h.admin.advanceClock(5 * 60);

    const runs = (await h.admin.listRuns({ ...NIGHTLY })).reverse();
    expect(runs.map((r) => seconds(r.start_execution_date) - first)).toEqual([0, 60, 120, 180, 240]);
    expect(new Set(runs.map((r) => r.origin))).toEqual(new Set(["scheduler"]));
    expect(runs.map((r) => r.execution_date)).toEqual(runs.map((r) => r.start_execution_date.slice(0, 10)));
    expect(runs.map((r) => r.status)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS", "SUCCESS", "RUNNING"]); // each runs 10 s
    expect(runs.every((r) => r.request_id === null && r.token_fingerprint === null)).toBe(true);
    const log = await h.admin.requests({ origin: "scheduler" });
    expect(log.map((e) => e.run_id)).toEqual(runs.map((r) => r.run_id));
    expect(log[0]).toMatchObject({
      action: "launch_job",
      configuration_id: NIGHTLY.configuration_id,
      token_fingerprint: null,
      status: null,
    });
    expect(await h.admin.countRunsByOrigin(NIGHTLY)).toEqual([{ origin: "scheduler", token_fingerprint: null, runs: 5 }]);
  });

  it("launches on its own timer when nobody calls the emulator", async () => {
    const h = await startEmulator({ clockSpeed: 600, seed: seedWith({ every: 60 }) }); // a period every 100 ms
    const store = h.emulator.internals.store;
    const scheduled = () => store.countRunsByOrigin({ origin: "scheduler" })[0]?.runs ?? 0;
    await waitFor(() => scheduled() >= 2, "two scheduled launches without a request");
    expect(h.emulator.internals.requestLog.list().filter((e) => e.origin === "api")).toEqual([]);
  });

  it("dates its runs by the interval they close with execution_date interval_start (as Airflow does)", async () => {
    const h = await startEmulator({
      ...SLOW_CLOCK,
      seed: seedWith({ every: "24:00:00", execution_date: "interval_start", first_launch_date: "2030-01-02T02:00:00+00:00" }),
    });
    await h.admin.advanceClock(Math.max(0, seconds("2030-01-03T03:00:00+00:00") - seconds((await h.admin.clock()).now)));
    const runs = (await h.admin.listRuns({ ...NIGHTLY, origin: "scheduler" })).reverse();
    expect(runs.map((r) => [r.start_execution_date, r.execution_date])).toEqual([
      ["2030-01-02T02:00:00+00:00", "2030-01-01"],
      ["2030-01-03T02:00:00+00:00", "2030-01-02"],
    ]);
  });

  it("is set, changed and removed through the admin API", async () => {
    const h = await startEmulator({ ...SLOW_CLOCK, seed: { configurations: [{ ...NIGHTLY }] } });
    await h.admin.updateConfiguration({ ...NIGHTLY, schedule: { every: 100 } });
    await h.admin.advanceClock(250);
    expect(await h.admin.listRuns({ origin: "scheduler" })).toHaveLength(2);
    await h.admin.updateConfiguration({ ...NIGHTLY, schedule: null });
    await h.admin.advanceClock(1000);
    expect(await h.admin.listRuns({ origin: "scheduler" })).toHaveLength(2);
    expect((await h.admin.listConfigurations(NIGHTLY))[0]?.schedule).toBeNull();
  });

  it("launches DEACTIVATED runs while its configuration is disabled, and nothing while it is archived", async () => {
    const h = await startEmulator({ ...SLOW_CLOCK, seed: seedWith({ every: 60 }, { activated: false }) });
    await h.admin.advanceClock(60);
    expect((await h.admin.listRuns({ origin: "scheduler" })).map((r) => r.status)).toEqual(["DEACTIVATED"]);
    await h.admin.updateConfiguration({ ...NIGHTLY, archived: true });
    await h.admin.advanceClock(600);
    expect(await h.admin.listRuns({ origin: "scheduler" })).toHaveLength(1);
  });

  it("runs beside a second actor launching the same job through the API: each run says who launched it", async () => {
    const h = await startEmulator({ ...SLOW_CLOCK, seed: seedWith({ every: 60 }, { max_active_runs: null }) });
    const other = h.emulator.mintToken({ extraClaims: { actor: "someone else" } });
    for (const token of [h.token, other, other]) {
      expect((await h.post("/v1/dag/launch", { action: "launch_job", ...NIGHTLY }, { token })).status).toBe(200);
    }
    await h.admin.advanceClock(120);
    const byToken = Object.fromEntries(
      (await h.admin.requests({ action: "launch_job", origin: "api" })).map((e) => [e.token_fingerprint, e]),
    );
    expect(Object.keys(byToken)).toHaveLength(2);
    const counts = await h.admin.countRunsByOrigin(NIGHTLY);
    expect(counts).toEqual(
      expect.arrayContaining([
        { origin: "launch", token_fingerprint: expect.any(String), runs: 1 },
        { origin: "launch", token_fingerprint: expect.any(String), runs: 2 },
        { origin: "scheduler", token_fingerprint: null, runs: 2 },
      ]),
    );
    expect(counts).toHaveLength(3);
  });

  it("is refused for configurations the API cannot launch, naming the field", async () => {
    const h = await startEmulator({ seed: null });
    await expect(
      h.admin.putConfigurations([
        {
          account: "000099",
          environment: "DEV",
          configuration_type: "storage-to-storage",
          configuration_id: "sts",
          schedule: { every: 60 },
        },
      ]),
    ).rejects.toThrow(/400.*schedule: storage-to-storage configurations cannot be launched/);
    await expect(h.admin.putConfigurations([{ ...NIGHTLY, schedule: { every: 0 } }])).rejects.toThrow(
      /400.*every must be at least 1 second/,
    );
  });

  it("keeps its pace across a restart: launches due while the emulator was down happen at their own times", async () => {
    const database = path.join(tempDir("emu-schedule-"), "state.db");
    const first = await startEmulator({ ...SLOW_CLOCK, database, seed: seedWith({ every: 60 }) });
    const next = seconds((await first.admin.listConfigurations(NIGHTLY))[0]?.schedule?.next_launch_date as string);
    await first.admin.advanceClock(60);
    await first.emulator.close();
    const second = await startEmulator({ ...SLOW_CLOCK, database });
    await second.admin.advanceClock(120);
    const starts = (await second.admin.listRuns({ origin: "scheduler" })).map((r) => seconds(r.start_execution_date) - next).reverse();
    expect(starts.slice(0, 3)).toEqual([0, 60, 120]);
  });
});
