/**
 * TailerClient: one typed method per API action, zod at the boundary, undici underneath (a keep-alive
 * pool, HTTP/2 when the server offers it), retries with jittered backoff, and a launch that never
 * launches twice.
 */
import type { Dispatcher } from "undici";
import type { z } from "zod";
import { type AuthOptions, resolveTokenSource, type TokenSource } from "../auth";
import { ErrorCodes, errorFromResponse, isTailerError, TailerError } from "../core/errors";
import { redact } from "../core/redact";
import { checkEnvironmentSuffix } from "./identity";
import {
  backoffDelayMs,
  classifyStatus,
  classifyTransportError,
  type FailureKind,
  networkErrorCode,
  parseRetryAfterMs,
  type RetryPolicy,
  resolveRetryPolicy,
} from "./retry";
import {
  ACTION_PATHS,
  type Action,
  type CheckRunStatusRequest,
  canonicalConfigurationType,
  ErrorBody,
  type GetByStatusRequest,
  type GetLastStatusRequest,
  type LaunchJobRequest,
  PRODUCTION_API_URL,
  REQUEST_SCHEMAS,
  RESPONSE_SCHEMAS,
  type RequestOf,
  type ResetWorkflowStatusRequest,
  type ResponseOf,
  type Run,
  type SetConfigurationStatusRequest,
  type SetRunStatusRequest,
} from "./schemas";
import { undiciTransport } from "./transport";

/** Below this, undici's one-second timer resolution is too coarse: the client times the request itself. */
const PRECISE_TIMER_BELOW_MS = 2_000;

/** undici's timeout codes: the answer (headers or body) did not come within requestTimeoutMs. */
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** The environment variable holding the API base URL. */
export const API_URL_ENV = "TAILER_API_URL";

/** Defaults of the transport, in one place. */
export const CLIENT_DEFAULTS = Object.freeze({
  /** Per attempt, from sending to the end of the body. */
  requestTimeoutMs: 30_000,
  /** Connections per origin (HTTP/1.1); HTTP/2 multiplexes over one. */
  connections: 16,
  keepAliveTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  /** Runs looked at when reconciling an ambiguous launch. */
  reconcileLimit: 20,
  /** Largest error body kept for the message. */
  maxErrorBodyChars: 500,
});

/** What a client reports as it works (retries, adoptions), for the provider's logs. Never carries a secret. */
export type ClientEvent =
  | { type: "retry"; action: Action; attempt: number; delayMs: number; reason: string }
  | { type: "launch-adopted"; runId: string; reason: string }
  | { type: "token-refused"; action: Action };

/** Options of a TailerClient. Every field is optional. */
export interface TailerClientOptions {
  /** API base URL; default `TAILER_API_URL`, then the documented production URL. */
  apiUrl?: string;
  /** Where tokens come from (see provider/auth for the order). Ignored when `tokenSource` is given. */
  auth?: AuthOptions;
  /** A ready token source. */
  tokenSource?: TokenSource;
  /** Retry settings over DEFAULT_RETRY_POLICY. */
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout. */
  requestTimeoutMs?: number;
  /** Connections per origin for HTTP/1.1. */
  connections?: number;
  /** Extra certificate authorities (PEM) to trust, e.g. a corporate proxy's or a local emulator's. */
  ca?: string | readonly string[];
  /** An undici dispatcher to use instead of the client's own pool (not closed by `close`). */
  dispatcher?: Dispatcher;
  /** Environment for fallbacks (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Receives retry and adoption events. */
  onEvent?: (event: ClientEvent) => void;
  /**
   * What to do when a table-to-table configuration_id lacks its `_<ENV>` suffix: "error" (default)
   * fails before sending, naming the fixed id; "off" sends it as it is.
   */
  suffixCheck?: "error" | "off";
  /** Randomness for jitter (tests). */
  random?: () => number;
  /** How to wait between attempts (tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** Options of launchJob. */
export interface LaunchOptions {
  /**
   * The configuration's (or job's) last runs read just before launching, newest first, when the caller
   * already has them; otherwise launchJob reads them itself. Runs absent from this list are the ones
   * an ambiguous launch may have started.
   */
  runsBefore?: Run[];
}

/** The outcome of launchJob. */
export interface LaunchResult {
  /** The run's id. */
  runId: string;
  /** True when an ambiguous failure happened and the run was found and adopted rather than launched again. */
  adopted: boolean;
  /** HTTP attempts made (reconciliation reads excluded). */
  attempts: number;
}

/** The body of an action's request as the client methods take it: everything but `action`. */
export type RequestBody<A extends Action> = Omit<RequestOf<A>, "action">;

/** One logical call's budget: attempts and time are shared by all of its HTTP attempts. */
interface Budget {
  attempts: number;
  readonly startedAtMs: number;
}

/** A successful answer: its body, and the server's clock from the Date header when it sent one. */
interface Answer<A extends Action> {
  body: ResponseOf<A>;
  serverTimeMs?: number;
}

/** What a status change returns: the server's time of the change, to compare with run dates on the server's clock. */
export interface ChangeResult {
  /** The server's Date header as epoch milliseconds (second resolution), when it sent one. */
  serverTimeMs?: number;
}

/** An attempt that failed in a way that may have changed the server's state; only launch_job sees these. */
class AmbiguousFailure {
  constructor(readonly error: TailerError) {}
}

const USER_AGENT = `pulumi-tailer/0.1.0 node/${process.versions.node}`;

/** Normalises a base URL: no trailing slash, http(s) only. */
export function normalizeApiUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TailerError(ErrorCodes.INVALID_REQUEST, `the API URL "${url}" is not a URL.`, {
      hint: `Set tailer:apiUrl or ${API_URL_ENV} to a URL like ${PRODUCTION_API_URL}.`,
    });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new TailerError(ErrorCodes.INVALID_REQUEST, `the API URL "${url}" must start with https:// or http://.`, {
      hint: `Set tailer:apiUrl or ${API_URL_ENV} to a URL like ${PRODUCTION_API_URL}.`,
    });
  return parsed.toString().replace(/\/+$/, "");
}

