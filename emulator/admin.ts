/**
 * The admin API under /_emulator/: what a person does in Tailer Studio (and what
 * tests need): change configurations behind the API's back, set run statuses,
 * script launches, inject faults, read the request log, move the clock.
 * Its own bearer token; JSON in and out; errors in the API's `{code, data, message}` form.
 * Bodies and query strings are parsed with the schemas of admin-schemas.ts, which also type the client.
 */
import { timingSafeEqual } from "node:crypto";
import { bearerToken, formatDuration, formatIsoDate, US_PER_SECOND } from "../provider/client/wire";
import { runToWire, storedTypeName } from "./actions";
import {
  type AdminClock,
  type AdminConfiguration,
  type AdminDevAccount,
  type AdminFaults,
  type AdminInfo,
  type AdminRun,
  type AdminWorkflow,
  ClockAdvance,
  ConfigurationFilter,
  ConfigurationList,
  ConfigurationPatch,
  FaultRemoval,
  FaultsUpdate,
  RequestFilter,
  RunFilter,
  RunList,
  RunPatch,
  ScriptedLaunches,
  TokenRequest,
} from "./admin-schemas";
import {
  AdminUnauthorizedError,
  BadRequestError,
  ConfigurationNotFoundError,
  isEmulatorError,
  MethodNotAllowedError,
  RouteNotFoundError,
  RunNotFoundError,
} from "./errors";
import { type FaultInjector, FaultRuleInput } from "./faults";
import type { Guesses } from "./guesses";
import { type AnyRequest, type AnyResponse, readBody, sendJson } from "./http-io";
import { parseJsonObject } from "./json-body";
import type { Platform } from "./platform";
import type { RequestLog } from "./request-log";
import { ConfigurationInput, IdentityInput, type SeedFile, toIdentity, toScheduleRecord, toWorkflowDefinition } from "./seed";
import type { ConfigurationRecord, RunQuery, RunRecord } from "./store";
import { parseOrThrow } from "./validation";

/** The path prefix of the admin API. */
export const ADMIN_PREFIX = "/_emulator/";

/** What the admin API needs. */
export interface AdminDependencies {
  platform: Platform;
  faults: FaultInjector;
  requestLog: RequestLog;
  guesses: Guesses;
  adminToken: string;
  maxBodyBytes: number;
  /** The seed `POST /_emulator/reset` reloads. */
  seed: () => SeedFile;
  /** Mints a dev-account token (undefined when the dev account is off). */
  mintToken: ((o: { accounts?: string[]; expiresInSeconds?: number; audience?: string }) => string) | undefined;
  /** Facts for GET /_emulator/info. */
  info: () => AdminInfo;
  /** The dev account and its key file, for GET /_emulator/dev-account (how `tailer-emulator token` finds the key). */
  devAccount: () => AdminDevAccount;
}

type Query = URLSearchParams;
type Handler = (body: Record<string, unknown>, query: Query) => unknown;
/** The admin routes: path (without the prefix), then method, then handler. */
export type AdminRoutes = Map<string, Map<string, Handler>>;
type AddRoute = (method: string, path: string, handler: Handler) => void;

const queryObject = (query: Query): Record<string, string> => Object.fromEntries(query);

function configurationToAdmin(c: ConfigurationRecord, platform: Platform, guesses: Guesses): AdminConfiguration {
  return {
    account: c.account,
    environment: c.environment,
    configuration_type: c.configuration_type,
    configuration_id: c.configuration_id,
    activated: c.activated,
    archived: c.archived,
    job_ids: c.job_ids,
    max_active_runs: c.max_active_runs,
    run: {
      duration: formatDuration(c.run_duration_us ?? guesses.defaultRunDurationSeconds * US_PER_SECOND),
      outcome: c.run_outcome,
    },
    workflow: c.workflow,
    schedule: c.schedule
      ? {
          every: formatDuration(c.schedule.every_us),
          execution_date: c.schedule.execution_date,
          next_launch_date: formatIsoDate(c.schedule.next_us),
        }
      : null,
    pending_scripted_launches: platform.pendingScripts(c),
  };
}

