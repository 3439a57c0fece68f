/**
 * The retry policy: its defaults in one place (as undici's RetryHandler keeps them), units in the names,
 * the one table that says what each failure means, and the pure functions that decide whether and when
 * to try again.
 */
import { type ErrorCode, ErrorCodes } from "../core/errors";
import { defined } from "../core/objects";
import { errorCodeOfStatus } from "./answerErrors";

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
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...defined(overrides as Record<string, unknown>) };
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

/**
 * What a failed attempt tells about the server's state, and whether trying again can help. `effect`
 * "none" proves the server did nothing (a retry is always safe), "unknown" that it may have acted
 * (only idempotent calls simply retry; a launch is reconciled), "done" that it acted (a 2xx whose body
 * we cannot read).
 */
export interface FailureClass {
  /** What the server may have done with the request. */
  effect: "none" | "unknown" | "done";
  /** True when a later attempt can succeed (the failure is passing). */
  transient: boolean;
  /** The error code reported when the call gives up. */
  code: ErrorCode;
}

const row = (effect: FailureClass["effect"], transient: boolean, code: ErrorCode): FailureClass =>
  Object.freeze({ effect, transient, code });

/** Failures without an HTTP answer, by the code Node or undici gives them. One row per code; a test per row. */
export const TRANSPORT_FAILURES: Readonly<Record<string, FailureClass>> = Object.freeze({
  // The connection was never made: nothing reached the server.
  ECONNREFUSED: row("none", true, ErrorCodes.NETWORK),
  ENOTFOUND: row("none", true, ErrorCodes.NETWORK),
  EAI_AGAIN: row("none", true, ErrorCodes.NETWORK),
  ENETUNREACH: row("none", true, ErrorCodes.NETWORK),
  EHOSTUNREACH: row("none", true, ErrorCodes.NETWORK),
  UND_ERR_CONNECT_TIMEOUT: row("none", true, ErrorCodes.NETWORK),
  // The TLS handshake failed: the request is only written after it succeeds, and retrying will not fix a certificate.
  DEPTH_ZERO_SELF_SIGNED_CERT: row("none", false, ErrorCodes.TLS),
  SELF_SIGNED_CERT_IN_CHAIN: row("none", false, ErrorCodes.TLS),
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: row("none", false, ErrorCodes.TLS),
  UNABLE_TO_GET_ISSUER_CERT: row("none", false, ErrorCodes.TLS),
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: row("none", false, ErrorCodes.TLS),
  CERT_HAS_EXPIRED: row("none", false, ErrorCodes.TLS),
  CERT_NOT_YET_VALID: row("none", false, ErrorCodes.TLS),
  CERT_SIGNATURE_FAILURE: row("none", false, ErrorCodes.TLS),
  CERT_UNTRUSTED: row("none", false, ErrorCodes.TLS),
  CERT_REJECTED: row("none", false, ErrorCodes.TLS),
  ERR_TLS_CERT_ALTNAME_INVALID: row("none", false, ErrorCodes.TLS),
  ERR_SSL_WRONG_VERSION_NUMBER: row("none", false, ErrorCodes.TLS),
  EPROTO: row("none", false, ErrorCodes.TLS),
  // The connection broke or timed out with the request on its way or sent: the server may have acted.
  ECONNRESET: row("unknown", true, ErrorCodes.NETWORK),
  ECONNABORTED: row("unknown", true, ErrorCodes.NETWORK),
  EPIPE: row("unknown", true, ErrorCodes.NETWORK),
  ETIMEDOUT: row("unknown", true, ErrorCodes.NETWORK),
  UND_ERR_SOCKET: row("unknown", true, ErrorCodes.NETWORK),
  UND_ERR_CLOSED: row("unknown", true, ErrorCodes.NETWORK),
  UND_ERR_REQ_RETRY: row("unknown", true, ErrorCodes.NETWORK),
  ERR_HTTP2_STREAM_ERROR: row("unknown", true, ErrorCodes.NETWORK),
  ERR_HTTP2_SESSION_ERROR: row("unknown", true, ErrorCodes.NETWORK),
  ERR_HTTP2_GOAWAY_SESSION: row("unknown", true, ErrorCodes.NETWORK),
  ERR_HTTP2_INVALID_SESSION: row("unknown", true, ErrorCodes.NETWORK),
  ERR_HTTP2_STREAM_CANCEL: row("unknown", true, ErrorCodes.NETWORK),
  UND_ERR_HEADERS_TIMEOUT: row("unknown", true, ErrorCodes.TIMEOUT),
  UND_ERR_BODY_TIMEOUT: row("unknown", true, ErrorCodes.TIMEOUT),
});

/** The client's own timer fired (a sub-second timeout): the request was sent, the answer did not come. */
export const TIMED_OUT: FailureClass = row("unknown", true, ErrorCodes.TIMEOUT);

/** A transport failure with a code this table does not know: we cannot say it was not sent, nor that a retry helps. */
export const UNKNOWN_TRANSPORT_FAILURE: FailureClass = row("unknown", false, ErrorCodes.NETWORK);

/** A 2xx whose body does not match the documented shape: the server acted (for a launch, a run exists). */
export const UNREADABLE_SUCCESS: FailureClass = row("done", false, ErrorCodes.INVALID_RESPONSE);

/** The code of a Node/undici error (the first one the table knows), looking through `cause` chains. */
export function transportErrorCode(error: unknown): string | undefined {
  let first: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") {
      if (code in TRANSPORT_FAILURES) return code;
      first ??= code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return first;
}

/** Classifies a failure without an HTTP answer (the row of its code, or the unknown row). */
export function classifyTransportError(error: unknown, timedOut: boolean): FailureClass {
  if (timedOut) return TIMED_OUT;
  const code = transportErrorCode(error);
  return (code !== undefined ? TRANSPORT_FAILURES[code] : undefined) ?? UNKNOWN_TRANSPORT_FAILURE;
}

/** Classifies an HTTP answer that was not a success. 429 is the one answer that proves nothing was done. */
export function classifyStatus(status: number, policy: RetryPolicy): FailureClass {
  const transient = policy.statusCodes.includes(status);
  const code = errorCodeOfStatus(status);
  if (status === 429) return row("none", transient, code);
  if (status >= 500) return row("unknown", transient, code);
  // Other 4xx: the gateway or the API refused the request before acting on it.
  return row("none", transient, code);
}
