/** How often a waiting `pulumi up` looks at its run: few calls for long runs, and a prompt end when the usual duration is known. */
import type { Run } from "../../provider/client/schemas";
import { parseDurationMs } from "../../provider/client/wire";
import { expectedDurationMs, PollSchedule } from "../../provider/resources/polling";

/** Replays a schedule against a run that RUNs for `durationMs`: the checks made, and how late the end was seen. */
function replay(durationMs: number, initialMs: number, expectedMs?: number): { calls: number; lateMs: number } {
  const schedule = new PollSchedule(initialMs, expectedMs);
  let now = 0;
  let calls = 0;
  for (;;) {
    calls++;
    if (now >= durationMs) return { calls, lateMs: now - durationMs };
    now += schedule.next(now);
  }
}

const run = (duration: string, status: Run["status"] = "SUCCESS", job = "gbq-to-gbq|x"): Run => ({
  account: "000099",
  configuration_id: "x",
  configuration_type: "table-to-table",
  duration,
  environment: "DEV",
  job_id: job,
  run_id: `r-${Math.random()}`,
  start_execution_date: "2026-11-27T00:00:00+00:00",
  status,
});

describe("without history", () => {
  test("the interval grows by 1.5 from pollIntervalSeconds, up to 30 s", () => {
    const schedule = new PollSchedule(2000);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(() => schedule.next())).toEqual([2000, 3000, 4500, 6750, 10125, 15188, 22781, 30000, 30000]);
  });
});

describe("with the job's usual duration", () => {
  test.each([
    [10_000, 5],
    [60_000, 9],
    [600_000, 15],
    [3_600_000, 20],
  ])("a %i ms run that ends as usual is seen within a second, in few calls", (durationMs, maxCalls) => {
    const { calls, lateMs } = replay(durationMs, 2000, durationMs);
    expect(lateMs).toBeLessThanOrEqual(1000);
    expect(calls).toBeLessThanOrEqual(maxCalls);
  });

  test("calls grow with the log of the duration, not linearly", () => {
    const tenMinutes = replay(600_000, 2000, 600_000).calls;
    const sixHours = replay(21_600_000, 2000, 21_600_000).calls;
    expect(sixHours).toBeLessThan(tenMinutes * 3); // 36 times longer
  });

  test("a run slower than usual is then checked again quickly, and less and less often", () => {
    const { lateMs } = replay(15_000, 2000, 10_000);
    expect(lateMs).toBeLessThanOrEqual(4000);
  });

  test("a run that fails early is seen within a fifth of its usual duration (or 30 s)", () => {
    const { lateMs } = replay(300_000, 2000, 3_600_000);
    expect(lateMs).toBeLessThanOrEqual(Math.max(30_000, 3_600_000 / 5));
  });
});

describe("the usual duration", () => {
  test("is the median of the newest successful runs of the job", () => {
    const runs = [run("0:01:00"), run("0:09:00", "FAILED"), run("0:02:00"), run("0:03:00"), run("0:10:00", "SUCCESS", "other|job")];
    expect(expectedDurationMs(runs, "gbq-to-gbq|x")).toBe(120_000);
  });

  test("is unknown without a successful run", () => {
    expect(expectedDurationMs([run("0:01:00", "FAILED")], undefined)).toBeUndefined();
  });

  test("reads durations as the API writes them", () => {
    expect(parseDurationMs("0:01:24.002519")).toBeCloseTo(84_002.519, 3);
    expect(parseDurationMs("26:00:00")).toBe(93_600_000);
    expect(parseDurationMs("soon")).toBeUndefined();
  });

  test("regression: a run over 24 hours ('1 day, 2:00:00', as str(timedelta) and the emulator print it) had no duration", () => {
    expect(parseDurationMs("1 day, 2:00:00")).toBe(26 * 3_600_000);
    expect(parseDurationMs("3 days, 0:00:01.5")).toBe(3 * 86_400_000 + 1_500);
  });
});
