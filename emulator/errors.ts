/**
 * The emulator's errors: one base class, one stable string `code` per subclass,
 * and a brand (`isEmulatorError`, and `instanceof` through a brand-aware
 * `Symbol.hasInstance`, as undici's errors do) that survives duplicated module
 * copies (jest module registries, dist/ next to sources).
 */
import { GATEWAY_REFUSALS, type GatewayRefusalCode } from "../provider/client/gateway";

const BRAND = Symbol.for("pulumi-tailer.emulator.error");

/** Every stable error code the emulator produces. */
export type EmulatorErrorCode =
  | "bad_request"
  | "client_gone"
  | "admin_request_failed"
  | "usage"
  | "database_in_use"
  | "sqlite_unavailable"
  | "invalid_json"
  | "invalid_request"
  | "unsupported_media_type"
  | "payload_too_large"
  | "method_not_allowed"
  | "route_not_found"
  | "configuration_not_found"
  | "configuration_archived"
  | "job_not_found"
  | "run_not_found"
  | "not_launchable"
  | "account_forbidden"
  | GatewayRefusalCode
  | "admin_unauthorized"
  | "invalid_seed"
  | "invalid_options"
  | "dev_key_not_found"
  | "internal";

/** Base of every error the emulator throws on purpose. */
export abstract class EmulatorError extends Error {
  /** Stable, machine-readable identifier of the failure. */
  abstract readonly code: EmulatorErrorCode;
  /** HTTP status the error maps to when it reaches a client. */
  abstract readonly httpStatus: number;
  /** True for the Google gateway's `{code, message}` body instead of the API's `{code, data, message}`. */
  readonly gatewayStyle: boolean = false;
  constructor(
    message: string,
    /** Extra response headers (Allow, Retry-After...). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  /**
   * `instanceof` by brand, not by class identity, so an error made by another copy of this module
   * still matches: any branded error for the base; for a subclass, one whose own class (or a parent
   * of it) has the subclass's name (codes are per instance, names are what the classes share).
   */
  static override [Symbol.hasInstance](instance: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof, a subclass when it inherits this method
    return isBrandedInstance(this, instance);
  }

  /** The JSON body sent to clients. */
  toBody(): Record<string, unknown> {
    return this.gatewayStyle
      ? { code: this.httpStatus, message: this.message }
      : { code: this.httpStatus, data: {}, message: this.message };
  }
}

/** `instance instanceof target` for the family: the brand, and for a subclass its name in the instance's class chain. */
function isBrandedInstance(target: { readonly name: string }, instance: unknown): boolean {
  if (!isEmulatorError(instance)) return false;
  if (target === EmulatorError) return true;
  for (let proto = Object.getPrototypeOf(instance); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (Object.hasOwn(proto, "constructor") && (proto.constructor as { name?: unknown }).name === target.name) return true;
  }
  return false;
}

/** True for any EmulatorError, whichever copy of this module created it. */
export function isEmulatorError(e: unknown): e is EmulatorError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** A request the server cannot make sense of (empty body, not an object, too deep...). */
export class BadRequestError extends EmulatorError {
  readonly code = "bad_request";
  readonly httpStatus = 400;
}

/** The body is not JSON; the message names the position. */
export class InvalidJsonError extends EmulatorError {
  readonly code = "invalid_json";
  readonly httpStatus = 400;
}

/** One field-level problem, as zod reports it. */
export interface FieldIssue {
  /** Dotted path of the field, e.g. `account`. */
  field: string;
  /** What is wrong with it. */
  message: string;
}

/** The body is JSON but not a valid request; `issues` name the fields. */
export class ValidationError extends EmulatorError {
  readonly code = "invalid_request";
  readonly httpStatus = 400;
  constructor(
    readonly issues: readonly FieldIssue[],
    prefix = "invalid request",
  ) {
    super(`${prefix}: ${issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; ")}`);
  }
}

/** The request's content-type is not application/json. */
export class UnsupportedMediaTypeError extends EmulatorError {
  readonly code = "unsupported_media_type";
  readonly httpStatus = 415;
}

/** The body is larger than the configured limit. */
export class PayloadTooLargeError extends EmulatorError {
  readonly code = "payload_too_large";
  readonly httpStatus = 413;
}

/** Only POST is served on the API paths. */
export class MethodNotAllowedError extends EmulatorError {
  readonly code = "method_not_allowed";
  readonly httpStatus = 405;
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(`method ${method} is not allowed on ${path}; use ${allowed.join(" or ")}`, { allow: allowed.join(", ") });
  }
}

