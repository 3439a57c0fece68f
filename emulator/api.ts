/**
 * One public-API request, start to end: route and method, body (size-limited), faults, authentication
 * (gateway), content type, JSON, validation, account permission, the action (now, or late), the answer
 * (or the lack of one, or a garbled one), the request log.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { formatIsoDate } from "../provider/client/wire";
import type { ActionContext, ActionResult, Actions, ValidatedRequest } from "./actions";
import { API_PATHS, validateRequest } from "./actions";
import type { Authenticator } from "./auth";
import type { EmulatorClock } from "./clock";
import { AccountForbiddenError, type EmulatorError, isEmulatorError, MethodNotAllowedError, RouteNotFoundError } from "./errors";
import { Exchange } from "./exchange";
import type { FaultInjector, FaultRuleOf } from "./faults";
import { type AnyRequest, type AnyResponse, readBody, requireJsonContentType } from "./http-io";
import { parseJsonObject } from "./json-body";
import type { Logger } from "./logger";
import type { Platform } from "./platform";
import type { RequestLog } from "./request-log";

/** What the public API needs. */
export interface ApiDependencies {
  actions: Actions;
  platform: Platform;
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

/** Handles a request on a public-API (non-admin) path. */
export async function handleApiRequest(deps: ApiDependencies, req: AnyRequest, res: AnyResponse, path: string): Promise<void> {
  const exchange = new Exchange(deps, req, res, path);
  try {
    await handle(deps, exchange, path);
  } catch (e) {
    answerError(deps, exchange, e);
  } finally {
    exchange.finish();
  }
}

async function handle(deps: ApiDependencies, x: Exchange, path: string): Promise<void> {
  if (!API_PATHS.has(path)) throw new RouteNotFoundError(`no API route for ${path}; the API serves ${ROUTES_HINT}`);
  if (x.req.method !== "POST") throw new MethodNotAllowedError(x.req.method ?? "?", path, ["POST"]);
  const parsed = tryParse(await readBody(x.req, deps.maxBodyBytes));
  if (parsed.ok) x.describe(parsed.value);
  const decision = deps.faults.decide(path, x.entry.action ?? undefined);
  x.noteFaults(decision);
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);
  const fault = decision.fault;
  if (fault?.kind === "reset") return x.abort();
  if (fault?.kind === "rate_limit") {
    const message = "injected fault: too many requests";
    return x.respond(429, { code: 429, data: {}, message }, { "retry-after": String(fault.retry_after_seconds) });
  }
  if (fault?.kind === "error") return respondInjected(x, fault.status);
  if (fault?.kind === "late_processing") return processLate(deps, x, parsed, path, fault, decision.lateDelayMs);
  if (fault?.kind === "drop_response") x.withholdAnswers(); // whatever happens next, the client hears nothing
  const validated = await admit(deps, x, parsed, path);
  if (fault?.kind === "drop_response" && fault.when === "before") return x.abort();
  const result = perform(deps, x, validated, contextOf(x));
  if (fault?.kind === "garbled_body") return x.respondGarbled(result.body, fault.garble);
  x.respond(200, result.body);
}

function respondInjected(x: Exchange, status: number): void {
  x.respond(status, { code: status, data: {}, message: `injected fault: HTTP ${status}` });
}

/** Authentication, content type, JSON, fields, account permission: what stands between a request and its action. */
async function admit(deps: ApiDependencies, x: Exchange, parsed: ParsedBody, path: string): Promise<ValidatedRequest> {
  let principal: Awaited<ReturnType<Authenticator["authenticate"]>>;
  try {
    principal = await deps.authenticator.authenticate(x.req);
    x.entry.auth_ok = true;
  } catch (e) {
    x.entry.auth_ok = false;
    throw e;
  }
  requireJsonContentType(x.req);
  if (parsed.ok === false) throw parsed.error;
  const validated = validateRequest(path, parsed.value);
  const account = validated.request.account;
  if (principal.accounts !== null && !principal.accounts.has(account)) {
    throw new AccountForbiddenError(`this token is not allowed to use account ${account}`);
  }
  return validated;
}

/** Who launches: the request (id, sequence, token fingerprint) and its visibility delay. */
function contextOf(x: Exchange): ActionContext {
  return {
    request: { id: x.entry.request_id, seq: x.entry.seq, tokenFingerprint: x.entry.token_fingerprint },
    extraVisibilityDelayUs: x.entry.visibility_delay_ms * 1000,
  };
}

/** Performs the action now (or at the late instant being replayed) and logs what it did. */
function perform(deps: ApiDependencies, x: Exchange, validated: ValidatedRequest, context: ActionContext): ActionResult {
  const result = deps.actions.perform(validated, context);
  x.entry.run_id = result.runId ?? null;
  x.entry.performed_at = formatIsoDate(deps.platform.now());
  return result;
}

/**
 * late_processing: the gateway answers 502/504 at once (or holds the request until the client gives up)
 * while the backend performs the action `delayMs` of emulated time later, whatever the client did meanwhile.
 */
async function processLate(
  deps: ApiDependencies,
  x: Exchange,
  parsed: ParsedBody,
  path: string,
  rule: FaultRuleOf<"late_processing">,
  delayMs: number,
): Promise<void> {
  let validated: ValidatedRequest;
  try {
    validated = await admit(deps, x, parsed, path);
  } catch (e) {
    if (!isEmulatorError(e)) throw e;
    x.entry.error_code = e.code; // refused: nothing will be performed; the client still sees the gateway's answer
    return respondInjected(x, rule.status);
  }
  const dueUs = deps.platform.now() + delayMs * 1000;
  x.entry.delayed_until = formatIsoDate(dueUs);
  if (!rule.hold) respondInjected(x, rule.status);
  const context = contextOf(x);
  deps.platform.defer(
    dueUs,
    () => {
      try {
        perform(deps, x, validated, context);
      } catch (e) {
        x.entry.error_code = isEmulatorError(e) ? e.code : "internal";
        if (!isEmulatorError(e)) deps.onInternalError(e);
      }
      // A held request still waiting: the gateway gives up on it now.
      if (rule.hold && x.open) respondInjected(x, rule.status);
    },
    () => {
      if (x.open) x.abort();
    },
  );
}

function answerError(deps: ApiDependencies, x: Exchange, e: unknown): void {
  if (isEmulatorError(e)) {
    x.entry.error_code = e.code;
    if (e.code === "client_gone") return; // nobody to answer
    x.respond(e.httpStatus, e.toBody(), e.headers, e.code === "payload_too_large");
    return;
  }
  x.entry.error_code = "internal";
  deps.onInternalError(e);
  x.respond(500, { code: 500, data: {}, message: "internal error" });
}