/** A client of the Tailer API. Create one per process and share it: it holds a connection pool. */
export class TailerClient {
  /** The API base URL, without trailing slash. */
  readonly apiUrl: string;
  readonly #tokenSource: TokenSource | undefined;
  readonly #auth: AuthOptions;
  readonly #policy: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #onEvent: (event: ClientEvent) => void;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #suffixCheck: "error" | "off";
  readonly #origin: string;
  readonly #paths: Readonly<Record<Action, string>>;
  #sendableToken?: string;
  #resolvedSource?: TokenSource;

  constructor(options: TailerClientOptions = {}) {
    const env = options.env ?? process.env;
    this.apiUrl = normalizeApiUrl(options.apiUrl ?? env[API_URL_ENV] ?? PRODUCTION_API_URL);
    // Parsed once: the origin, and each action's path under the base URL's own path (a proxy prefix).
    const base = new URL(`${this.apiUrl}/`);
    this.#origin = base.origin;
    const prefix = base.pathname.replace(/\/$/, "");
    this.#paths = Object.fromEntries(Object.entries(ACTION_PATHS).map(([action, path]) => [action, `${prefix}${path}`])) as Record<
      Action,
      string
    >;
    this.#tokenSource = options.tokenSource;
    this.#auth = { ...options.auth, env };
    this.#policy = resolveRetryPolicy(options.retry);
    this.#timeoutMs = options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs;
    if (!(this.#timeoutMs > 0)) throw new RangeError(`requestTimeoutMs must be > 0, got ${this.#timeoutMs}`);
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher =
      options.dispatcher ??
      new (undiciTransport().Agent)({
        allowH2: true,
        connections: options.connections ?? CLIENT_DEFAULTS.connections,
        keepAliveTimeout: CLIENT_DEFAULTS.keepAliveTimeoutMs,
        connect: {
          timeout: CLIENT_DEFAULTS.connectTimeoutMs,
          ...(options.ca ? { ca: typeof options.ca === "string" ? options.ca : [...options.ca] } : {}),
        },
      });
    this.#onEvent = options.onEvent ?? (() => {});
    this.#random = options.random ?? Math.random;
    this.#suffixCheck = options.suffixCheck ?? "error";
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The retry policy in force. */
  get retryPolicy(): Readonly<RetryPolicy> {
    return this.#policy;
  }

  /**
   * Launches a job and returns its run id. Never launches twice: when an attempt fails in a way that
   * may have launched the run (timeout, reset connection, dropped answer, 5xx), the client looks the
   * run up (get_last_status, runs newer than those seen before the launch) and adopts it before it
   * considers launching again.
   */
  async launchJob(body: RequestBody<"launch_job">, options: LaunchOptions = {}): Promise<LaunchResult> {
    const request = this.#validate("launch_job", body);
    const budget: Budget = { attempts: 0, startedAtMs: Date.now() };
    const lookup: RequestBody<"get_last_status"> = {
      account: request.account,
      environment: request.environment,
      configuration_type: request.configuration_type,
      configuration_id: request.configuration_id,
      ...(request.job_id ? { job_id: request.job_id } : {}),
      limit: CLIENT_DEFAULTS.reconcileLimit,
    };
    // The runs that exist before we launch: anything newer after an ambiguous failure is ours.
    const before = new Set((options.runsBefore ?? (await this.getLastStatus(lookup))).map((run) => run.run_id));
    for (;;) {
      const outcome = await this.#call("launch_job", request, { idempotent: false, budget });
      if (!(outcome instanceof AmbiguousFailure)) return { runId: outcome.body.run_id, adopted: false, attempts: budget.attempts };
      let runs: Run[];
      try {
        runs = await this.getLastStatus(lookup);
      } catch (error) {
        throw new TailerError(ErrorCodes.LAUNCH_UNCERTAIN, "the launch may or may not have started a run, and looking it up failed.", {
          action: "launch_job",
          attempts: budget.attempts,
          hint: `Look at the configuration's last runs (get_last_status) before launching again. The launch failed with: ${outcome.error.message}`,
          cause: error,
        });
      }
      const fresh = runs.filter((run) => !before.has(run.run_id));
      // Newest first: the oldest new run is the one our first ambiguous attempt started.
      const adopted = fresh[fresh.length - 1];
      if (adopted) {
        this.#onEvent({ type: "launch-adopted", runId: adopted.run_id, reason: outcome.error.message });
        return { runId: adopted.run_id, adopted: true, attempts: budget.attempts };
      }
      // Nothing was launched: try again if the budget allows, else report the launch's own failure.
      await this.#waitOrThrow(budget, outcome.error, undefined, "launch_job");
    }
  }

  /** The run `run_id` of a job, or undefined when the API returns no row for it. */
  async checkRunStatus(body: RequestBody<"check_run_status">): Promise<Run | undefined> {
    const { body: response } = await this.#request("check_run_status", body);
    return response.results.map(normalizeRun)[0];
  }

  /** The last runs of a configuration or job, newest first, filtered as documented (job_id, execution_date, status, limit). */
  async getLastStatus(body: RequestBody<"get_last_status">): Promise<Run[]> {
    const { body: response } = await this.#request("get_last_status", body);
    return response.results.map(normalizeRun);
  }

  /** Runs of an account by status, across configurations (2024 API). */
  async getByStatus(body: RequestBody<"get_by_status">): Promise<Run[]> {
    const { body: response } = await this.#request("get_by_status", body);
    return response.results.map(normalizeRun);
  }

  /** Marks a run with a status, e.g. CHECKED for a handled failure (2024 API). */
  async setRunStatus(body: RequestBody<"set_run_status">): Promise<ChangeResult> {
    return changeResult(await this.#request("set_run_status", body));
  }

  /** Clears a workflow's marks so it starts from scratch. */
  async resetWorkflowStatus(body: RequestBody<"reset_workflow_status">): Promise<ChangeResult> {
    return changeResult(await this.#request("reset_workflow_status", body));
  }

  /** Activates, disables or archives a configuration. Idempotent. */
  async setConfigurationStatus(body: RequestBody<"set_configuration_status">): Promise<ChangeResult> {
    return changeResult(await this.#request("set_configuration_status", body));
  }

  /** Closes the connection pool (when the client created it). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  async #request<A extends Exclude<Action, "launch_job">>(action: A, body: RequestBody<A>): Promise<Answer<A>> {
    const request = this.#validate(action, body);
    const outcome = await this.#call(action, request, { idempotent: true, budget: { attempts: 0, startedAtMs: Date.now() } });
    if (outcome instanceof AmbiguousFailure) throw outcome.error; // unreachable for idempotent calls
    return outcome;
  }

  #validate<A extends Action>(action: A, body: RequestBody<A>): RequestOf<A> {
    const schema = REQUEST_SCHEMAS[action] as unknown as z.ZodType<RequestOf<A>>;
    const parsed = schema.safeParse({ action, ...body });
    if (parsed.success) {
      this.#checkSuffix(action, parsed.data);
      return parsed.data;
    }
    const problems = parsed.error.issues.map((issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field(s) ${issue.keys.join(", ")}`
        : `${issue.path.join(".") || "(body)"}: ${issue.message}`,
    );
    throw new TailerError(ErrorCodes.INVALID_REQUEST, `invalid request, nothing was sent: ${problems.join("; ")}.`, {
      action,
      hint: "Fix the named field(s).",
    });
  }

  #checkSuffix(action: Action, request: Record<string, unknown>): void {
    if (this.#suffixCheck === "off") return;
    const { configuration_type, configuration_id, environment } = request as Partial<LaunchJobRequest>;
    if (!configuration_type || !configuration_id || !environment) return;
    const problem = checkEnvironmentSuffix(configuration_type, configuration_id, environment);
    if (problem)
      throw new TailerError(ErrorCodes.INVALID_REQUEST, `invalid request, nothing was sent: ${problem.message}`, {
        action,
        hint: "withEnvironmentSuffix(id, environment) builds the right id.",
      });
  }

  #source(): TokenSource {
    this.#resolvedSource ??= this.#tokenSource ?? resolveTokenSource(this.#auth, this.apiUrl);
    return this.#resolvedSource;
  }

  /**
   * Sends one logical call, retrying as the policy allows. Idempotent calls retry every retryable
   * failure; a non-idempotent call retries only failures that prove the server did nothing, and hands
   * ambiguous ones back to its caller. The decision is made once per logical call, not per attempt.
   */
  async #call<A extends Action>(
    action: A,
    request: RequestOf<A>,
    { idempotent, budget }: { idempotent: boolean; budget: Budget },
  ): Promise<Answer<A> | AmbiguousFailure> {
    let tokenRetried = false;
    for (;;) {
      budget.attempts++;
      const source = this.#source();
      const token = await source.getToken();
      if (token !== this.#sendableToken) {
        assertSendable(token, source, action); // once per token, not once per call
        this.#sendableToken = token;
      }
      const attempt = await this.#attempt(action, request, token, budget.attempts);
      if (attempt.ok) return { body: attempt.body, serverTimeMs: attempt.serverTimeMs };
      const { error, kind, retryAfterMs } = attempt;
      // A token refused once may have been revoked or expired in flight: mint a new one, once.
      if (error.status === 401 && !tokenRetried && source.kind !== "token") {
        tokenRetried = true;
        source.invalidate();
        this.#onEvent({ type: "token-refused", action });
        continue;
      }
      if (kind === "final") throw error;
      if (kind === "ambiguous" && !idempotent) return new AmbiguousFailure(error);
      await this.#waitOrThrow(budget, error, retryAfterMs, action);
    }
  }

  /** Waits before the next attempt, or throws `error` when attempts or time are used up. */
  async #waitOrThrow(budget: Budget, error: TailerError, retryAfterMs: number | undefined, action: Action): Promise<void> {
    // The error of the last attempt already carries the attempt count: it is the one to report.
    if (budget.attempts >= this.#policy.maxAttempts) throw error;
    if (retryAfterMs !== undefined && retryAfterMs > this.#policy.maxRetryAfterMs) throw error;
    const delayMs = backoffDelayMs(budget.attempts, this.#policy, retryAfterMs, this.#random);
    if (Date.now() + delayMs - budget.startedAtMs > this.#policy.maxElapsedMs) throw error;
    this.#onEvent({ type: "retry", action, attempt: budget.attempts, delayMs, reason: error.message });
    await this.#sleep(delayMs);
  }

  async #attempt<A extends Action>(
    action: A,
    request: RequestOf<A>,
    token: string,
    attempts: number,
  ): Promise<
    { ok: true; body: ResponseOf<A>; serverTimeMs?: number } | { ok: false; error: TailerError; kind: FailureKind; retryAfterMs?: number }
  > {
    // undici's headersTimeout/bodyTimeout tick with a one-second resolution: right for the default 30 s,
    // and cheaper than a timer and an AbortController per call on this hot path. A sub-second timeout
    // gets a precise timer of its own (a 100 ms undici timeout let a 500 ms answer through).
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let signal: AbortSignal | undefined;
    if (this.#timeoutMs < PRECISE_TIMER_BELOW_MS) {
      const controller = new AbortController();
      signal = controller.signal;
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.#timeoutMs);
    }
    try {
      const response = await undiciTransport().request(this.#dispatcher, {
        origin: this.#origin,
        path: this.#paths[action],
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          authorization: `Bearer ${token}`,
          "user-agent": USER_AGENT,
        },
        body: JSON.stringify(request),
        ...(signal ? { signal } : {}),
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      const text = await response.body.text();
      const requestId = headerValue(response.headers["x-request-id"]) ?? headerValue(response.headers["x-cloud-trace-context"]);
      if (response.statusCode >= 200 && response.statusCode < 300) {
        const parsed = RESPONSE_SCHEMAS[action].safeParse(safeJson(text));
        if (parsed.success) {
          const serverTimeMs = Date.parse(headerValue(response.headers.date) ?? "");
          return { ok: true, body: parsed.data as ResponseOf<A>, ...(Number.isNaN(serverTimeMs) ? {} : { serverTimeMs }) };
        }
        const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
        return {
          ok: false,
          kind: "final",
          error: new TailerError(ErrorCodes.INVALID_RESPONSE, `the API answered with an unexpected body (${problems}).`, {
            action,
            status: response.statusCode,
            requestId,
            hint: "The API may have changed; please report it with the request id.",
          }),
        };
      }
      const errorBody = ErrorBody.safeParse(safeJson(text));
      const serverMessage = errorBody.success
        ? errorBody.data.message
        : text.trim().slice(0, CLIENT_DEFAULTS.maxErrorBodyChars) || undefined;
      return {
        ok: false,
        kind: classifyStatus(response.statusCode, this.#policy),
        retryAfterMs: parseRetryAfterMs(headerValue(response.headers["retry-after"])),
        error: errorFromResponse(action, response.statusCode, serverMessage, requestId, attempts),
      };
    } catch (cause) {
      if (isTailerError(cause)) return { ok: false, kind: "final", error: cause };
      // Network, TLS and undici errors carry a code; anything else is a bug here, not a failed call: no retry.
      if (!timedOut && !hasErrorCodeProperty(cause)) throw cause;
      timedOut ||= TIMEOUT_CODES.has(networkErrorCode(cause) ?? "");
      const kind = classifyTransportError(cause, timedOut);
      const error = timedOut
        ? new TailerError(ErrorCodes.TIMEOUT, `no complete answer within ${this.#timeoutMs} ms.`, {
            action,
            attempts,
            hint: "Raise tailer:requestTimeoutMs, or check the network path to the API.",
            cause,
          })
        : new TailerError(ErrorCodes.NETWORK, `the connection to ${this.apiUrl} failed (${describeCause(cause)}).`, {
            action,
            attempts,
            hint: "Check the API URL (tailer:apiUrl) and the network; the call is retried when that is safe.",
            cause,
          });
      return { ok: false, kind: kind === "final" ? "ambiguous" : kind, error };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}

/** Maps the legacy `gbq-to-gbq` that get_last_status returns to `table-to-table`, so runs compare equal. */
export function normalizeRun(run: Run): Run {
  return { ...run, configuration_type: canonicalConfigurationType(run.configuration_type) };
}

function changeResult(answer: { serverTimeMs?: number }): ChangeResult {
  return answer.serverTimeMs === undefined ? {} : { serverTimeMs: answer.serverTimeMs };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Refuses a token that cannot travel in a header (a line break, a space, an invisible character pasted
 * with it), before sending: undici would refuse it as an invalid header, which reads as a network failure.
 */
function assertSendable(token: string, source: TokenSource, action: Action): void {
  const bad = /[^\x21-\x7e]/.exec(token);
  if (!bad) return;
  const code = `U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
  throw new TailerError(
    ErrorCodes.CREDENTIALS,
    `the token from ${source.description} cannot be sent: it holds the character ${code} at position ${bad.index}.`,
    {
      action,
      hint: "Tokens are printable ASCII: set it again without spaces, line breaks or invisible characters (a copy and paste may add them).",
    },
  );
}

function hasErrorCodeProperty(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    if (typeof (current as { code?: unknown }).code === "string") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function describeCause(cause: unknown): string {
  const code = (cause as { code?: unknown })?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return redact(typeof code === "string" ? `${code}: ${message}` : message);
}

/** Re-exported request types, for callers building bodies. */
export type {
  CheckRunStatusRequest,
  GetByStatusRequest,
  GetLastStatusRequest,
  LaunchJobRequest,
  ResetWorkflowStatusRequest,
  SetConfigurationStatusRequest,
  SetRunStatusRequest,
};
