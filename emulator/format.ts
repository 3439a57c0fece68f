/**
 * Wire formats of dates, durations and run ids, as the docs print them.
 *
 * The API is a Python service: its dates are `datetime.isoformat()` (microseconds,
 * `+00:00`, and no fraction at all when it is zero, as the storage runs in the docs
 * show) and its durations are `str(timedelta)` ("0:01:24.002519"). Times are kept
 * as integer microseconds since the epoch (safe in a double until year 2255).
 */
import { randomUUID } from "node:crypto";

/** Microseconds per second. */
export const US_PER_SECOND = 1_000_000;
const US_PER_DAY = 86_400 * US_PER_SECOND;

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

/** Formats epoch microseconds like Python's `datetime.isoformat()` in UTC: `2020-12-30T11:30:07.960767+00:00`. */
export function formatIsoDate(us: number): string {
  const seconds = Math.floor(us / US_PER_SECOND);
  const fraction = us - seconds * US_PER_SECOND;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return fraction === 0 ? `${base}+00:00` : `${base}.${pad(fraction, 6)}+00:00`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses an ISO 8601 date-time (offset optional, UTC assumed) into epoch microseconds; undefined when invalid. */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  const fraction = m[7] === undefined ? 0 : Number(m[7].padEnd(6, "0"));
  let offsetUs = 0;
  const offset = m[8];
  if (offset !== undefined && offset !== "Z") {
    const sign = offset.startsWith("-") ? -1 : 1;
    const digits = offset.slice(1).replace(":", "");
    offsetUs = sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4)) * 60) * US_PER_SECOND;
  }
  return ms * 1000 + fraction - offsetUs;
}

/** Formats a duration in microseconds like Python's `str(timedelta)`: `0:01:24.002519`, `1 day, 2:00:00`. */
export function formatDuration(us: number): string {
  const total = Math.max(0, Math.round(us));
  const days = Math.floor(total / US_PER_DAY);
  let rest = total - days * US_PER_DAY;
  const hours = Math.floor(rest / (3600 * US_PER_SECOND));
  rest -= hours * 3600 * US_PER_SECOND;
  const minutes = Math.floor(rest / (60 * US_PER_SECOND));
  rest -= minutes * 60 * US_PER_SECOND;
  const seconds = Math.floor(rest / US_PER_SECOND);
  const fraction = rest - seconds * US_PER_SECOND;
  const clock = `${hours}:${pad(minutes, 2)}:${pad(seconds, 2)}${fraction === 0 ? "" : `.${pad(fraction, 6)}`}`;
  return days === 0 ? clock : `${days} day${days === 1 ? "" : "s"}, ${clock}`;
}

const DURATION = /^(?:(\d+) days?, )?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** Parses `str(timedelta)` text, or a number of seconds, into microseconds; undefined when invalid. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * US_PER_SECOND) : undefined;
  }
  const m = DURATION.exec(value);
  if (!m) return undefined;
  const minutes = Number(m[3]);
  const seconds = Number(m[4]);
  if (minutes > 59 || seconds > 59) return undefined;
  const days = m[1] === undefined ? 0 : Number(m[1]);
  const fraction = m[5] === undefined ? 0 : Number(m[5].padEnd(6, "0"));
  return ((days * 24 + Number(m[2])) * 3600 + minutes * 60 + seconds) * US_PER_SECOND + fraction;
}

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
