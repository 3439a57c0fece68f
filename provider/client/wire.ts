/**
 * The API's wire formats, written once for the client and the emulator: its dates (Python's
 * `datetime.isoformat()`), its durations (`str(timedelta)`), its key-sorted JSON and the bearer header.
 *
 * The API is a Python service: dates carry microseconds and `+00:00` (no fraction at all when it is
 * zero, as the storage runs in the docs show); durations read "0:01:24.002519", and "1 day, 2:00:00"
 * past 24 hours. Times are integer microseconds since the epoch (safe in a double until year 2255).
 */

/** Microseconds per second. */
export const US_PER_SECOND = 1_000_000;
/** Microseconds per day. */
export const US_PER_DAY = 86_400 * US_PER_SECOND;

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
  return ms * 1000 + fraction - offsetUs(m[8]);
}

function offsetUs(offset: string | undefined): number {
  if (offset === undefined || offset === "Z") return 0;
  const sign = offset.startsWith("-") ? -1 : 1;
  const digits = offset.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4)) * 60) * US_PER_SECOND;
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

/** Parses `str(timedelta)` text ("0:01:24.002519", "2 days, 3:04:05"), or a number of seconds, into microseconds. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * US_PER_SECOND) : undefined;
  }
  const m = DURATION.exec(value.trim());
  if (!m) return undefined;
  const minutes = Number(m[3]);
  const seconds = Number(m[4]);
  if (minutes > 59 || seconds > 59) return undefined;
  const days = m[1] === undefined ? 0 : Number(m[1]);
  const fraction = m[5] === undefined ? 0 : Number(m[5].padEnd(6, "0"));
  return ((days * 24 + Number(m[2])) * 3600 + minutes * 60 + seconds) * US_PER_SECOND + fraction;
}

/** A run's `duration` in milliseconds (see parseDuration), or undefined when it does not parse. */
export function parseDurationMs(duration: string): number | undefined {
  const us = parseDuration(duration);
  return us === undefined ? undefined : us / 1000;
}

/** JSON with object keys sorted at every level, as the API prints it; `dropNulls` also leaves out null members. */
export function sortedJson(value: unknown, { dropNulls = false } = {}): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const member = (v as Record<string, unknown>)[k];
      if (!(dropNulls && member === null)) sorted[k] = member;
    }
    return sorted;
  });
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  return /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
}

/** The `Authorization` header value carrying `token`. */
export function bearerHeader(token: string): string {
  return `Bearer ${token}`;
}