function runToAdmin(run: RunRecord, nowUs: number): AdminRun {
  return {
    ...runToWire(run, storedTypeName(run.configuration_type), nowUs),
    execution_date: run.execution_date,
    origin: run.origin,
    triggered_by: run.triggered_by,
    request_id: run.request_id,
    request_seq: run.request_seq,
    token_fingerprint: run.token_fingerprint,
    visible_date: formatIsoDate(run.visible_us ?? run.start_us),
    scheduled_end_date: run.ends_us === null ? null : formatIsoDate(run.ends_us),
  };
}

function findConfiguration(platform: Platform, body: unknown): ConfigurationRecord {
  const identity = toIdentity(parseOrThrow(IdentityInput, body));
  const config = platform.configuration(identity);
  if (config) return config;
  const { configuration_id: id, configuration_type: type, environment, account } = identity;
  throw new ConfigurationNotFoundError(`configuration ${id} (${type}, environment ${environment}, account ${account}) not found`);
}

function patchConfiguration({ platform, guesses }: AdminDependencies, body: Record<string, unknown>): AdminConfiguration {
  const patch = parseOrThrow(ConfigurationPatch, body);
  const current = findConfiguration(platform, body);
  if (patch.workflow && current.configuration_type !== "workflow") {
    throw new BadRequestError("workflow: only workflow configurations have a workflow definition");
  }
  const updated = platform.updateConfiguration(current, {
    ...(patch.activated !== undefined ? { activated: patch.activated } : {}),
    ...(patch.archived !== undefined ? { archived: patch.archived } : {}),
    ...(patch.job_ids !== undefined ? { job_ids: patch.job_ids } : {}),
    ...(patch.max_active_runs !== undefined ? { max_active_runs: patch.max_active_runs } : {}),
    ...(patch.run?.duration !== undefined ? { run_duration_us: patch.run.duration } : {}),
    ...(patch.run?.outcome !== undefined ? { run_outcome: patch.run.outcome } : {}),
    ...(patch.workflow ? { workflow: toWorkflowDefinition(patch.workflow) } : {}),
    ...(patch.schedule !== undefined ? { schedule: patch.schedule && toScheduleRecord(patch.schedule, platform.now()) } : {}),
  });
  return configurationToAdmin(updated as ConfigurationRecord, platform, guesses);
}

function addConfigurationRoutes(route: AddRoute, deps: AdminDependencies): void {
  const { platform, guesses } = deps;
  route("GET", "configurations", (_b, query) => {
    const filter = parseOrThrow(ConfigurationFilter, queryObject(query));
    const matches = (c: ConfigurationRecord) =>
      (filter.account ?? c.account) === c.account &&
      (filter.environment ?? c.environment) === c.environment &&
      (filter.configuration_type ?? c.configuration_type) === c.configuration_type &&
      (filter.configuration_id ?? c.configuration_id) === c.configuration_id;
    return {
      configurations: platform
        .listConfigurations()
        .filter(matches)
        .map((c) => configurationToAdmin(c, platform, guesses)),
    };
  });
  route("POST", "configurations", (body) => {
    const inputs =
      "configurations" in body ? parseOrThrow(ConfigurationList, body).configurations : [parseOrThrow(ConfigurationInput, body)];
    return { configurations: platform.upsertConfigurations(inputs).map((c) => configurationToAdmin(c, platform, guesses)) };
  });
  route("PATCH", "configurations", (body) => ({ configuration: patchConfiguration(deps, body) }));
  route("DELETE", "configurations", (body) => {
    platform.deleteConfiguration(findConfiguration(platform, body));
    return { deleted: true };
  });
}

/** A run query from `GET runs` filters (gbq-to-gbq is stored as table-to-table). */
function runQuery(query: Query): RunQuery {
  const { configuration_type: type, limit, ...rest } = parseOrThrow(RunFilter, queryObject(query));
  return { ...rest, configuration_type: type === "gbq-to-gbq" ? "table-to-table" : type, limit: limit ?? 100 };
}

