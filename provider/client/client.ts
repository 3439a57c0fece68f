/**
 * TailerClient: one typed method per API action, zod at the boundary, undici underneath (a keep-alive
 * pool, HTTP/2 when the server offers it), retries with jittered backoff, and a launch that never
 * launches twice.
 */
import type { Dispatcher } from "undici";
import type { z } from "zod";
import { type AuthOptions, resolveTokenSource, type TokenSource } from "../auth";
import { ErrorCodes, TailerError } from "../core/errors";
import { PACKAGE_VERSION } from "../core/packageInfo";
import { redact } from "../core/redact";
import { errorFromResponse } from "./answerErrors";
import { checkEnvironmentSuffix } from "./identity";
import { decideLaunch, type LaunchAttempt, LaunchUncertainError, launchCandidates, RECONCILE_DEFAULTS, type RunOwnership } from "./launch";
import {
  backoffDelayMs,
  classifyStatus,
  classifyTransportError,
  type FailureClass,
  parseRetryAfterMs,
  type RetryPolicy,
  resolveRetryPolicy,
  transportErrorCode,
  UNREADABLE_SUCCESS,
} from "./retry";
import {
  ACTION_PATHS,
  type Action,
  canonicalConfigurationType,
  defaultJobId,
  ErrorBody,
  type LaunchJobRequest,
  PRODUCTION_API_URL,
  REQUEST_SCHEMAS,
  RESPONSE_SCHEMAS,
  type RequestOf,
  type ResponseOf,
  type Run,
} from "./schemas";
import { undiciTransport } from "./transport";
import { bearerHeader } from "./wire";

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
   * How long after a launch began its run is surely visible (late processing behind the gateway,
   * visibility delay): an uncertain launch is decided once this has passed. Default: the request
   * timeout plus RECONCILE_DEFAULTS.windowMarginMs.
   */
  reconcileWindowMs?: number;
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
   * The job's last runs read just before launching (newest first) and the server's time of that read,
   * when the caller already has them; otherwise launchJob reads them itself. Runs absent from this list
   * are the ones an uncertain launch may have started.
   */
  before?: RunsRead;
  /** Runs other resources own: never adopted by reconciliation. */
  ownedElsewhere?: RunOwnership;
  /** Called with the attempt's evidence just before the request is sent (to journal it). */
  onAttempt?: (attempt: LaunchAttempt) => void;
}

/** Runs as read, with the server's time of the read (its Date header), when it sent one. */
export interface RunsRead {
  runs: Run[];
  serverTimeMs?: number;
}

