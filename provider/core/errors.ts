/**
 * One error family for everything the client can fail with.
 *
 * Like undici's errors, each class has a stable string `code` and a brand symbol, so callers branch on
 * `isTailerError(e) && e.code === ...` rather than on `instanceof` (which breaks across jest realms and
 * across the module copies Pulumi's serialized providers load). Like octokit's RequestError, every
 * message is redacted inside the constructor, so no caller can leak a token through an error.
 */
import { redact, redactValue } from "./redact";

/** An API action name (kept as a string here: core depends on nothing). */
type Action = string;

const kTailerError = Symbol.for("pulumi-tailer.error");
const kResourceInitError = Symbol.for("pulumi-tailer.error.resource-init");

/** Stable codes of the error family; documented in the README's troubleshooting section. */
export const ErrorCodes = {
  /** The request failed client-side validation: nothing was sent. */
  INVALID_REQUEST: "TAILER_INVALID_REQUEST",
  /** No usable credentials, or the token source failed. */
  CREDENTIALS: "TAILER_CREDENTIALS",
  /** 401 from the gateway: token missing, malformed, expired, badly signed or from an untrusted issuer. */
  UNAUTHENTICATED: "TAILER_UNAUTHENTICATED",
  /** 403: the token may not touch this account, or (the gateway) it was minted for another API URL. */
  FORBIDDEN: "TAILER_FORBIDDEN",
  /** 404: unknown or archived configuration, unknown run. */
  NOT_FOUND: "TAILER_NOT_FOUND",
  /** Another 4xx: the API rejected the request. */
  BAD_REQUEST: "TAILER_BAD_REQUEST",
  /** 429 after every retry. */
  RATE_LIMITED: "TAILER_RATE_LIMITED",
  /** 5xx after every retry. */
  SERVER_ERROR: "TAILER_SERVER_ERROR",
  /** Connection refused, reset or closed after every retry. */
  NETWORK: "TAILER_NETWORK",
  /** A request took longer than its timeout after every retry. */
  TIMEOUT: "TAILER_TIMEOUT",
  /** The API answered with a body that does not match the documented shape. */
  INVALID_RESPONSE: "TAILER_INVALID_RESPONSE",
  /** launch_job may or may not have launched a run, and looking it up failed too. */
  LAUNCH_UNCERTAIN: "TAILER_LAUNCH_UNCERTAIN",
  /** The TLS handshake failed (an untrusted or invalid certificate): nothing was sent. */
  TLS: "TAILER_TLS",
  /** A run ended FAILED or DEACTIVATED. */
  RUN_FAILED: "TAILER_RUN_FAILED",
  /** A run was still in progress when the resource's timeout passed. */
  RUN_TIMEOUT: "TAILER_RUN_TIMEOUT",
} as const;
/** A code of the error family. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** What every Tailer error may carry besides its message. */
export interface TailerErrorDetails {
  /** The API action being performed, when there was one. */
  action?: Action;
  /** The HTTP status the API answered with. */
  status?: number;
  /** The request id the server returned (x-request-id or x-cloud-trace-context), for support tickets. */
  requestId?: string;
  /** Tailer's own message, redacted. */
  serverMessage?: string;
  /** What to do next, in one sentence. */
  hint?: string;
  /** How many attempts were made before giving up. */
  attempts?: number;
  /** The underlying error. Its message is redacted; its stack is kept for debugging. */
  cause?: unknown;
}

/**
 * The base of the family. `instanceof` works across module copies (jest realms, the copies Pulumi's
 * serialized providers load) because it checks the brand, as undici's errors do.
 */
export class TailerError extends Error {
  /** A stable string from `ErrorCodes`. */
  readonly code: ErrorCode;
  /** The API action, when there was one. */
  readonly action?: Action;
  /** The HTTP status, when the API answered. */
  readonly status?: number;
  /** The server's request id, when it sent one. */
  readonly requestId?: string;
  /** Tailer's own message (redacted). */
  readonly serverMessage?: string;
  /** What to do next. */
  readonly hint?: string;
  /** Attempts made. */
  readonly attempts?: number;
  // What the message was composed from, so withAttempts can compose it again.
  readonly #summary: string;
  readonly #details: TailerErrorDetails;

