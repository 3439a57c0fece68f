/**
 * A small typed client for the emulator's admin API (tests, benchmarks, demos). Its argument types are
 * the `z.input` of the schemas the admin routes parse with, and its answers the shapes they build
 * (admin-schemas.ts), so both sides share one definition. It sends with undici, as the provider's
 * client does; an Agent with `connect.ca` trusts an https emulator's self-signed certificate.
 * Every method throws AdminApiError on a non-2xx answer.
 */
import { Agent, request } from "undici";
import type { z } from "zod";
import type { Action, RunStatus } from "../provider/client/schemas";
import { bearerHeader } from "../provider/client/wire";
import type {
  AdminClock,
  AdminConfiguration,
  AdminDevAccount,
  AdminFaults,
  AdminInfo,
  AdminRun,
  AdminRunOriginCount,
  AdminWorkflow,
  ConfigurationFilter,
  ConfigurationPatch,
  RequestFilter,
  RunFilter,
  TokenRequest,
} from "./admin-schemas";
import { AdminApiError } from "./errors";
import type { FaultRule, FaultRuleInput } from "./faults";
import type { RequestLogEntry } from "./request-log";
import type { ConfigurationInput, DurationInput, IdentityInput, Outcome, RunInput } from "./seed";

/** A configuration's identity (table-to-table may be written gbq-to-gbq). */
export type AdminIdentity = z.input<typeof IdentityInput>;
/** A duration: seconds, or `H:MM:SS[.ffffff]`. */
export type AdminDuration = z.input<typeof DurationInput>;
/** A configuration to create or replace (the seed file's shape). */
export type AdminConfigurationInput = z.input<typeof ConfigurationInput>;
/** Changes to an existing configuration (drift); `schedule: null` removes a schedule. */
export type AdminConfigurationPatch = z.input<typeof ConfigurationPatch>;
/** A historical run to insert (the seed file's run shape). */
export type AdminRunInput = z.input<typeof RunInput>;
/** Filters of listRuns and countRunsByOrigin. */
export type AdminRunFilter = z.input<typeof RunFilter>;
/** A fault rule to add (fields per kind). */
export type AdminFaultInput = z.input<typeof FaultRuleInput>;
/** How a scripted launch behaves. */
export type AdminScriptedLaunch = { duration?: AdminDuration; outcome?: z.input<typeof Outcome> };

/** Options of the admin client. */
export interface AdminClientOptions {
  /** Certificate(s) to trust for an https emulator (its self-signed certificate). */
  ca?: string | Buffer;
  /** Per-call timeout in milliseconds (default 30000). */
  timeoutMs?: number;
}

type QueryValues = Record<string, string | number | undefined>;

/** Client of one emulator's admin API. */
export class AdminClient {
  private readonly base: string;
  private readonly dispatcher: Agent;

  /** `baseUrl` is the emulator's URL (without /_emulator). */
  constructor(
    baseUrl: string,
    private readonly adminToken: string,
    options: AdminClientOptions = {},
  ) {
    this.base = baseUrl.replace(/\/+$/, "");
    const timeout = options.timeoutMs ?? 30_000;
    this.dispatcher = new Agent({ connect: options.ca ? { ca: options.ca } : {}, headersTimeout: timeout, bodyTimeout: timeout });
  }

