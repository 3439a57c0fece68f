/**
 * The admin API under /_emulator/: what a person does in Tailer Studio (and what
 * tests need): change configurations behind the API's back, set run statuses,
 * script launches, inject faults, read the request log, move the clock.
 * Its own bearer token; JSON in and out; errors in the API's `{code, data, message}` form.
 */
import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { RunStatus } from "../provider/client/schemas";
import { formatDuration, formatIsoDate, US_PER_SECOND } from "../provider/client/wire";
import { runToWire, storedTypeName } from "./actions";
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
import { type AnyRequest, type AnyResponse, ClientGoneError, readBody, sendJson } from "./http-io";
import { parseJsonObject } from "./json-body";
import type { Platform } from "./platform";
import type { RequestLog } from "./request-log";
import {
  ConfigurationInput,
  DurationInput,
  IdentityInput,
  Outcome,
  RunBehaviourInput,
  RunInput,
  type SeedFile,
  toConfigurationRecord,
  toIdentity,
  WorkflowInput,
} from "./seed";
import type { ConfigurationRecord, RunRecord } from "./store";
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
  info: () => Record<string, unknown>;
}

type Query = URLSearchParams;
type Handler = (body: Record<string, unknown>, query: Query) => unknown;

/** A configuration as the admin API shows it (seed form plus state). */
export function configurationToAdmin(c: ConfigurationRecord, platform: Platform, guesses: Guesses): Record<string, unknown> {
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
    pending_scripted_launches: platform.pendingScripts(c),
  };
}

/** A run as the admin API shows it: the wire form plus how it came to be. */
export function runToAdmin(run: RunRecord, nowUs: number): Record<string, unknown> {
  return {
    ...runToWire(run, storedTypeName(run.configuration_type), nowUs),
    execution_date: run.execution_date,
    origin: run.origin,
    triggered_by: run.triggered_by,
    scheduled_end_date: run.ends_us === null ? null : formatIsoDate(run.ends_us),
  };
}

const ConfigurationPatch = z.strictObject({
  ...IdentityInput.shape,
  activated: z.boolean().optional(),
  archived: z.boolean().optional(),
  job_ids: z.array(z.string().min(1)).optional(),
  max_active_runs: z.number().int().min(1).max(10_000).nullable().optional(),
  run: RunBehaviourInput.optional(),
  workflow: WorkflowInput.optional(),
});

const RunPatch = z.strictObject({
  run_id: z.string().min(1),
  status: RunStatus,
  duration: DurationInput.optional(),
  outcome: Outcome.optional(),
});

const ScriptedLaunches = z.strictObject({
  ...IdentityInput.shape,
  launches: z
    .array(z.strictObject({ duration: DurationInput.optional(), outcome: Outcome.optional() }))
    .min(1, "give at least one launch")
    .max(10_000),
});

const ClockAdvance = z
  .strictObject({ seconds: z.number().min(0).optional(), duration: DurationInput.optional() })
  .refine((v) => (v.seconds === undefined) !== (v.duration === undefined), "give exactly one of seconds or duration");

const TokenRequest = z.strictObject({
  accounts: z.array(z.string()).optional(),
  expires_in_seconds: z.number().int().min(1).max(86_400).optional(),
  audience: z.string().min(1).optional(),
});

const FaultsRequest = z.strictObject({
  faults: z.array(FaultRuleInput).optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
});

const optionalInt = (query: Query, name: string, fallback: number): number => {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new BadRequestError(`${name} must be a non-negative integer`);
  return n;
};

const q = (query: Query, name: string): string | undefined => query.get(name) ?? undefined;

