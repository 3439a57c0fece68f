/**
 * Wire formats, as a Python service prints them: `datetime.isoformat()` dates,
 * `str(timedelta)` durations, run ids; and where a bad JSON body breaks.
 */
import fc from "fast-check";
import { EmulatorClock } from "../../emulator/clock";
import { ConfigurationNotFoundError, GatewayAuthError, isEmulatorError } from "../../emulator/errors";
import { FaultInjector } from "../../emulator/faults";
import { newRunId, normalizeExecutionDate, utcDayBounds } from "../../emulator/format";
import { parseJsonObject } from "../../emulator/json-body";
import { RUN_ID_PATTERN } from "../../provider/client/schemas";
import { formatDuration, formatIsoDate, parseDuration, parseIsoDate } from "../../provider/client/wire";

describe("dates", () => {
  it.each(["2020-12-30T11:30:07.960767+00:00", "2020-12-09T17:17:23+00:00", "2020-12-30T11:28:43.861340+00:00"])(
    "round-trips the documented %s",
    (text) => {
      expect(formatIsoDate(parseIsoDate(text) as number)).toBe(text);
    },
  );

  it("prints microseconds only when there are some, like isoformat()", () => {
    expect(formatIsoDate(Date.UTC(2021, 0, 2, 3, 4, 5) * 1000)).toBe("2021-01-02T03:04:05+00:00");
    expect(formatIsoDate(Date.UTC(2021, 0, 2, 3, 4, 5) * 1000 + 7)).toBe("2021-01-02T03:04:05.000007+00:00");
  });

  it("reads Z, other offsets and short fractions", () => {
    expect(parseIsoDate("2020-12-30T12:30:07.5+01:00")).toBe(parseIsoDate("2020-12-30T11:30:07.500000Z"));
    expect(parseIsoDate("2020-02-30T00:00:00")).toBeUndefined();
    expect(parseIsoDate("yesterday")).toBeUndefined();
  });

  it("round-trips any time from 1970 to 2200 (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 7_258_118_400_000_000 }), (us) => parseIsoDate(formatIsoDate(us)) === us));
  });

  it("normalizes slashed execution dates and bounds a UTC day", () => {
    expect(normalizeExecutionDate("2020/11/19")).toBe("2020-11-19");
    const [start, end] = utcDayBounds("2020/11/19");
    expect(formatIsoDate(start)).toBe("2020-11-19T00:00:00+00:00");
    expect(end - start).toBe(86_400 * 1e6);
  });
});

describe("durations", () => {
  it.each([
    [0, "0:00:00"],
    [84_002_519, "0:01:24.002519"],
    [3_600_000_000, "1:00:00"],
    [86_400_000_000, "1 day, 0:00:00"],
    [2 * 86_400_000_000 + 3_723_000_001, "2 days, 1:02:03.000001"],
  ])("prints %i us as str(timedelta) %s", (us, text) => {
    expect(formatDuration(us)).toBe(text);
    expect(parseDuration(text)).toBe(us);
  });

  it("reads seconds as numbers and refuses nonsense", () => {
    expect(parseDuration(1.5)).toBe(1_500_000);
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration("0:61:00")).toBeUndefined();
    expect(parseDuration("soon")).toBeUndefined();
  });

  it("round-trips any duration (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e15 }), (us) => parseDuration(formatDuration(us)) === us));
  });
});

describe("run ids", () => {
  it("are YYYYMMDD-HHMMSS-<uuid4> of the launch time, in UTC", () => {
    const id = newRunId(parseIsoDate("2020-12-30T11:28:37.5+00:00") as number);
    expect(id).toMatch(/^20201230-112837-[0-9a-f-]{36}$/);
    expect(id).toMatch(RUN_ID_PATTERN);
  });
});

/** The message parseJsonObject throws for `text`. */
function jsonError(text: string): string {
  try {
    parseJsonObject(Buffer.from(text));
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${text} parsed`);
}

describe("JSON errors: V8's reason and position", () => {
  it.each([
    ['{"a": 1 "b": 2}', "expected ',' or '}' after property value (line 1, column 9, position 8)"],
    ['{"a": 1\n "b": 2}', "expected ',' or '}' after property value (line 2, column 2, position 9)"],
    ['{"a": "x', "unterminated string (line 1, column 9, position 8)"],
    ['{"a": "\\q"}', "bad escaped character (line 1, column 9, position 8)"],
    ['{"a":1} x', "unexpected non-whitespace character after JSON (line 1, column 9, position 8)"],
    ['{"a": 01}', "unexpected number (line 1, column 8, position 7)"],
    ["{", "expected property name or '}' (line 1, column 2, position 1)"],
    ['{"a": ', "unexpected end of input (line 1, column 7, position 6)"],
    ["[1,]", "unexpected token ']'"],
  ])("%s: %s", (text, reason) => {
    expect(jsonError(text)).toBe(`request body is not valid JSON: ${reason}`);
  });

  it("never echoes the body, though V8's own message quotes it (property)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{12}$/), fc.constantFrom("", "{", '{"a": ', "[1,"), (secret, prefix) => {
        const message = jsonError(`${prefix}${secret}`);
        return message.startsWith("request body is not valid JSON: ") && !message.includes(secret.slice(1));
      }),
    );
  });

  it("parseJsonObject never throws anything but a 400 EmulatorError (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a).toString("latin1")),
        ),
        (text) => {
          try {
            parseJsonObject(Buffer.from(text));
            return true;
          } catch (e) {
            return isEmulatorError(e) && e.httpStatus === 400;
          }
        },
      ),
    );
  });
});

describe("errors", () => {
  it("carry a stable code and are recognized by brand, not class identity", () => {
    const e = new ConfigurationNotFoundError("x");
    expect(isEmulatorError(e)).toBe(true);
    expect(e.code).toBe("configuration_not_found");
    expect(isEmulatorError(new Error("x"))).toBe(false);
    expect(isEmulatorError({ code: "configuration_not_found" })).toBe(false);
    expect(new GatewayAuthError("jwt_expired").toBody()).toEqual({ code: 401, message: "Jwt is expired" });
    expect(e.toBody()).toEqual({ code: 404, data: {}, message: "x" });
  });
});

describe("the clock", () => {
  it("starts no earlier than a persisted lease and persists a lease ahead of what it shows", () => {
    const leases: number[] = [];
    const future = Date.now() * 1000 + 10 * 86_400 * 1e6;
    const clock = new EmulatorClock({ speed: 1, notBeforeUs: future, persistLease: (us) => leases.push(us) });
    const now = clock.nowUs();
    expect(now).toBeGreaterThanOrEqual(future);
    expect(leases.at(-1)).toBeGreaterThan(now);
    clock.advance(5 * 1e6);
    expect(clock.nowUs()).toBeGreaterThanOrEqual(now + 5e6);
    expect(leases.at(-1)).toBeGreaterThan(clock.nowUs());
  });

  it("refuses a non-positive speed and a backwards advance", () => {
    expect(() => new EmulatorClock({ speed: 0 })).toThrow(RangeError);
    expect(() => new EmulatorClock({ speed: 1 }).advance(-1)).toThrow(RangeError);
  });
});

describe("the fault RNG", () => {
  it("decides the same way for the same seed", () => {
    const decide = (seed: number) => {
      const f = new FaultInjector(seed);
      f.add({ kind: "error", probability: 0.5 });
      return Array.from({ length: 50 }, () => f.decide("/v1/dag/status", "get_last_status").fault !== undefined);
    };
    expect(decide(7)).toEqual(decide(7));
    expect(decide(7)).not.toEqual(decide(8));
  });
});
