/**
 * One public-API exchange: its request-log entry and its answer, which the faults may withhold (reset,
 * dropped), hold, or garble. The entry is recorded when the request's handling ends and updated in place
 * when a late action is performed afterwards.
 */
import type { ServerResponse } from "node:http";
import type { Http2ServerResponse } from "node:http2";
import { performance } from "node:perf_hooks";
import { bearerToken, sortedJson } from "../provider/client/wire";
import type { EmulatorClock } from "./clock";
import type { FaultDecision, FaultInjector } from "./faults";
import { type AnyRequest, type AnyResponse, abortExchange, sendJson } from "./http-io";
import { newEntry, type RequestLog, type RequestLogEntry, tokenFingerprint } from "./request-log";

/** What an exchange needs of the emulator. */
interface ExchangeDependencies {
  requestLog: RequestLog;
  clock: EmulatorClock;
  /** Prefix of request ids, unique per emulator instance. */
  instanceId: string;
  /** Whether answers carry a Date header. */
  faults: Pick<FaultInjector, "dateHeader">;
}

/** How a garbled_body fault spoils a 2xx answer. */
type Garble = "truncated" | "html" | "bad_run_id";

/**
 * At most `max` characters of `s`, as a string of its own: V8's slice of a long string keeps the whole
 * string alive, so a log entry would hold every request's full path or field (up to 64 KB each).
 */
function clip(s: string, max = 200): string {
  return s.length <= max ? s : Buffer.from(s.slice(0, max), "utf16le").toString("utf16le");
}

const str = (v: unknown): string | null => (typeof v === "string" ? clip(v) : null);

/** The fingerprint of the request's bearer token, null without one: the log never holds the token. */
function bearerFingerprint(authorization: string | undefined): string | null {
  const token = bearerToken(authorization);
  return token === undefined ? null : tokenFingerprint(token);
}

/** Every run_id value in an answer replaced by Python's `None`, as a buggy server might print it. */
function withBadRunIds(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body), (key, value: unknown) => (key === "run_id" ? "None" : value));
}

/** A public-API request being answered. */
export class Exchange {
  /** Its request-log entry. */
  readonly entry: RequestLogEntry;
  private readonly started = performance.now();
  private withheld = false;

  constructor(
    private readonly deps: ExchangeDependencies,
    readonly req: AnyRequest,
    readonly res: AnyResponse,
    path: string,
  ) {
    this.entry = {
      ...newEntry(deps.requestLog.nextSequence(), deps.instanceId, deps.clock.nowUs(), "api"),
      method: req.method ?? "",
      path: clip(path), // like the body's fields: an entry stays small whatever the URL (16 KB at most)
      http_version: req.httpVersion,
      token_fingerprint: bearerFingerprint(req.headers.authorization),
    };
  }

  /** Notes what the body addresses (clipped strings only). */
  describe(body: Record<string, unknown>): void {
    this.entry.action = str(body.action);
    this.entry.account = str(body.account);
    this.entry.configuration_type = str(body.configuration_type);
    this.entry.configuration_id = str(body.configuration_id);
  }

  /** Notes the faults decided for this request. */
  noteFaults(decision: FaultDecision): void {
    this.entry.latency_ms = decision.latencyMs;
    this.entry.visibility_delay_ms = decision.visibilityDelayMs;
    this.entry.fault = decision.fault?.kind ?? null;
    this.entry.fault_rule = decision.fault?.id ?? null;
  }

  /** From now on every answer is replaced by a reset (drop_response): its status is still logged. */
  withholdAnswers(): void {
    this.withheld = true;
  }

  /** True while the client still waits for an answer. */
  get open(): boolean {
    const stream = (this.res as Partial<Http2ServerResponse>).stream; // HTTP/2: the stream, which the client may have reset
    return !(this.res.headersSent || this.res.writableEnded || this.res.destroyed || stream?.destroyed);
  }

  /** Answers JSON, dated on the emulated clock and carrying the request id (or resets, once answers are withheld). */
  respond(status: number, body: unknown, headers?: Readonly<Record<string, string>>, closeConnection = false): void {
    this.entry.status = status;
    if (this.withheld) {
      this.abort();
      return;
    }
    sendJson(this.req, this.res, status, body, { ...this.standardHeaders(), ...headers }, closeConnection);
  }

  /** Answers 200 with a body a client cannot use: cut short, an HTML page, or run ids that fail their pattern. */
  respondGarbled(body: unknown, garble: Garble): void {
    this.entry.status = 200;
    if (!this.open) return;
    const json = sortedJson(body);
    let text = json.slice(0, Math.max(1, Math.floor(json.length / 2))); // truncated; also bad_run_id without run ids
    if (garble === "html") text = "<html><head><title>OK</title></head><body>OK</body></html>";
    else if (garble === "bad_run_id" && json.includes('"run_id":')) text = sortedJson(withBadRunIds(body));
    const type = garble === "html" ? "text/html; charset=utf-8" : "application/json";
    const headers = { ...this.standardHeaders(), "content-type": type, "content-length": Buffer.byteLength(text) };
    (this.res as ServerResponse).writeHead(200, headers);
    this.res.end(text);
  }

  /** Ends the exchange without an answer (TCP reset, or RST_STREAM on HTTP/2). */
  abort(): void {
    abortExchange(this.req, this.res);
  }

  /** Records the entry in the request log (once handling ends; a late action updates it afterwards). */
  finish(): void {
    this.entry.duration_ms = Math.round((performance.now() - this.started) * 1000) / 1000;
    this.deps.requestLog.record(this.entry);
  }

  // Date on the emulated clock, like every run date, so clients can compare the two; a request id for support lines.
  private standardHeaders(): Record<string, string> {
    const id = { "x-request-id": this.entry.request_id };
    if (this.deps.faults.dateHeader) return { date: new Date(Math.floor(this.deps.clock.nowUs() / 1000)).toUTCString(), ...id };
    this.res.sendDate = false; // node would add one on the wall clock
    return id;
  }
}
