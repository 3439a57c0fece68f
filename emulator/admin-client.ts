/**
 * A small typed client for the emulator's admin API (tests, benchmarks, demos).
 * Plain node:http(s), so a self-signed certificate can be trusted with `ca`;
 * every method throws AdminApiError on a non-2xx answer.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { Action, ConfigurationType, Environment, RunStatus } from "../provider/client/schemas";
import type { FaultKind, FaultRule } from "./faults";
import type { RequestLogEntry } from "./request-log";

/** A configuration's identity (table-to-table may be written gbq-to-gbq). */
export interface AdminIdentity {
  account: string;
  environment: Environment;
  configuration_type: ConfigurationType;
  configuration_id: string;
}

/** A duration: seconds, or `H:MM:SS[.ffffff]`. */
export type AdminDuration = number | string;

/** A configuration to create or replace (the seed file's shape). */
export interface AdminConfigurationInput extends AdminIdentity {
  description?: string;
  activated?: boolean;
  archived?: boolean;
  job_ids?: string[];
  max_active_runs?: number | null;
  run?: { duration?: AdminDuration; outcome?: "SUCCESS" | "FAILED" };
  workflow?: {
    authorized_job_ids: string[];
    target_dag: { configuration_type: ConfigurationType; configuration_id: string };
  };
}

/** Changes to an existing configuration (drift). */
export type AdminConfigurationPatch = AdminIdentity &
  Partial<Pick<AdminConfigurationInput, "activated" | "archived" | "job_ids" | "max_active_runs" | "run" | "workflow">>;

/** A configuration as the admin API shows it. */
export interface AdminConfiguration extends AdminIdentity {
  activated: boolean;
  archived: boolean;
  job_ids: string[];
  max_active_runs: number | null;
  run: { duration: string; outcome: "SUCCESS" | "FAILED" };
  workflow: AdminConfigurationInput["workflow"] | null;
  pending_scripted_launches: number;
}

/** A run as the admin API shows it. */
export interface AdminRun {
  account: string;
  configuration_id: string;
  configuration_type: string;
  duration: string;
  environment: string;
  job_id: string;
  last_update_date?: string;
  run_id: string;
  start_execution_date: string;
  status: RunStatus;
  execution_date: string | null;
  origin: "launch" | "workflow" | "seed" | "admin";
  triggered_by: string | null;
  scheduled_end_date: string | null;
}

/** A historical run to insert (the seed file's run shape). */
export interface AdminRunInput extends AdminIdentity {
  run_id: string;
  status: RunStatus;
  start_execution_date: string;
  job_id?: string;
  last_update_date?: string;
  duration?: AdminDuration;
  execution_date?: string;
}

/** Filters of listRuns. */
export interface AdminRunFilter {
  account?: string;
  environment?: string;
  configuration_type?: string;
  configuration_id?: string;
  job_id?: string;
  status?: RunStatus;
  run_id?: string;
  limit?: number;
}

/** A workflow with its marks. */
export interface AdminWorkflow {
  account: string;
  environment: string;
  configuration_id: string;
  activated: boolean;
  archived: boolean;
  authorized_job_ids: string[];
  target_dag: { configuration_type: string; configuration_id: string } | null;
  marks: Array<{ job_id: string; run_id: string; marked_at: string }>;
}

/** A fault rule to add. */
export interface AdminFaultInput {
  id?: string;
  kind: FaultKind;
  probability?: number;
  max_count?: number;
  action?: Action;
  path?: string;
  latency_ms?: number;
  status?: 500 | 502 | 503 | 504;
  retry_after_seconds?: number;
}

/** The emulated clock. */
export interface AdminClock {
  now: string;
  now_us: number;
  speed: number;
}

/** A non-2xx answer of the admin API. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    method: string,
    path: string,
  ) {
    const message = typeof body === "object" && body !== null && "message" in body ? String((body as { message: unknown }).message) : "";
    super(`${method} ${path} -> ${status}${message ? `: ${message}` : ""}`);
    this.name = "AdminApiError";
  }
}

/** Options of the admin client. */
export interface AdminClientOptions {
  /** Certificate(s) to trust for an https emulator (its self-signed certificate). */
  ca?: string | Buffer;
  /** Per-call timeout in milliseconds (default 30000). */
  timeoutMs?: number;
}

/** Client of one emulator's admin API. */
export class AdminClient {
  private readonly base: string;

  /** `baseUrl` is the emulator's URL (without /_emulator). */
  constructor(
    baseUrl: string,
    private readonly adminToken: string,
    private readonly options: AdminClientOptions = {},
  ) {
    this.base = baseUrl.replace(/\/+$/, "");
  }