function addRunRoutes(route: AddRoute, { platform }: AdminDependencies): void {
  route("GET", "runs", (_b, query) => {
    platform.catchUp();
    const runs = platform.queryRuns(runQuery(query));
    const now = platform.now();
    return { runs: runs.map((r) => runToAdmin(r, now)) };
  });
  route("GET", "runs/origins", (_b, query) => {
    platform.catchUp();
    const { limit: _limit, ...filter } = runQuery(query);
    return { origins: platform.countRunsByOrigin(filter) };
  });
  route("POST", "runs", (body) => {
    const { runs } = parseOrThrow(RunList, body);
    const seen = new Set<string>();
    for (const r of runs) {
      if (seen.has(r.run_id) || platform.runById(r.run_id)) throw new BadRequestError(`run ${r.run_id} already exists`);
      seen.add(r.run_id);
      findConfiguration(platform, r);
    }
    const now = platform.now();
    return { runs: platform.insertRuns(runs).map((r) => runToAdmin(r, now)) };
  });
  route("PATCH", "runs", (body) => {
    const patch = parseOrThrow(RunPatch, body);
    platform.catchUp();
    const run = platform.runById(patch.run_id);
    if (!run) throw new RunNotFoundError(`run ${patch.run_id} not found`);
    const updated = platform.setRunStatus(run, patch.status, { durationUs: patch.duration, outcome: patch.outcome });
    return { run: runToAdmin(updated, platform.now()) };
  });
}

function addLaunchAndWorkflowRoutes(route: AddRoute, { platform }: AdminDependencies): void {
  route("POST", "launches", (body) => {
    const script = parseOrThrow(ScriptedLaunches, body);
    const launches = script.launches.map((l) => ({ duration_us: l.duration ?? null, outcome: l.outcome ?? null }));
    return { pending_scripted_launches: platform.scriptLaunches(findConfiguration(platform, body), launches) };
  });
  route("DELETE", "launches", (body) => {
    const config = Object.keys(body).length === 0 ? undefined : findConfiguration(platform, body);
    return { cleared: platform.clearScripts(config) };
  });
  route("GET", "workflows", () => ({
    workflows: platform.listWorkflows().map(
      ({ configuration: c, marks }): AdminWorkflow => ({
        account: c.account,
        environment: c.environment,
        configuration_id: c.configuration_id,
        activated: c.activated,
        archived: c.archived,
        authorized_job_ids: c.workflow?.authorized_job_ids ?? [],
        target_dag: c.workflow?.target_dag ?? null,
        marks: marks.map((m) => ({ job_id: m.job_id, run_id: m.run_id, marked_at: formatIsoDate(m.marked_us) })),
      }),
    ),
  }));
}

function addFaultRoutes(route: AddRoute, { faults }: AdminDependencies): void {
  const state = (rules = faults.list()): AdminFaults => ({
    seed: faults.seed,
    visibility_delay_ms: faults.visibilityDelayMs,
    date_header: faults.dateHeader,
    faults: rules,
  });
  route("GET", "faults", () => state());
  route("POST", "faults", (body) => {
    // Either one rule, or {faults?, seed?, visibility_delay_ms?, date_header?}.
    if (!("faults" in body || "seed" in body || "visibility_delay_ms" in body || "date_header" in body))
      return state([faults.add(parseOrThrow(FaultRuleInput, body))]);
    const update = parseOrThrow(FaultsUpdate, body);
    if (update.seed !== undefined) faults.reseed(update.seed);
    if (update.visibility_delay_ms !== undefined) faults.visibilityDelayMs = update.visibility_delay_ms;
    if (update.date_header !== undefined) faults.dateHeader = update.date_header;
    return state((update.faults ?? []).map((f) => faults.add(f)));
  });
  route("DELETE", "faults", (body, query) => {
    const id = parseOrThrow(FaultRemoval, queryObject(query)).id ?? (typeof body.id === "string" ? body.id : undefined);
    if (id === undefined) {
      const removed = faults.list().length;
      faults.clear();
      return { removed };
    }
    if (!faults.remove(id)) throw new RouteNotFoundError(`no fault rule with id ${id}`);
    return { removed: 1 };
  });
}