  /** Closes the client's connections. */
  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private async call<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown, query?: QueryValues): Promise<T> {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) search.set(k, String(v));
    const qs = search.toString();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const response = await request(`${this.base}/_emulator/${path}${qs ? `?${qs}` : ""}`, {
      method,
      dispatcher: this.dispatcher,
      headers: { authorization: bearerHeader(this.adminToken), ...(payload === undefined ? {} : { "content-type": "application/json" }) },
      body: payload,
    });
    const text = await response.body.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the text: AdminApiError shows it
    }
    if (response.statusCode < 200 || response.statusCode > 299)
      throw new AdminApiError(response.statusCode, parsed, method, `/_emulator/${path}`);
    return parsed as T;
  }

  /** The dev service account and where its key file is (no admin token needed). */
  devAccount(): Promise<AdminDevAccount> {
    return this.call<AdminDevAccount>("GET", "dev-account");
  }

  /** True when the emulator answers its health check. */
  async health(): Promise<boolean> {
    return (await this.call<{ ok: boolean }>("GET", "health")).ok;
  }

  /** Facts about the emulator (URL, counts, internal errors, late actions pending, guesses). */
  info(): Promise<AdminInfo> {
    return this.call("GET", "info");
  }

  /** Lists configurations, optionally filtered. */
  async listConfigurations(filter: z.input<typeof ConfigurationFilter> = {}): Promise<AdminConfiguration[]> {
    return (await this.call<{ configurations: AdminConfiguration[] }>("GET", "configurations", undefined, filter)).configurations;
  }

  /** Creates or replaces configurations (what a deployment does). */
  async putConfigurations(configurations: AdminConfigurationInput[]): Promise<AdminConfiguration[]> {
    return (await this.call<{ configurations: AdminConfiguration[] }>("POST", "configurations", { configurations })).configurations;
  }

  /** Changes an existing configuration out of band (activated, archived, max_active_runs, run behaviour, schedule...). */
  async updateConfiguration(patch: AdminConfigurationPatch): Promise<AdminConfiguration> {
    return (await this.call<{ configuration: AdminConfiguration }>("PATCH", "configurations", patch)).configuration;
  }

  /** Deletes a configuration: the API then answers 404 for it. */
  async deleteConfiguration(identity: AdminIdentity): Promise<void> {
    await this.call("DELETE", "configurations", identity);
  }

  /** Lists runs, newest first (100 unless `limit` says), with their origin and the request that launched them. */
  async listRuns(filter: AdminRunFilter = {}): Promise<AdminRun[]> {
    return (await this.call<{ runs: AdminRun[] }>("GET", "runs", undefined, filter)).runs;
  }

  /** How many runs match, per origin (launch, scheduler, workflow, seed, admin) and launching token. */
  async countRunsByOrigin(filter: Omit<AdminRunFilter, "limit"> = {}): Promise<AdminRunOriginCount[]> {
    return (await this.call<{ origins: AdminRunOriginCount[] }>("GET", "runs/origins", undefined, filter)).origins;
  }

  /** Inserts historical runs. */
  async addRuns(runs: AdminRunInput[]): Promise<AdminRun[]> {
    return (await this.call<{ runs: AdminRun[] }>("POST", "runs", { runs })).runs;
  }

  /** Sets a run's status out of band (RUNNING may take a duration and outcome to end on its own). */
  async setRunStatus(runId: string, status: RunStatus, options: AdminScriptedLaunch = {}): Promise<AdminRun> {
    return (await this.call<{ run: AdminRun }>("PATCH", "runs", { run_id: runId, status, ...options })).run;
  }

  /** Scripts the next launches of a configuration (duration and outcome each); returns how many are pending. */
  async scriptLaunches(identity: AdminIdentity, launches: AdminScriptedLaunch[]): Promise<number> {
    const answer = await this.call<{ pending_scripted_launches: number }>("POST", "launches", { ...identity, launches });
    return answer.pending_scripted_launches;
  }

  /** Drops scripted launches of one configuration, or all. */
  async clearScriptedLaunches(identity?: AdminIdentity): Promise<number> {
    return (await this.call<{ cleared: number }>("DELETE", "launches", identity ?? {})).cleared;
  }

  /** Lists workflows with their marks. */
  async listWorkflows(): Promise<AdminWorkflow[]> {
    return (await this.call<{ workflows: AdminWorkflow[] }>("GET", "workflows")).workflows;
  }

  /** Adds fault rules; optionally reseeds the fault RNG and sets the global visibility delay (emulated ms). */
  async addFaults(faults: AdminFaultInput[], seed?: number, visibilityDelayMs?: number): Promise<FaultRule[]> {
    const body = {
      faults,
      ...(seed === undefined ? {} : { seed }),
      ...(visibilityDelayMs === undefined ? {} : { visibility_delay_ms: visibilityDelayMs }),
    };
    return (await this.call<AdminFaults>("POST", "faults", body)).faults;
  }

  /** Adds one fault rule. */
  async addFault(fault: AdminFaultInput): Promise<FaultRule> {
    return (await this.addFaults([fault]))[0] as FaultRule;
  }

  /** Sets the emulated delay before every new run shows in the public API (0: at once). */
  async setVisibilityDelay(ms: number): Promise<void> {
    await this.call<AdminFaults>("POST", "faults", { visibility_delay_ms: ms });
  }

  /** Whether answers carry a Date header (false: none, as behind a proxy that strips it; DELETE faults restores it). */
  async setDateHeader(on: boolean): Promise<void> {
    await this.call<AdminFaults>("POST", "faults", { date_header: on });
  }

  /** The fault rules with their use counts, the RNG seed, the global visibility delay and the Date header switch. */
  listFaults(): Promise<AdminFaults> {
    return this.call("GET", "faults");
  }

  /** Removes one rule, or all (and the global visibility delay). */
  async clearFaults(id?: string): Promise<number> {
    return (await this.call<{ removed: number }>("DELETE", "faults", undefined, { id })).removed;
  }

  /** The request log (entries after `since`, optionally filtered by action, path or origin). */
  async requests(filter: z.input<typeof RequestFilter> & { action?: Action } = {}): Promise<RequestLogEntry[]> {
    return (await this.call<{ requests: RequestLogEntry[] }>("GET", "requests", undefined, filter)).requests;
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
  async mintToken(options: z.input<typeof TokenRequest> = {}): Promise<string> {
    return (await this.call<{ token: string }>("POST", "tokens", options)).token;
  }

  /** Wipes the state and reloads the seed (its faults too); clears faults, late actions and the request log. */
  reset(): Promise<{ reset: true; configurations: number; runs: number }> {
    return this.call("POST", "reset", {});
  }
}