/** The outcome of launchJob. */
export interface LaunchResult {
  /** The run's id. */
  runId: string;
  /** True when the launch's answer was lost and its run was found and adopted rather than launched again. */
  adopted: boolean;
  /** HTTP attempts made (reconciliation reads excluded). */
  attempts: number;
  /** The attempt's evidence. */
  attempt: LaunchAttempt;
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

/** A failed attempt: the error, what it says about the server's state, and the server's Retry-After. */
interface Failure {
  error: TailerError;
  kind: FailureClass;
  retryAfterMs?: number;
}

/** An attempt that may have changed the server's state (or surely did): only launch_job sees these. */
class UncertainOutcome {
  constructor(readonly failure: Failure) {}
}

const USER_AGENT = `pulumi-tailer/${PACKAGE_VERSION} node/${process.versions.node}`;

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
  readonly #reconcileWindowMs: number;
  #closed = false;
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
    this.#reconcileWindowMs = options.reconcileWindowMs ?? this.#timeoutMs + RECONCILE_DEFAULTS.windowMarginMs;
    if (!(this.#reconcileWindowMs >= 0)) throw new RangeError(`reconcileWindowMs must be >= 0, got ${this.#reconcileWindowMs}`);
  }

  /** The retry policy in force. */
  get retryPolicy(): Readonly<RetryPolicy> {
    return this.#policy;
  }

  /** How long after a launch began its run is surely visible: the reconcile window. */
  get reconcileWindowMs(): number {
    return this.#reconcileWindowMs;
  }

  /**
   * Launches a job and returns its run id. Never launches twice: a failure that proves nothing was done
   * (a refused connection, 429) is retried; one after which the server may have launched (timeout, reset,
   * 5xx, an unreadable 2xx) is reconciled: the run it started is found and adopted, or the call fails with
   * LAUNCH_UNCERTAIN, naming the candidates. It never sends a second launch_job after an uncertain one.
   */
  async launchJob(body: RequestBody<"launch_job">, options: LaunchOptions = {}): Promise<LaunchResult> {
    const request = this.#validate("launch_job", body);
    const lookup = launchLookup(request);
    const before = options.before ?? (await this.readRuns(lookup));
    const readAtMs = Date.now();
    let attempt = launchAttempt(before, lookup.job_id, readAtMs, this.#reconcileWindowMs);
    const budget: Budget = { attempts: 0, startedAtMs: readAtMs };
    // The evidence is journaled again before each send: a 429 or a refused connection proved the
    // previous send did nothing, so a run that started before this one (a schedule's) is not ours.
    const beforeSend = () => {
      attempt = launchAttempt(before, lookup.job_id, readAtMs, this.#reconcileWindowMs);
      options.onAttempt?.(attempt);
    };
    const outcome = await this.#call("launch_job", request, { idempotent: false, budget, beforeSend });
    if (!(outcome instanceof UncertainOutcome)) return { runId: outcome.body.run_id, adopted: false, attempts: budget.attempts, attempt };
    const uncertain: LaunchAttempt = { ...attempt, reason: outcome.failure.error.message };
    const run = await this.reconcileLaunch(request, uncertain, { noneIsUncertain: true, ownedElsewhere: options.ownedElsewhere });
    if (!run) throw new Error("unreachable: an uncertain launch never decides to launch again");
    this.#onEvent({ type: "launch-adopted", runId: run.run_id, reason: outcome.failure.error.message });
    return { runId: run.run_id, adopted: true, attempts: budget.attempts, attempt: uncertain };
  }

  /**
   * Decides what an attempt whose outcome is not known did: the run it started (adopt it), none (the
   * caller may launch: returns undefined), or LaunchUncertainError when that cannot be told. Waits, reading
   * the job's runs, until the attempt's reconcile window has passed unless a run shows the request's own.
   */
  async reconcileLaunch(
    identity: RequestBody<"launch_job">,
    attempt: LaunchAttempt,
    { noneIsUncertain = false, ownedElsewhere }: { noneIsUncertain?: boolean; ownedElsewhere?: RunOwnership | undefined } = {},
  ): Promise<Run | undefined> {
    const lookup = { ...launchLookup({ action: "launch_job", ...identity }), ...(attempt.jobId ? { job_id: attempt.jobId } : {}) };
    let evidence = attempt;
    let pollMs: number = RECONCILE_DEFAULTS.firstPollMs;
    for (;;) {
      const read = await this.#readForReconcile(lookup, evidence);
      // The first read after the failure bounds the request's flight on the server's clock.
      if (evidence.reason !== undefined && evidence.failedAt === undefined && read.serverTimeMs !== undefined)
        evidence = { ...evidence, failedAt: new Date(read.serverTimeMs).toISOString() };
      const candidates = launchCandidates(read.runs, evidence, ownedElsewhere);
      const decision = decideLaunch(candidates, evidence, { nowMs: Date.now(), noneIsUncertain });
      if (decision.kind === "adopt") return decision.run;
      if (decision.kind === "launch") return undefined;
      if (decision.kind === "uncertain") throw uncertainLaunch(evidence, decision.candidates, decision.because);
      await this.#sleep(Math.min(pollMs, Math.max(0, Date.parse(evidence.settlesAt) - Date.now())));
      pollMs = Math.min(pollMs * 2, RECONCILE_DEFAULTS.maxPollMs);
    }
  }

  /** The runs of a configuration or job (as getLastStatus) with the server's time of the read. */
  async readRuns(body: RequestBody<"get_last_status">): Promise<RunsRead> {
    const answer = await this.#request("get_last_status", body);
    return {
      runs: answer.body.results.map(normalizeRun),
      ...(answer.serverTimeMs === undefined ? {} : { serverTimeMs: answer.serverTimeMs }),
    };
  }

  async #readForReconcile(lookup: RequestBody<"get_last_status">, attempt: LaunchAttempt): Promise<RunsRead> {
    try {
      return await this.readRuns(lookup);
    } catch (error) {
      throw uncertainLaunch(attempt, [], "looking for its run failed", error);
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

  /** Closes the connection pool (when the client created it). Idempotent. */
  async close(): Promise<void> {
    if (!this.#ownsDispatcher || this.#closed) return;
    this.#closed = true;
    await this.#dispatcher.close();
  }

  async #request<A extends Exclude<Action, "launch_job">>(action: A, body: RequestBody<A>): Promise<Answer<A>> {
    const request = this.#validate(action, body);
    const outcome = await this.#call(action, request, { idempotent: true, budget: { attempts: 0, startedAtMs: Date.now() } });
    if (outcome instanceof UncertainOutcome) throw outcome.failure.error; // unreachable for idempotent calls
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

  /**
   * Checks, without any call, that credentials are configured (a token, a key, a command): throws
   * TAILER_CREDENTIALS listing every source otherwise. The provider runs it at configure, so a missing
   * credential fails `pulumi preview`, not only `up`.
   */
  checkCredentials(): void {
    this.#source();
  }

  #source(): TokenSource {
    this.#resolvedSource ??= this.#tokenSource ?? resolveTokenSource(this.#auth, this.apiUrl);
    return this.#resolvedSource;
  }

  /**
   * Sends one logical call, retrying as the policy allows. Idempotent calls retry every passing failure;
   * a non-idempotent call retries only failures that prove the server did nothing, and hands the others
   * back to its caller. The decision is made once per logical call, not per attempt.
   */
  async #call<A extends Action>(
    action: A,
    request: RequestOf<A>,
    { idempotent, budget, beforeSend }: { idempotent: boolean; budget: Budget; beforeSend?: () => void },
  ): Promise<Answer<A> | UncertainOutcome> {
    let tokenRetried = false;
    for (;;) {
      budget.attempts++;
      const source = this.#source();
      const token = await source.getToken();
      if (token !== this.#sendableToken) {
        assertSendable(token, source, action); // once per token, not once per call
        this.#sendableToken = token;
      }
      beforeSend?.();
      const outcome = await this.#attempt(action, request, token);
      if (!("error" in outcome)) return outcome;
      // A token refused once may have been revoked or expired in flight: mint a new one, once.
      if (outcome.error.status === 401 && !tokenRetried && source.kind !== "token") {
        tokenRetried = true;
        source.invalidate();
        this.#onEvent({ type: "token-refused", action });
        continue;
      }
      if (!idempotent && outcome.kind.effect !== "none") return new UncertainOutcome(outcome);
      if (!outcome.kind.transient) throw outcome.error.withAttempts(budget.attempts);
      await this.#waitOrThrow(budget, outcome, action);
    }
  }

  /** Waits before the next attempt, or throws the failure's error when attempts or time are used up. */
  async #waitOrThrow(budget: Budget, { error, retryAfterMs }: Failure, action: Action): Promise<void> {
    const giveUp = () => error.withAttempts(budget.attempts);
    if (budget.attempts >= this.#policy.maxAttempts) throw giveUp();
    if (retryAfterMs !== undefined && retryAfterMs > this.#policy.maxRetryAfterMs) throw giveUp();
    const delayMs = backoffDelayMs(budget.attempts, this.#policy, retryAfterMs, this.#random);
    if (Date.now() + delayMs - budget.startedAtMs > this.#policy.maxElapsedMs) throw giveUp();
    this.#onEvent({ type: "retry", action, attempt: budget.attempts, delayMs, reason: error.message });
    await this.#sleep(delayMs);
  }

  /** One HTTP attempt: its answer, or the failure and what it says about the server's state. */
  async #attempt<A extends Action>(action: A, request: RequestOf<A>, token: string): Promise<Answer<A> | Failure> {
    // undici's headersTimeout/bodyTimeout tick with a one-second resolution: right for the default 30 s,
    // and cheaper than a timer and an AbortController per call on this hot path. A sub-second timeout
    // gets a precise timer of its own (a 100 ms undici timeout let a 500 ms answer through).
    const timer = this.#timeoutMs < PRECISE_TIMER_BELOW_MS ? preciseTimer(this.#timeoutMs) : undefined;
    try {
      const response = await undiciTransport().request(this.#dispatcher, {
        origin: this.#origin,
        path: this.#paths[action],
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          authorization: bearerHeader(token),
          "user-agent": USER_AGENT,
        },
        body: JSON.stringify(request),
        ...(timer ? { signal: timer.signal } : {}),
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      return this.#interpret(action, response.statusCode, response.headers, await response.body.text());
    } catch (cause) {
      // Network, TLS and undici errors carry a code; anything else is a bug here, not a failed call: no retry.
      if (!timer?.fired() && !hasErrorCodeProperty(cause)) throw cause;
      return this.#transportFailure(action, cause, timer?.fired() ?? false);
    } finally {
      timer?.clear();
    }
  }

  /** An HTTP answer as the call's outcome: the parsed body of a success, or the failure it means. */
  #interpret<A extends Action>(action: A, status: number, headers: Dispatcher.ResponseData["headers"], text: string): Answer<A> | Failure {
    const requestId = headerValue(headers["x-request-id"]) ?? headerValue(headers["x-cloud-trace-context"]);
    if (status >= 200 && status < 300) {
      const parsed = RESPONSE_SCHEMAS[action].safeParse(safeJson(text));
      if (parsed.success) {
        const serverTimeMs = Date.parse(headerValue(headers.date) ?? "");
        return { body: parsed.data as ResponseOf<A>, ...(Number.isNaN(serverTimeMs) ? {} : { serverTimeMs }) };
      }
      const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
      const error = new TailerError(ErrorCodes.INVALID_RESPONSE, `the API answered with an unexpected body (${problems}).`, {
        action,
        status,
        requestId,
        hint: "The API may have changed; please report it with the request id.",
      });
      return { error, kind: UNREADABLE_SUCCESS };
    }
    const errorBody = ErrorBody.safeParse(safeJson(text));
    const serverMessage = errorBody.success ? errorBody.data.message : text.trim().slice(0, CLIENT_DEFAULTS.maxErrorBodyChars) || undefined;
    return {
      kind: classifyStatus(status, this.#policy),
      retryAfterMs: parseRetryAfterMs(headerValue(headers["retry-after"])),
      error: errorFromResponse(action, status, serverMessage, requestId),
    };
  }

  /** A failure without an HTTP answer, classified by the one table (retry.ts). */
  #transportFailure(action: Action, cause: unknown, timedOut: boolean): Failure {
    const kind = classifyTransportError(cause, timedOut || TIMEOUT_CODES.has(transportErrorCode(cause) ?? ""));
    const details = { action, cause };
    if (kind.code === ErrorCodes.TIMEOUT)
      return {
        kind,
        error: new TailerError(ErrorCodes.TIMEOUT, `no complete answer within ${this.#timeoutMs} ms.`, {
          ...details,
          hint: "Raise tailer:requestTimeoutMs, or check the network path to the API.",
        }),
      };
    if (kind.code === ErrorCodes.TLS)
      return {
        kind,
        error: new TailerError(
          ErrorCodes.TLS,
          `the TLS handshake with ${this.apiUrl} failed (${describeCause(cause)}); nothing was sent.`,
          {
            ...details,
            hint: "The server's certificate is not trusted here: check tailer:apiUrl, or trust its authority (NODE_EXTRA_CA_CERTS=<PEM file>).",
          },
        ),
      };
    const sent = kind.effect === "none" ? "nothing was sent" : "the request may have reached the API";
    return {
      kind,
      error: new TailerError(ErrorCodes.NETWORK, `the connection to ${this.apiUrl} failed (${describeCause(cause)}); ${sent}.`, {
        ...details,
        hint: "Check the API URL (tailer:apiUrl) and the network; the call is retried when that is safe.",
      }),
    };
  }
}

/** A timer that aborts a request after `ms`, for timeouts below undici's one-second resolution. */
function preciseTimer(ms: number): { signal: AbortSignal; fired(): boolean; clear(): void } {
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    controller.abort();
  }, ms);
  return { signal: controller.signal, fired: () => fired, clear: () => clearTimeout(timer) };
}

/**
 * The evidence of a launch sent now: it began no earlier than the read before it on the server's clock,
 * plus the local time since (a lower bound while the server's clock runs at least as fast as ours).
 */
function launchAttempt(before: RunsRead, jobId: string | undefined, readAtMs: number, windowMs: number): LaunchAttempt {
  const nowMs = Date.now();
  return {
    startedAt: new Date((before.serverTimeMs ?? readAtMs) + (nowMs - readAtMs)).toISOString(),
    settlesAt: new Date(nowMs + windowMs).toISOString(),
    runsBefore: before.runs.map((run) => run.run_id),
    ...(jobId ? { jobId } : {}),
  };
}

/** get_last_status for a launch's job: its identity, the job when known, the reconcile read's size. */
function launchLookup(request: LaunchJobRequest): RequestBody<"get_last_status"> {
  const jobId = request.job_id ?? defaultJobId(request.configuration_type, request.account, request.configuration_id, request.environment);
  return {
    account: request.account,
    environment: request.environment,
    configuration_type: request.configuration_type,
    configuration_id: request.configuration_id,
    ...(jobId ? { job_id: jobId } : {}),
    limit: RECONCILE_DEFAULTS.runsRead,
  };
}

function uncertainLaunch(attempt: LaunchAttempt, candidates: readonly Run[], because: string, cause?: unknown): LaunchUncertainError {
  return new LaunchUncertainError(
    `the launch may or may not have started a run (${attempt.reason ?? "it was interrupted"}), and ${because}; nothing more was launched.`,
    attempt,
    candidates,
    "If one of the candidates is this launch's run, set adoptRunId to its id on the TailerJobRun and run pulumi up; if none is, run pulumi up again (it launches once no run has appeared), or force a new run with pulumi up --replace <urn>.",
    cause,
  );
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