/** No route for this path. */
export class RouteNotFoundError extends EmulatorError {
  readonly code = "route_not_found";
  readonly httpStatus = 404;
}

/** The addressed configuration does not exist. */
export class ConfigurationNotFoundError extends EmulatorError {
  readonly code = "configuration_not_found";
  readonly httpStatus = 404;
}

/** The addressed configuration is archived, so it cannot be launched. */
export class ConfigurationArchivedError extends EmulatorError {
  readonly code = "configuration_archived";
  readonly httpStatus = 404;
}

/** The job_id is not one of the configuration's jobs. */
export class JobNotFoundError extends EmulatorError {
  readonly code = "job_not_found";
  readonly httpStatus = 404;
}

/** No such run for this configuration and job. */
export class RunNotFoundError extends EmulatorError {
  readonly code = "run_not_found";
  readonly httpStatus = 404;
}

/** The configuration type cannot be launched through the API. */
export class NotLaunchableError extends EmulatorError {
  readonly code = "not_launchable";
  readonly httpStatus = 400;
}

/** The token's `accounts` claim does not include the requested account. */
export class AccountForbiddenError extends EmulatorError {
  readonly code = "account_forbidden";
  readonly httpStatus = 403;
}

/**
 * A refusal of the gateway in front of the API (ESPv2/Envoy): its status and words from the shared
 * table (provider/client/gateway.ts), its `{code, message}` body, its `WWW-Authenticate` challenge.
 */
export class GatewayAuthError extends EmulatorError {
  readonly httpStatus: 401 | 403;
  override readonly gatewayStyle = true;
  constructor(
    readonly code: GatewayRefusalCode,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(GATEWAY_REFUSALS[code].message, headers);
    this.httpStatus = GATEWAY_REFUSALS[code].status;
  }
}

/** The admin API's bearer token is missing or wrong. */
export class AdminUnauthorizedError extends EmulatorError {
  readonly code = "admin_unauthorized";
  readonly httpStatus = 401;
}

/** The seed file is unreadable or invalid. */
export class SeedError extends EmulatorError {
  readonly code = "invalid_seed";
  readonly httpStatus = 400;
}

/** createEmulator or the CLI was given contradictory or invalid options. */
export class OptionsError extends EmulatorError {
  readonly code = "invalid_options";
  readonly httpStatus = 400;
}

/** The client went away before its body arrived: there is nobody to answer (never sent; 499 as nginx logs it). */
export class ClientGoneError extends EmulatorError {
  readonly code = "client_gone";
  readonly httpStatus = 499;
  constructor() {
    super("client closed the request before sending its body");
  }
}

/** A non-2xx answer of the admin API, seen by the admin client: the status, the server's message and the body. */
export class AdminApiError extends EmulatorError {
  readonly code = "admin_request_failed";
  readonly httpStatus: number;
  constructor(
    /** The status the admin API answered. */
    readonly status: number,
    /** The parsed answer (or its text when it was not JSON). */
    readonly body: unknown,
    method: string,
    path: string,
  ) {
    const message = typeof body === "object" && body !== null && "message" in body ? String((body as { message: unknown }).message) : "";
    super(`${method} ${path} -> ${status}${message ? `: ${message}` : ""}`);
    this.httpStatus = status;
  }
}

/** The CLI was called wrongly (unknown command, bad option value): exit code 2 and a pointer to --help. */
export class UsageError extends EmulatorError {
  readonly code = "usage";
  readonly httpStatus = 400;
}

/** `tailer-emulator token` found no dev key it may use: it never makes one, since no running emulator would trust it. */
export class DevKeyNotFoundError extends EmulatorError {
  readonly code = "dev_key_not_found";
  readonly httpStatus = 404;
}

/** The database file is locked by another process (SQLITE_BUSY or SQLITE_LOCKED), most likely another emulator. */
export class DatabaseInUseError extends EmulatorError {
  readonly code = "database_in_use";
  readonly httpStatus = 500;
}

/** better-sqlite3 (an optional dependency with a native build) cannot be loaded. */
export class SqliteUnavailableError extends EmulatorError {
  readonly code = "sqlite_unavailable";
  readonly httpStatus = 500;
}
