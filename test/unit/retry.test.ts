import {
  backoffDelayMs,
  classifyStatus,
  classifyTransportError,
  DEFAULT_RETRY_POLICY,
  parseRetryAfterMs,
  resolveRetryPolicy,
  TIMED_OUT,
  TRANSPORT_FAILURES,
  UNKNOWN_TRANSPORT_FAILURE,
} from "../../provider/client/retry";
import { ErrorCodes } from "../../provider/core/errors";

describe("the retry policy", () => {
  test("defaults live in one frozen object", () => {
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
    expect(resolveRetryPolicy()).toEqual({ ...DEFAULT_RETRY_POLICY });
  });

  test("user settings override the defaults; undefined does not erase them", () => {
    expect(resolveRetryPolicy({ maxAttempts: 2, minTimeoutMs: undefined })).toMatchObject({
      maxAttempts: 2,
      minTimeoutMs: DEFAULT_RETRY_POLICY.minTimeoutMs,
    });
  });

  test.each([
    [{ maxAttempts: 0 }, /maxAttempts/],
    [{ maxElapsedMs: -1 }, /maxElapsedMs/],
    [{ timeoutFactor: Number.NaN }, /timeoutFactor/],
  ])("rejects %j naming the setting", (overrides, message) => {
    expect(() => resolveRetryPolicy(overrides)).toThrow(message);
  });
});

describe("backoff", () => {
  const policy = resolveRetryPolicy({ minTimeoutMs: 100, maxTimeoutMs: 1000, timeoutFactor: 2 });

  test("grows exponentially with equal jitter: between half and all of the ceiling", () => {
    expect(backoffDelayMs(1, policy, undefined, () => 0)).toBe(50);
    expect(backoffDelayMs(1, policy, undefined, () => 1)).toBe(100);
    expect(backoffDelayMs(3, policy, undefined, () => 0)).toBe(200);
    expect(backoffDelayMs(3, policy, undefined, () => 0.999)).toBeLessThanOrEqual(400);
  });

  test("never exceeds maxTimeoutMs", () => {
    expect(backoffDelayMs(20, policy, undefined, () => 1)).toBe(1000);
  });

  test("waits at least as long as the server's Retry-After", () => {
    expect(backoffDelayMs(1, policy, 3000, () => 0)).toBe(3000);
  });
});

describe("Retry-After", () => {
  test("parses seconds and HTTP dates", () => {
    expect(parseRetryAfterMs("2")).toBe(2000);
    expect(parseRetryAfterMs("0.5")).toBe(500);
    expect(parseRetryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
    expect(parseRetryAfterMs("soon")).toBeUndefined();
  });
});

describe("failure classification: one table says what each failure means (what a retry of launch_job may do)", () => {
  const policy = resolveRetryPolicy();
  const failure = (code: string) => Object.assign(new Error(code), { code });

  test("429 was turned away before any work: nothing done, retried", () => {
    expect(classifyStatus(429, policy)).toEqual({ effect: "none", transient: true, code: ErrorCodes.RATE_LIMITED });
  });
  test.each([500, 502, 503, 504])("%i may have been processed: effect unknown, retried when idempotent", (status) => {
    expect(classifyStatus(status, policy)).toEqual({ effect: "unknown", transient: true, code: ErrorCodes.SERVER_ERROR });
  });
  test.each([
    [400, ErrorCodes.BAD_REQUEST],
    [401, ErrorCodes.UNAUTHENTICATED],
    [403, ErrorCodes.FORBIDDEN],
    [404, ErrorCodes.NOT_FOUND],
  ])("%i was refused before any work: nothing done, not retried", (status, code) => {
    expect(classifyStatus(status, policy)).toEqual({ effect: "none", transient: false, code });
  });
  test.each(Object.entries(TRANSPORT_FAILURES))("transport error %s: %j", (code, row) => {
    expect(classifyTransportError(failure(code), false)).toBe(row);
    // Wrapped as undici wraps its causes, the row is the same.
    expect(classifyTransportError(new Error("fetch failed", { cause: failure(code) }), false)).toBe(row);
  });
  test("every failure where nothing reached the server (connect, DNS, TLS) is effect none, never unknown", () => {
    for (const code of [
      "ECONNREFUSED",
      "ENOTFOUND",
      "EAI_AGAIN",
      "UND_ERR_CONNECT_TIMEOUT",
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      "ERR_TLS_CERT_ALTNAME_INVALID",
    ])
      expect(TRANSPORT_FAILURES[code]?.effect).toBe("none");
  });
  test("a TLS failure is not retried: the certificate will not change", () => {
    expect(classifyTransportError(failure("SELF_SIGNED_CERT_IN_CHAIN"), false)).toEqual({
      effect: "none",
      transient: false,
      code: ErrorCodes.TLS,
    });
  });
  test("our own timer firing: effect unknown (the request was sent)", () => {
    expect(classifyTransportError(new Error("aborted"), true)).toBe(TIMED_OUT);
  });
  test("regression: an unknown transport error was classed final then turned ambiguous; it is unknown and not retried", () => {
    expect(classifyTransportError(failure("ESOMETHINGNEW"), false)).toEqual(UNKNOWN_TRANSPORT_FAILURE);
    expect(UNKNOWN_TRANSPORT_FAILURE).toMatchObject({ effect: "unknown", transient: false });
  });
});
