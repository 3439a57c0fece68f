/**
 * The request log: one entry per public-API request, in memory (a bounded ring),
 * so tests can count calls, see what faults hit, and which runs were created.
 * It is deliberately not persisted: it describes this process's traffic.
 */
import type { FaultKind } from "./faults";

/** One logged public-API request. */
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
  /** HTTP version: "1.1" or "2.0". */
  http_version: string;
  action: string | null;
  account: string | null;
  configuration_type: string | null;
  configuration_id: string | null;
  /** Status sent, or that would have been sent (drop_response); null when reset before answering. */
  status: number | null;
  /** The fault applied, if any. */
  fault: FaultKind | null;
  /** Added latency in milliseconds. */
  latency_ms: number;
  /** The run created by this request (launch_job), even when its answer was dropped. */
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

  /** Appends an entry. */
  record(entry: RequestLogEntry): void {
    if (this.entries.length - this.start >= this.capacity) this.start++;
    this.entries.push(entry);
    // Compact now and then instead of shifting on every insert.
    if (this.start > 1024 && this.start > this.entries.length / 2) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  /** Entries with seq greater than `since`, oldest first, at most `limit`. */
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
