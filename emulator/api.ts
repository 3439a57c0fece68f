/**
 * One public-API request, start to end: route and method, body (size-limited),
 * faults, authentication (gateway), content type, JSON, validation, account
 * permission, the action, the answer (or the lack of one), the request log.
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Actions } from "./actions";
import { API_PATHS, validateRequest } from "./actions";
import type { Authenticator, Principal } from "./auth";
import type { EmulatorClock } from "./clock";
import { AccountForbiddenError, type EmulatorError, isEmulatorError, MethodNotAllowedError, RouteNotFoundError } from "./errors";
import type { FaultInjector } from "./faults";
import { formatIsoDate } from "./format";
import { type AnyRequest, type AnyResponse, abortExchange, ClientGoneError, readBody, requireJsonContentType, sendJson } from "./http-io";
import { parseJsonObject } from "./json-body";
import type { Logger } from "./logger";
import type { RequestLog, RequestLogEntry } from "./request-log";

/** What the public API needs. */
export interface ApiDependencies {
  actions: Actions;
  authenticator: Authenticator;
  faults: FaultInjector;
  requestLog: RequestLog;
  clock: EmulatorClock;
  logger: Logger;
  maxBodyBytes: number;
  /** Called for an unexpected exception (the request gets a bare 500). */
  onInternalError: (error: unknown) => void;
  /** Prefix of request ids, unique per emulator instance. */
  instanceId: string;
}

const ROUTES_HINT = [...API_PATHS.keys()].join(", ");

type ParsedBody = { ok: true; value: Record<string, unknown> } | { ok: false; error: EmulatorError };

function tryParse(body: Buffer): ParsedBody {
  try {
    return { ok: true, value: parseJsonObject(body) };
  } catch (e) {
    if (isEmulatorError(e)) return { ok: false, error: e };
    throw e;
  }
}

/**
 * At most `max` characters of `s`, as a string of its own: V8's slice of a long string keeps the whole
 * string alive, so a log entry would hold every request's full path or field (up to 64 KB each).
 */
function clip(s: string, max = 200): string {
  return s.length <= max ? s : Buffer.from(s.slice(0, max), "utf16le").toString("utf16le");
}

const str = (v: unknown): string | null => (typeof v === "string" ? clip(v) : null);

/** The first 12 hex characters of the SHA-256 of the bearer token, null without one: the log never holds the token. */
function tokenFingerprint(authorization: string | undefined): string | null {
  const token = authorization === undefined ? undefined : /^\s*Bearer\s+([^\s]+)\s*$/i.exec(authorization)?.[1];
  return token === undefined ? null : createHash("sha256").update(token).digest("hex").slice(0, 12);
}

/** Handles a request on a public-API (non-admin) path. */
export async function handleApiRequest(deps: ApiDependencies, req: AnyRequest, res: AnyResponse, path: string): Promise<void> {
  const started = performance.now();
  const seq = deps.requestLog.nextSequence();
  const entry: RequestLogEntry = {
    seq,
    request_id: `${deps.instanceId}-${seq}`,
    time: new Date().toISOString(),
    emulated_time: formatIsoDate(deps.clock.nowUs()),
    method: req.method ?? "",
    path: clip(path), // like the body's fields: an entry stays small whatever the URL (16 KB at most)
    http_version: req.httpVersion,
    action: null,
    account: null,
    configuration_type: null,
    configuration_id: null,
    status: null,
    fault: null,
    latency_ms: 0,
    run_id: null,
    auth_ok: null,
    token_fingerprint: tokenFingerprint(req.headers.authorization),
    error_code: null,
    duration_ms: 0,
  };
  let dropResponse = false;
  const respond = (status: number, body: unknown, headers?: Readonly<Record<string, string>>, close = false) => {
    entry.status = status;
    if (dropResponse) abortExchange(req, res);
    else {
      // Date on the emulated clock, like every run date, so clients can compare the two; a request id for support lines.
      const standard = { date: new Date(Math.floor(deps.clock.nowUs() / 1000)).toUTCString(), "x-request-id": entry.request_id };
      sendJson(req, res, status, body, { ...standard, ...headers }, close);
    }
  };
  try {
    if (!API_PATHS.has(path)) throw new RouteNotFoundError(`no API route for ${path}; the API serves ${ROUTES_HINT}`);
    if (req.method !== "POST") throw new MethodNotAllowedError(req.method ?? "?", path, ["POST"]);
    const body = await readBody(req, deps.maxBodyBytes);
    const parsed = tryParse(body);
    if (parsed.ok) {
      entry.action = str(parsed.value.action);
      entry.account = str(parsed.value.account);
      entry.configuration_type = str(parsed.value.configuration_type);
      entry.configuration_id = str(parsed.value.configuration_id);
    }

    const decision = deps.faults.decide(path, entry.action ?? undefined);
    if (decision.latencyMs > 0) {
      entry.latency_ms = decision.latencyMs;
      await sleep(decision.latencyMs);
    }
    const fault = decision.fault;
    if (fault) {
      entry.fault = fault.kind;
      if (fault.kind === "reset") {
        abortExchange(req, res);
        return;
      }
      if (fault.kind === "rate_limit") {
        respond(
          429,
          { code: 429, data: {}, message: "injected fault: too many requests" },
          { "retry-after": String(fault.retry_after_seconds) },
        );
        return;
      }
      if (fault.kind === "error") {
        respond(fault.status, { code: fault.status, data: {}, message: `injected fault: HTTP ${fault.status}` });
        return;
      }
      dropResponse = true; // drop_response: do everything, then say nothing
    }

    let principal: Principal;
    try {
      principal = await deps.authenticator.authenticate(req);
      entry.auth_ok = true;
    } catch (e) {
      entry.auth_ok = false;
      throw e;
    }
    requireJsonContentType(req);
    if (parsed.ok === false) throw parsed.error;
    const validated = validateRequest(path, parsed.value);
    const account = validated.request.account;
    if (principal.accounts !== null && !principal.accounts.has(account)) {
      throw new AccountForbiddenError(`this token is not allowed to use account ${account}`);
    }
    const result = deps.actions.perform(validated);
    entry.run_id = result.runId ?? null;
    respond(200, result.body);
  } catch (e) {
    if (e instanceof ClientGoneError) return;
    if (isEmulatorError(e)) {
      entry.error_code = e.code;
      respond(e.httpStatus, e.toBody(), e.headers, e.code === "payload_too_large");
      return;
    }
    entry.error_code = "internal";
    deps.onInternalError(e);
    respond(500, { code: 500, data: {}, message: "internal error" });
  } finally {
    entry.duration_ms = Math.round((performance.now() - started) * 1000) / 1000;
    deps.requestLog.record(entry);
  }
}