/** Builds the admin router. */
export function createAdminRoutes(deps: AdminDependencies): Map<string, Map<string, Handler>> {
  const { platform, faults, requestLog, guesses } = deps;
  const routes = new Map<string, Map<string, Handler>>();
  const route = (method: string, path: string, handler: Handler) => {
    const byMethod = routes.get(path) ?? new Map<string, Handler>();
    byMethod.set(method, handler);
    routes.set(path, byMethod);
  };
  const findConfiguration = (body: unknown) => {
    const identity = toIdentity(parseOrThrow(IdentityInput, body));
    const config = platform.configuration(identity);
    if (!config)
      throw new ConfigurationNotFoundError(
        `configuration ${identity.configuration_id} (${identity.configuration_type}, environment ${identity.environment}, account ${identity.account}) not found`,
      );
    return config;
  };

  route("GET", "info", () => deps.info());

  route("GET", "configurations", (_b, query) => ({
    configurations: platform
      .listConfigurations()
      .filter(
        (c) =>
          (q(query, "account") ?? c.account) === c.account &&
          (q(query, "environment") ?? c.environment) === c.environment &&
          (q(query, "configuration_type") ?? c.configuration_type) === c.configuration_type &&
          (q(query, "configuration_id") ?? c.configuration_id) === c.configuration_id,
      )
      .map((c) => configurationToAdmin(c, platform, guesses)),
  }));

  route("POST", "configurations", (body) => {
    const inputs = Array.isArray(body.configurations)
      ? parseOrThrow(z.strictObject({ configurations: z.array(ConfigurationInput) }), body).configurations
      : [parseOrThrow(ConfigurationInput, body)];
    return { configurations: platform.upsertConfigurations(inputs).map((c) => configurationToAdmin(c, platform, guesses)) };
  });

  route("PATCH", "configurations", (body) => {
    const patch = parseOrThrow(ConfigurationPatch, body);
    const current = findConfiguration(body);
    if (patch.workflow && current.configuration_type !== "workflow") {
      throw new BadRequestError("workflow: only workflow configurations have a workflow definition");
    }
    const workflow = patch.workflow ? toConfigurationRecord({ ...patch, workflow: patch.workflow }, guesses).workflow : undefined;
    const updated = platform.updateConfiguration(current, {
      ...(patch.activated !== undefined ? { activated: patch.activated } : {}),
      ...(patch.archived !== undefined ? { archived: patch.archived } : {}),
      ...(patch.job_ids !== undefined ? { job_ids: patch.job_ids } : {}),
      ...(patch.max_active_runs !== undefined ? { max_active_runs: patch.max_active_runs } : {}),
      ...(patch.run?.duration !== undefined ? { run_duration_us: patch.run.duration } : {}),
      ...(patch.run?.outcome !== undefined ? { run_outcome: patch.run.outcome } : {}),
      ...(workflow ? { workflow } : {}),
    });
    return { configuration: configurationToAdmin(updated as ConfigurationRecord, platform, guesses) };
  });

  route("DELETE", "configurations", (body) => {
    const config = findConfiguration(body);
    platform.deleteConfiguration(config);
    return { deleted: true };
  });

  route("GET", "runs", (_b, query) => {
    platform.catchUp();
    const type = q(query, "configuration_type");
    const runs = platform.queryRuns({
      account: q(query, "account"),
      environment: q(query, "environment"),
      configuration_type: type === "gbq-to-gbq" ? "table-to-table" : type,
      configuration_id: q(query, "configuration_id"),
      job_id: q(query, "job_id"),
      status: q(query, "status"),
      run_id: q(query, "run_id"),
      limit: optionalInt(query, "limit", 100),
    });
    const now = platform.clock.nowUs();
    return { runs: runs.map((r) => runToAdmin(r, now)) };
  });

  route("POST", "runs", (body) => {
    const { runs } = parseOrThrow(z.strictObject({ runs: z.array(RunInput).min(1) }), body);
    const seen = new Set<string>();
    for (const r of runs) {
      if (seen.has(r.run_id) || platform.runById(r.run_id)) throw new BadRequestError(`run ${r.run_id} already exists`);
      seen.add(r.run_id);
      findConfiguration(r);
    }
    const now = platform.clock.nowUs();
    return { runs: platform.insertRuns(runs).map((r) => runToAdmin(r, now)) };
  });

  route("PATCH", "runs", (body) => {
    const patch = parseOrThrow(RunPatch, body);
    platform.catchUp();
    const run = platform.runById(patch.run_id);
    if (!run) throw new RunNotFoundError(`run ${patch.run_id} not found`);
    const updated = platform.setRunStatus(run, patch.status, { durationUs: patch.duration, outcome: patch.outcome });
    return { run: runToAdmin(updated, platform.clock.nowUs()) };
  });

  route("POST", "launches", (body) => {
    const script = parseOrThrow(ScriptedLaunches, body);
    const config = findConfiguration(body);
    const pending = platform.scriptLaunches(
      config,
      script.launches.map((l) => ({ duration_us: l.duration ?? null, outcome: l.outcome ?? null })),
    );
    return { pending_scripted_launches: pending };
  });

  route("DELETE", "launches", (body) => {
    const config = Object.keys(body).length === 0 ? undefined : findConfiguration(body);
    return { cleared: platform.clearScripts(config) };
  });

  route("GET", "workflows", () => ({
    workflows: platform.listWorkflows().map(({ configuration: c, marks }) => ({
      account: c.account,
      environment: c.environment,
      configuration_id: c.configuration_id,
      activated: c.activated,
      archived: c.archived,
      authorized_job_ids: c.workflow?.authorized_job_ids ?? [],
      target_dag: c.workflow?.target_dag ?? null,
      marks: marks.map((m) => ({ job_id: m.job_id, run_id: m.run_id, marked_at: formatIsoDate(m.marked_us) })),
    })),
  }));

  route("GET", "faults", () => ({ seed: faults.seed, faults: faults.list() }));

  route("POST", "faults", (body) => {
    // Either one rule, or {faults: [...], seed?}.
    if (!("faults" in body) && !("seed" in body)) return { seed: faults.seed, faults: [faults.add(parseOrThrow(FaultRuleInput, body))] };
    const request = parseOrThrow(FaultsRequest, body);
    if (request.seed !== undefined) faults.reseed(request.seed);
    return { seed: faults.seed, faults: (request.faults ?? []).map((f) => faults.add(f)) };
  });

  route("DELETE", "faults", (body, query) => {
    const id = q(query, "id") ?? (typeof body.id === "string" ? body.id : undefined);
    if (id === undefined) {
      const removed = faults.list().length;
      faults.clear();
      return { removed };
    }
    if (!faults.remove(id)) throw new RouteNotFoundError(`no fault rule with id ${id}`);
    return { removed: 1 };
  });

  route("GET", "requests", (_b, query) => {
    const since = optionalInt(query, "since", 0);
    const limit = optionalInt(query, "limit", 100_000);
    const action = q(query, "action");
    const path = q(query, "path");
    const requests = requestLog
      .list(since)
      .filter((e) => (action === undefined || e.action === action) && (path === undefined || e.path === path))
      .slice(0, limit);
    return { requests, count: requests.length };
  });

  route("DELETE", "requests", () => {
    const cleared = requestLog.size;
    requestLog.clear();
    return { cleared };
  });

  route("GET", "clock", () => {
    platform.catchUp();
    const now = platform.clock.nowUs();
    return { now: formatIsoDate(now), now_us: now, speed: platform.clock.speed };
  });

  route("POST", "clock/advance", (body) => {
    const advance = parseOrThrow(ClockAdvance, body);
    const us = advance.duration ?? Math.round((advance.seconds ?? 0) * US_PER_SECOND);
    const now = platform.advance(us);
    return { now: formatIsoDate(now), now_us: now, speed: platform.clock.speed };
  });

  route("POST", "tokens", (body) => {
    const request = parseOrThrow(TokenRequest, body);
    if (!deps.mintToken) throw new BadRequestError("the dev account is disabled (--no-dev-account): no token can be minted here");
    return {
      token: deps.mintToken({ accounts: request.accounts, expiresInSeconds: request.expires_in_seconds, audience: request.audience }),
    };
  });

  route("POST", "reset", () => {
    platform.reset(deps.seed());
    faults.clear();
    requestLog.clear();
    return { reset: true, configurations: platform.listConfigurations().length, runs: platform.countRuns() };
  });

  return routes;
}

function tokenMatches(header: string | undefined, expected: string): boolean {
  const m = header === undefined ? null : /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  const given = Buffer.from(m[1] as string);
  const want = Buffer.from(expected);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** Handles a request under /_emulator/. `path` is without the prefix. */
export async function handleAdminRequest(
  deps: AdminDependencies,
  routes: Map<string, Map<string, Handler>>,
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
      sendJson(req, res, e.httpStatus, e.toBody(), e.headers, e.code === "payload_too_large");
      return;
    }
    if (e instanceof ClientGoneError) return;
    onInternalError(e);
    sendJson(req, res, 500, { code: 500, data: {}, message: "internal error" });
  }
}
