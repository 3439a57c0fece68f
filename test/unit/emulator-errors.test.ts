/**
 * The emulator's error family: recognised by its brand, by `isEmulatorError` and by `instanceof` alike,
 * whichever copy of emulator/errors.ts made the error (jest module registries, dist/ next to sources).
 */
import * as errors from "../../emulator/errors";
import { GATEWAY_REFUSALS } from "../../provider/client/gateway";

const { BadRequestError, EmulatorError, GatewayAuthError, isEmulatorError, RouteNotFoundError, ValidationError } = errors;

/** emulator/errors.ts loaded a second time, as another module registry would. */
function anotherCopy(): typeof errors {
  let copy: typeof errors | undefined;
  jest.isolateModules(() => {
    copy = require("../../emulator/errors");
  });
  if (copy === undefined || copy.BadRequestError === BadRequestError) throw new Error("expected a second copy of the module");
  return copy;
}

describe("instanceof on the emulator's errors", () => {
  test("regression: instanceof failed for an error made by another copy of errors.ts (now brand-aware, as undici's errors are)", () => {
    const other = anotherCopy();
    const foreign = new other.BadRequestError("x");
    expect(foreign instanceof BadRequestError).toBe(true);
    expect(foreign instanceof EmulatorError).toBe(true);
    expect(new BadRequestError("y") instanceof other.BadRequestError).toBe(true);
    expect(new other.GatewayAuthError("jwt_expired") instanceof GatewayAuthError).toBe(true);
  });

  test("still tells the subclasses apart, across copies too", () => {
    const other = anotherCopy();
    expect(new other.BadRequestError("x") instanceof RouteNotFoundError).toBe(false);
    expect(new BadRequestError("x") instanceof other.ValidationError).toBe(false);
    expect(new ValidationError([{ field: "account", message: "bad" }]) instanceof ValidationError).toBe(true);
    expect(new GatewayAuthError("jwt_audience") instanceof BadRequestError).toBe(false);
  });

  test("is false for anything without the brand: plain errors, look-alikes, primitives", () => {
    class BadRequestLookAlike extends Error {
      readonly code = "bad_request";
    }
    Object.defineProperty(BadRequestLookAlike, "name", { value: "BadRequestError" });
    for (const value of [new Error("x"), new BadRequestLookAlike("x"), { code: "bad_request" }, null, undefined, "bad_request", 400]) {
      expect(value instanceof EmulatorError).toBe(false);
      expect(value instanceof BadRequestError).toBe(false);
      expect(isEmulatorError(value)).toBe(false);
    }
  });
});

describe("the gateway's refusals", () => {
  test("carry the shared table's status and words, the gateway's body and the headers given", () => {
    const e = new GatewayAuthError("jwt_audience", { "www-authenticate": 'Bearer realm="x", error="invalid_token"' });
    expect([e.code, e.httpStatus, e.message]).toEqual(["jwt_audience", 403, GATEWAY_REFUSALS.jwt_audience.message]);
    expect(e.toBody()).toEqual({ code: 403, message: "Audiences in Jwt are not allowed" });
    expect(e.headers).toEqual({ "www-authenticate": 'Bearer realm="x", error="invalid_token"' });
    expect(new GatewayAuthError("jwt_missing").toBody()).toEqual({ code: 401, message: "Jwt is missing" });
  });
});