function addStateRoutes(route: AddRoute, deps: AdminDependencies): void {
  const { platform, faults, requestLog } = deps;
  route("GET", "info", () => deps.info());
  route("GET", "requests", (_b, query) => {
    const filter = parseOrThrow(RequestFilter, queryObject(query));
    const requests = requestLog
      .list(filter.since ?? 0)
      .filter(
        (e) => (filter.action ?? e.action) === e.action && (filter.path ?? e.path) === e.path && (filter.origin ?? e.origin) === e.origin,
      )
      .slice(0, filter.limit ?? Number.POSITIVE_INFINITY);
    return { requests, count: requests.length };
  });
  route("DELETE", "requests", () => {
    const cleared = requestLog.size;
    requestLog.clear();
    return { cleared };
  });
  const clock = (now: number): AdminClock => ({ now: formatIsoDate(now), now_us: now, speed: platform.clock.speed });
  route("GET", "clock", () => {
    platform.catchUp();
    return clock(platform.now());
  });
  route("POST", "clock/advance", (body) => {
    const advance = parseOrThrow(ClockAdvance, body);
    return clock(platform.advance(advance.duration ?? Math.round((advance.seconds ?? 0) * US_PER_SECOND)));
  });
  route("POST", "tokens", (body) => {
    const request = parseOrThrow(TokenRequest, body);
    if (!deps.mintToken) throw new BadRequestError("the dev account is disabled (--no-dev-account): no token can be minted here");
    return {
      token: deps.mintToken({ accounts: request.accounts, expiresInSeconds: request.expires_in_seconds, audience: request.audience }),
    };
  });
  route("POST", "reset", () => {
    const seed = deps.seed();
    platform.reset(seed);
    faults.restart(seed.faults);
    requestLog.clear();
    return { reset: true, configurations: platform.listConfigurations().length, runs: platform.countRuns() };
  });
}

/** Builds the admin router. */
export function createAdminRoutes(deps: AdminDependencies): AdminRoutes {
  const routes: AdminRoutes = new Map();
  const route: AddRoute = (method, path, handler) => {
    const byMethod = routes.get(path) ?? new Map<string, Handler>();
    byMethod.set(method, handler);
    routes.set(path, byMethod);
  };
  addConfigurationRoutes(route, deps);
  addRunRoutes(route, deps);
  addLaunchAndWorkflowRoutes(route, deps);
  addFaultRoutes(route, deps);
  addStateRoutes(route, deps);
  return routes;
}

function tokenMatches(header: string | undefined, expected: string): boolean {
  const token = bearerToken(header);
  if (token === undefined) return false;
  const given = Buffer.from(token);
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** Handles a request under /_emulator/. `path` is without the prefix. */
export async function handleAdminRequest(
  deps: AdminDependencies,
  routes: AdminRoutes,
  req: AnyRequest,
  res: AnyResponse,
  path: string,
  query: Query,
  onInternalError: (e: unknown) => void,
): Promise<void> {
  try {
    if (path === "health") {
      sendJson(req, res, 200, { ok: true });
      return;
    }
    // Without the admin token, like health: it names a file, whose permissions protect the key itself.
    if (path === "dev-account" && req.method === "GET") {
      sendJson(req, res, 200, deps.devAccount());
      return;
    }
    if (!tokenMatches(req.headers.authorization, deps.adminToken)) {
      throw new AdminUnauthorizedError("the admin API needs Authorization: Bearer <admin token> (printed at start-up)");
    }
    const byMethod = routes.get(path);
    if (!byMethod) throw new RouteNotFoundError(`no admin route ${ADMIN_PREFIX}${path}`);
    const handler = byMethod.get(req.method ?? "");
    if (!handler) throw new MethodNotAllowedError(req.method ?? "?", `${ADMIN_PREFIX}${path}`, [...byMethod.keys()]);
    const raw = await readBody(req, deps.maxBodyBytes);
    const body = raw.length === 0 ? {} : parseJsonObject(raw);
    sendJson(req, res, 200, handler(body, query));
  } catch (e) {
    if (isEmulatorError(e)) {
      if (e.code === "client_gone") return; // nobody to answer
      sendJson(req, res, e.httpStatus, e.toBody(), e.headers, e.code === "payload_too_large");
      return;
    }
    onInternalError(e);
    sendJson(req, res, 500, { code: 500, data: {}, message: "internal error" });
  }
}
