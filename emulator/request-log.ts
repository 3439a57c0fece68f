/**
 * The request log: one entry per public-API request, and one per scheduled launch, in memory (a bounded
 * ring), so tests can count calls, see what faults hit, and who launched which run. It is deliberately
 * not persisted: it describes this process's traffic.
 */
import { createHash } from "node:crypto";
import { formatIsoDate } from "../provider/client/wire";
import type { FaultKind } from "./faults";
import type { RunRecord } from "./store";

/** Who made a log entry: a public-API request, or a schedule launching a run (no HTTP exchange). */
export type RequestOrigin = "api" | "scheduler";

/** The first 12 hex digits of the SHA-256 of a bearer token: enough to tell tokens apart, never the token. */
export function tokenFingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 12);
}

/** One logged public-API request (or scheduled launch). */
export interface RequestLogEntry {
  /** Increasing from 1 for the life of the emulator (not reset by clearing). */
  seq: number;
  /** The x-request-id header of the answer: `<instance>-<seq>`. */
  request_id: string;
  /** Wall-clock time the request arrived (ISO 8601). */
  time: string;
  /** Emulated time the request arrived (ISO 8601, the API's format). */
  emulated_time: string;
  method: string;
  path: string;
  /** HTTP version: "1.1" or "2.0" ("" for scheduled launches). */
  http_version: string;
  /** "api" for requests, "scheduler" for a schedule's launches. */
  origin: RequestOrigin;
  action: string | null;
  account: string | null;
  configuration_type: string | null;
  configuration_id: string | null;
  /** Status sent, or that would have been sent (drop_response); null when reset before answering. */
  status: number | null;
  /** The fault applied, if any. */
  fault: FaultKind | null;
  /** The id of the fault rule applied, if any. */
  fault_rule: string | null;
  /** Added latency in milliseconds. */
  latency_ms: number;
  /** Emulated milliseconds, on top of the global delay, before the runs this request created show in the public API. */
  visibility_delay_ms: number;
  /** late_processing: the emulated time the action is due (it is performed then, whatever the client did meanwhile). */
  delayed_until: string | null;
  /** Emulated time the action took effect; null when it did not (refused, failed, reset, dropped before processing, not due yet). */
  performed_at: string | null;
  /** The run created by this request (launch_job), even when its answer was dropped or it was performed late. */
  run_id: string | null;
  /** Whether the JWT was accepted; null when the request was refused before authentication. */
  auth_ok: boolean | null;
  /**
   * The first 12 hex characters of the SHA-256 of the bearer token (never the token itself), so a
   * benchmark or test can count the distinct tokens a client used; null when the request carried none.
   */
  token_fingerprint: string | null;
  /** The error code for failures (see errors.ts), null on success. */
  error_code: string | null;
  /** Handling time in milliseconds. */
  duration_ms: number;
}

/** An entry with nothing known yet but its sequence number, its origin and when it arrived (emulated epoch microseconds). */
export function newEntry(seq: number, instanceId: string, emulatedUs: number, origin: RequestOrigin): RequestLogEntry {
  return {
    seq,
    request_id: `${instanceId}-${seq}`,
    time: new Date().toISOString(),
    emulated_time: formatIsoDate(emulatedUs),
    method: "",
    path: "",
    http_version: "",
    origin,
    action: null,
    account: null,
    configuration_type: null,
    configuration_id: null,
    status: null,
    fault: null,
    fault_rule: null,
    latency_ms: 0,
    visibility_delay_ms: 0,
    delayed_until: null,
    performed_at: null,
    run_id: null,
    auth_ok: null,
    token_fingerprint: null,
    error_code: null,
    duration_ms: 0,
  };
}

/** A bounded, in-memory log of requests. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private start = 0;
  private nextSeq = 1;

  /** Keeps at most `capacity` entries, dropping the oldest. */
  constructor(readonly capacity = 10_000) {}

  /** Reserves the next sequence number (taken when a request arrives). */
  nextSequence(): number {
    return this.nextSeq++;
  }

  /** Records a run launched by a schedule, so the log accounts for every launch. */
  recordScheduledLaunch(run: RunRecord, instanceId: string): void {
    const entry = newEntry(this.nextSequence(), instanceId, run.start_us, "scheduler");
    this.record({
      ...entry,
      action: "launch_job",
      account: run.account,
      configuration_type: run.configuration_type,
      configuration_id: run.configuration_id,
      performed_at: entry.emulated_time,
      run_id: run.run_id,
    });
  }

  /** Appends an entry (a late action may still fill in its run_id, performed_at or status). */
  record(entry: RequestLogEntry): void {
    if (this.entries.length - this.start >= this.capacity) this.start++;
    this.entries.push(entry);
    // Compact now and then instead of shifting on every insert.
    if (this.start > 1024 && this.start > this.entries.length / 2) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  /** Entries with seq greater than `since`, oldest first, at most `limit` (the entries themselves, not copies). */
  list(since = 0, limit = Number.POSITIVE_INFINITY): RequestLogEntry[] {
    const out: RequestLogEntry[] = [];
    for (let i = this.start; i < this.entries.length; i++) {
      const e = this.entries[i] as RequestLogEntry;
      if (e.seq > since) out.push(e);
    }
    // Entries are recorded when requests end, which is not always in arrival order.
    out.sort((a, b) => a.seq - b.seq);
    return out.length > limit ? out.slice(0, limit) : out;
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.length - this.start;
  }

  /** Drops every entry (sequence numbers keep increasing). */
  clear(): void {
    this.entries = [];
    this.start = 0;
  }
}
