/**
 * What the emulator makes of the wire formats (provider/client/wire.ts): new run ids, execution dates
 * and the UTC days get_last_status filters on, and the wall clock in microseconds.
 */
import { randomUUID } from "node:crypto";
import { US_PER_DAY } from "../provider/client/wire";

/** A new run id for a run launched at `us`: `YYYYMMDD-HHMMSS-<uuid4>` in UTC, as the docs show. */
export function newRunId(us: number, uuid: string = randomUUID()): string {
  const iso = new Date(Math.floor(us / 1000)).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}-${uuid}`;
}

/** Normalizes an execution date given as `YYYY-MM-DD` or `YYYY/MM/DD` (older docs) to `YYYY-MM-DD`. */
export function normalizeExecutionDate(text: string): string {
  return text.replace(/\//g, "-");
}

/** The [start, end) epoch-microsecond bounds of a UTC day named `YYYY-MM-DD` (or with slashes). */
export function utcDayBounds(day: string): [number, number] {
  const [y, m, d] = normalizeExecutionDate(day).split("-").map(Number) as [number, number, number];
  const start = Date.UTC(y, m - 1, d) * 1000;
  return [start, start + US_PER_DAY];
}

/** The current wall-clock time in epoch microseconds (millisecond resolution). */
export function wallClockUs(): number {
  return Date.now() * 1000;
}