  constructor(code: ErrorCode, message: string, details: TailerErrorDetails = {}) {
    const safeCause = details.cause === undefined ? undefined : redactCause(details.cause);
    super(redact(composeMessage(code, message, details)), safeCause === undefined ? undefined : { cause: safeCause });
    this.#summary = message;
    this.#details = { ...details, cause: safeCause };
    this.name = "TailerError";
    this.code = code;
    if (details.action !== undefined) this.action = details.action;
    if (details.status !== undefined) this.status = details.status;
    if (details.requestId !== undefined) this.requestId = redact(details.requestId);
    if (details.serverMessage !== undefined) this.serverMessage = redact(details.serverMessage);
    if (details.hint !== undefined) this.hint = redact(details.hint);
    if (details.attempts !== undefined) this.attempts = details.attempts;
  }

  get [kTailerError](): true {
    return true;
  }

  /** The same failure, recorded in state as `recorded` (the operation failed, the resource exists). */
  recordedAs(recorded: RecordedResource): ResourceInitError {
    return new ResourceInitError(this.code, this.#summary, recorded, this.#details);
  }

  /** The same failure, reporting the attempts made in all (a call gives up with its last attempt's error). */
  withAttempts(attempts: number): TailerError {
    return new TailerError(this.code, this.#summary, { ...this.#details, attempts });
  }

  /** Brand check: true for any error of the family, whichever copy of this module created it. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isTailerError(value);
  }

  /** A plain, secret-free object for logs and Pulumi diagnostics. */
  toJSON(): Record<string, unknown> {
    return redactValue({
      name: this.name,
      code: this.code,
      message: this.message,
      action: this.action,
      status: this.status,
      requestId: this.requestId,
      serverMessage: this.serverMessage,
      hint: this.hint,
      attempts: this.attempts,
    });
  }
}

/** True for any error of this family, whichever copy of this module created it. */
export function isTailerError(value: unknown): value is TailerError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[kTailerError] === true;
}

/** True when `value` is a Tailer error with the given code. */
export function hasErrorCode(value: unknown, code: ErrorCode): value is TailerError {
  return isTailerError(value) && value.code === code;
}

/** The resource to record in state although its operation failed (Pulumi's "initialization failed"). */
export interface RecordedResource {
  /** The resource's id. */
  id: string;
  /** Its outputs (for a dynamic provider, with `__provider`). */
  properties: Record<string, unknown>;
}

/**
 * A failure after which the resource still exists and must be recorded in state (a run that ended
 * FAILED, outlived its timeout, or whose launch is uncertain): the provider hosts turn `id`,
 * `properties` and `reasons` into a partial resource, so the next `pulumi up` sees it.
 */
export class ResourceInitError extends TailerError {
  /** The id of the resource to record. */
  readonly id: string;
  /** The outputs to record. */
  readonly properties: Record<string, unknown>;
  /** Why initialization failed, as the CLI shows it. */
  readonly reasons: string[];

  constructor(code: ErrorCode, message: string, recorded: RecordedResource, details: TailerErrorDetails = {}) {
    super(code, message, details);
    this.name = "ResourceInitError";
    this.id = recorded.id;
    this.properties = recorded.properties;
    this.reasons = [this.message];
  }

  get [kResourceInitError](): true {
    return true;
  }

  /** Brand check, across module copies. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isTailerError(value) && (value as unknown as Record<symbol, unknown>)[kResourceInitError] === true;
  }
}

/** The message users read: the stable code first (the README's troubleshooting is organised by it), then the action. */
function composeMessage(code: ErrorCode, message: string, d: TailerErrorDetails): string {
  const parts = [`${code}: ${d.action ? `${d.action}: ${message}` : message}`];
  if (d.status !== undefined) parts.push(`(HTTP ${d.status}${d.requestId ? `, request id ${d.requestId}` : ""})`);
  if (d.serverMessage && !message.includes(d.serverMessage)) parts.push(`Tailer said: ${d.serverMessage}.`);
  if (d.attempts !== undefined && d.attempts > 1) parts.push(`Gave up after ${d.attempts} attempts.`);
  if (d.hint) parts.push(d.hint);
  return parts.join(" ");
}

// Causes come from undici, google-auth-library or child processes: their messages may quote a token.
function redactCause(cause: unknown): unknown {
  if (isTailerError(cause)) return cause;
  if (cause instanceof Error) {
    const copy = new Error(redact(cause.message));
    copy.name = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") (copy as Error & { code?: string }).code = code;
    if (cause.stack) copy.stack = redact(cause.stack);
    return copy;
  }
  return typeof cause === "string" ? redact(cause) : undefined;
}
