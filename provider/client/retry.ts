/**
 * The retry policy: its defaults in one place (as undici's RetryHandler keeps them), units in the names,
 * and the pure functions that decide whether and when to try again.
 */

/** How the client retries failed calls. */
export interface RetryPolicy {
  /** Attempts per logical call, the first included. 1 disables retries. */
  maxAttempts: number;
  /** Delay before the first retry. */
  minTimeoutMs: number;
  /** Largest delay between two attempts (Retry-After is honoured up to maxRetryAfterMs instead). */
  maxTimeoutMs: number;
  /** Growth of the delay per attempt. */
  timeoutFactor: number;
  /** Largest Retry-After the client will wait for; a longer one ends the call. */
  maxRetryAfterMs: number;
  /** Total time budget of one logical call, its waits included. */
  maxElapsedMs: number;
  /** HTTP statuses worth retrying. */
  statusCodes: readonly number[];
}

/** The defaults: 5 attempts within 2 minutes, 250 ms doubling to 10 s, jittered. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  minTimeoutMs: 250,
  maxTimeoutMs: 10_000,
  timeoutFactor: 2,
  maxRetryAfterMs: 60_000,
  maxElapsedMs: 120_000,
  statusCodes: Object.freeze([429, 500, 502, 503, 504]),
});

/** Merges user settings over the defaults and checks them, naming the bad setting. */
export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...stripUndefined(overrides) };
  const positive: (keyof RetryPolicy)[] = ["maxAttempts", "timeoutFactor"];
  const nonNegative: (keyof RetryPolicy)[] = ["minTimeoutMs", "maxTimeoutMs", "maxRetryAfterMs", "maxElapsedMs"];
  for (const key of positive) {
    const v = policy[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 1)
      throw new RangeError(`retry setting ${key} must be a number >= 1, got ${String(v)}`);
  }
  for (const key of nonNegative) {
    const v = policy[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
      throw new RangeError(`retry setting ${key} must be a number >= 0, got ${String(v)}`);
  }
  policy.maxAttempts = Math.floor(policy.maxAttempts);
  return policy;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The wait before retry number `retry` (1 for the first retry): exponential with "equal jitter"
 * (half fixed, half random), so that many clients failing together do not retry together, yet no
 * wait collapses to zero. A server's Retry-After wins when it is longer.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxTimeoutMs, policy.minTimeoutMs * policy.timeoutFactor ** Math.max(0, retry - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.max(Math.round(jittered), retryAfterMs ?? 0);
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds from `nowMs`. */
export function parseRetryAfterMs(header: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Error codes (Node and undici) that mean the connection failed or was cut. */
const NETWORK_ERROR_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_REQ_RETRY",
  "ERR_HTTP2_STREAM_ERROR",
  "ERR_HTTP2_SESSION_ERROR",
  "ERR_HTTP2_GOAWAY_SESSION",
  "ERR_HTTP2_INVALID_SESSION",
  "ERR_HTTP2_STREAM_CANCEL",
]);

/** Codes after which the request certainly never reached the server. */
const NOT_SENT_ERROR_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/** How a failed attempt relates to the server's state. */
export type FailureKind =
  /** The server certainly did not act on the request (connect failure, 429): a retry is always safe. */
  | "not-processed"
  /** The server may have acted (timeout, reset, 5xx): only idempotent calls may simply retry. */
  | "ambiguous"
  /** Retrying cannot help (4xx other than 429, bad response). */
  | "final";

/** The code of a Node/undici error, looking through `cause` chains. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Classifies a transport error (no HTTP answer). */
export function classifyTransportError(error: unknown, timedOut: boolean): FailureKind {
  if (timedOut) return "ambiguous";
  const code = networkErrorCode(error);
  if (code === undefined) return "final";
  return NOT_SENT_ERROR_CODES.has(code) ? "not-processed" : "ambiguous";
}

/** Classifies an HTTP answer that was not a success. */
export function classifyStatus(status: number, policy: RetryPolicy): FailureKind {
  if (!policy.statusCodes.includes(status)) return "final";
  // 429 is the one answer that promises the request was turned away before any work.
  return status === 429 ? "not-processed" : "ambiguous";
}
