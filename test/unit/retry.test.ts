import {
  backoffDelayMs,
  classifyStatus,
  classifyTransportError,
  DEFAULT_RETRY_POLICY,
  parseRetryAfterMs,
  resolveRetryPolicy,
} from "../../provider/client/retry";

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

describe("failure classification (what a retry of launch_job may do)", () => {
  const policy = resolveRetryPolicy();
  test("429 was turned away before any work: safe to retry anything", () => {
    expect(classifyStatus(429, policy)).toBe("not-processed");
  });
  test("5xx may have been processed: ambiguous", () => {
    expect(classifyStatus(500, policy)).toBe("ambiguous");
    expect(classifyStatus(503, policy)).toBe("ambiguous");
  });
  test("other 4xx are final", () => {
    expect(classifyStatus(400, policy)).toBe("final");
    expect(classifyStatus(404, policy)).toBe("final");
  });
  test("a refused connection never reached the server; a reset or timeout may have", () => {
    expect(classifyTransportError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }), false)).toBe("not-processed");
    expect(classifyTransportError(Object.assign(new Error("x"), { code: "UND_ERR_SOCKET" }), false)).toBe("ambiguous");
    expect(classifyTransportError(new Error("x", { cause: Object.assign(new Error("y"), { code: "ECONNRESET" }) }), false)).toBe(
      "ambiguous",
    );
    expect(classifyTransportError(new Error("aborted"), true)).toBe("ambiguous");
  });
});