  private send(method: string, url: string, payload: string | undefined): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.adminToken}` };
    if (payload !== undefined) {
      headers["content-type"] = "application/json";
      // Explicit length: node does not chunk DELETE bodies, so without it the body would be lost.
      headers["content-length"] = String(Buffer.byteLength(payload));
    }
    const secure = url.startsWith("https:");
    const request = secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, ...(secure && this.options.ca ? { ca: this.options.ca } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.setTimeout(this.options.timeoutMs ?? 30_000, () => req.destroy(new Error(`admin call ${method} ${url} timed out`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  private async call<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number | undefined>): Promise<T> {
    const qs = query
      ? Object.entries(query)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
          .join("&")
      : "";
    const url = `${this.base}/_emulator/${path}${qs ? `?${qs}` : ""}`;
    const { status, text } = await this.send(method, url, body === undefined ? undefined : JSON.stringify(body));
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep text
    }
    if (status < 200 || status > 299) throw new AdminApiError(status, parsed, method, `/_emulator/${path}`);
    return parsed as T;
  }

  /** True when the emulator answers its health check. */
  async health(): Promise<boolean> {
    const r = await this.call<{ ok: boolean }>("GET", "health");
    return r.ok;
  }

  /** Facts about the emulator (URL, counts, internal errors, guesses). */
  info(): Promise<Record<string, unknown> & { internal_errors: number; runs: number; configurations: number }> {
    return this.call("GET", "info");
  }

  /** Lists configurations, optionally filtered. */
  async listConfigurations(filter: Partial<AdminIdentity> = {}): Promise<AdminConfiguration[]> {
    return (await this.call<{ configurations: AdminConfiguration[] }>("GET", "configurations", undefined, { ...filter })).configurations;
  }

  /** Creates or replaces configurations (what a deployment does). */
  async putConfigurations(configurations: AdminConfigurationInput[]): Promise<AdminConfiguration[]> {
    return (await this.call<{ configurations: AdminConfiguration[] }>("POST", "configurations", { configurations })).configurations;
  }

  /** Changes an existing configuration out of band (activated, archived, max_active_runs, run behaviour...). */
  async updateConfiguration(patch: AdminConfigurationPatch): Promise<AdminConfiguration> {
    return (await this.call<{ configuration: AdminConfiguration }>("PATCH", "configurations", patch)).configuration;
  }

  /** Deletes a configuration: the API then answers 404 for it. */
  async deleteConfiguration(identity: AdminIdentity): Promise<void> {
    await this.call("DELETE", "configurations", identity);
  }

  /** Lists runs, newest first. */
  async listRuns(filter: AdminRunFilter = {}): Promise<AdminRun[]> {
    return (await this.call<{ runs: AdminRun[] }>("GET", "runs", undefined, { ...filter })).runs;
  }

  /** Inserts historical runs. */
  async addRuns(runs: AdminRunInput[]): Promise<AdminRun[]> {
    return (await this.call<{ runs: AdminRun[] }>("POST", "runs", { runs })).runs;
  }

  /** Sets a run's status out of band (RUNNING may take a duration and outcome to end on its own). */
  async setRunStatus(
    runId: string,
    status: RunStatus,
    options: { duration?: AdminDuration; outcome?: "SUCCESS" | "FAILED" } = {},
  ): Promise<AdminRun> {
    return (await this.call<{ run: AdminRun }>("PATCH", "runs", { run_id: runId, status, ...options })).run;
  }

  /** Scripts the next launches of a configuration (duration and outcome each); returns how many are pending. */
  async scriptLaunches(
    identity: AdminIdentity,
    launches: Array<{ duration?: AdminDuration; outcome?: "SUCCESS" | "FAILED" }>,
  ): Promise<number> {
    return (await this.call<{ pending_scripted_launches: number }>("POST", "launches", { ...identity, launches }))
      .pending_scripted_launches;
  }

  /** Drops scripted launches of one configuration, or all. */
  async clearScriptedLaunches(identity?: AdminIdentity): Promise<number> {
    return (await this.call<{ cleared: number }>("DELETE", "launches", identity ?? {})).cleared;
  }

  /** Lists workflows with their marks. */
  async listWorkflows(): Promise<AdminWorkflow[]> {
    return (await this.call<{ workflows: AdminWorkflow[] }>("GET", "workflows")).workflows;
  }

  /** Adds fault rules (and optionally reseeds the fault RNG). */
  async addFaults(faults: AdminFaultInput[], seed?: number): Promise<FaultRule[]> {
    return (await this.call<{ faults: FaultRule[] }>("POST", "faults", { faults, ...(seed === undefined ? {} : { seed }) })).faults;
  }

  /** Adds one fault rule. */
  async addFault(fault: AdminFaultInput): Promise<FaultRule> {
    return (await this.addFaults([fault]))[0] as FaultRule;
  }

  /** The fault rules with their use counts, and the RNG seed. */
  listFaults(): Promise<{ seed: number; faults: FaultRule[] }> {
    return this.call("GET", "faults");
  }

  /** Removes one rule, or all. */
  async clearFaults(id?: string): Promise<number> {
    return (await this.call<{ removed: number }>("DELETE", "faults", undefined, { id })).removed;
  }

  /** The request log (entries after `since`, optionally filtered by action or path). */
  async requests(filter: { since?: number; limit?: number; action?: Action; path?: string } = {}): Promise<RequestLogEntry[]> {
    return (await this.call<{ requests: RequestLogEntry[] }>("GET", "requests", undefined, { ...filter })).requests;
  }

  /** Empties the request log. */
  async clearRequests(): Promise<number> {
    return (await this.call<{ cleared: number }>("DELETE", "requests")).cleared;
  }

  /** The emulated clock. */
  clock(): Promise<AdminClock> {
    return this.call("GET", "clock");
  }

  /** Moves the emulated clock forward (seconds, or H:MM:SS), processing what became due. */
  advanceClock(by: number | string): Promise<AdminClock> {
    return this.call("POST", "clock/advance", typeof by === "number" ? { seconds: by } : { duration: by });
  }

  /** Mints a dev-account token. */
  async mintToken(options: { accounts?: string[]; expires_in_seconds?: number; audience?: string } = {}): Promise<string> {
    return (await this.call<{ token: string }>("POST", "tokens", options)).token;
  }

  /** Wipes the state and reloads the seed; clears faults and the request log. */
  reset(): Promise<{ reset: true; configurations: number; runs: number }> {
    return this.call("POST", "reset", {});
  }
}
