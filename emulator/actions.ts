/**
 * The seven actions of the public API: request validation (the shared wire
 * schemas, made tolerant) and each action's effect on the platform and answer.
 */
import { z } from "zod";
import {
  ACTION_PATHS,
  ACTIONS,
  type Action,
  type CanonicalConfigurationType,
  CheckRunStatusRequest,
  type ConfigurationType,
  canonicalConfigurationType,
  GetByStatusRequest,
  GetLastStatusRequest,
  isRealDate,
  LaunchJobRequest,
  LEGACY_TABLE_TO_TABLE,
  ResetWorkflowStatusRequest,
  type Run,
  SetConfigurationStatusRequest,
  SetRunStatusRequest,
} from "../provider/client/schemas";
import { formatDuration, formatIsoDate } from "../provider/client/wire";
import {
  ConfigurationArchivedError,
  ConfigurationNotFoundError,
  JobNotFoundError,
  NotLaunchableError,
  RunNotFoundError,
  ValidationError,
} from "./errors";
import { normalizeExecutionDate, utcDayBounds } from "./format";
import { type Guesses, LAUNCHABLE_TYPES } from "./guesses";
import type { LaunchRequest, Platform } from "./platform";
import type { ConfigurationIdentity, ConfigurationRecord, RunRecord } from "./store";
import { fieldIssues } from "./validation";

/** Execution dates as YYYY-MM-DD, or YYYY/MM/DD as the older doc page writes them. */
const LenientExecutionDate = z
  .string({ error: () => "execution_date must be a date string such as 2020-12-09" })
  .regex(/^\d{4}([-/])\d{2}\1\d{2}$/, "execution_date must be a date in the form YYYY-MM-DD (or YYYY/MM/DD)")
  .refine((s) => isRealDate(s), "execution_date must be a real calendar date");

/**
 * The request schemas the server parses with: the shared ones, but tolerant of
 * unknown fields (stripped; the real API is a Python service reading the keys it
 * knows) and of slashed execution dates.
 */
const API_REQUEST_SCHEMAS = {
  launch_job: z.object({ ...LaunchJobRequest.shape, execution_date: LenientExecutionDate.optional() }),
  check_run_status: z.object(CheckRunStatusRequest.shape),
  get_last_status: z.object({ ...GetLastStatusRequest.shape, execution_date: LenientExecutionDate.optional() }),
  get_by_status: z.object({ ...GetByStatusRequest.shape, execution_date: LenientExecutionDate.optional() }),
  set_run_status: z.object(SetRunStatusRequest.shape),
  reset_workflow_status: z.object(ResetWorkflowStatusRequest.shape),
  set_configuration_status: z.object(SetConfigurationStatusRequest.shape),
} as const;

/** A validated request of one action. */
type ApiRequest<A extends Action = Action> = z.infer<(typeof API_REQUEST_SCHEMAS)[A]>;

/** The paths of the public API and the actions each serves. */
export const API_PATHS: ReadonlyMap<string, readonly Action[]> = (() => {
  const m = new Map<string, Action[]>();
  for (const a of ACTIONS) m.set(ACTION_PATHS[a], [...(m.get(ACTION_PATHS[a]) ?? []), a]);
  return m;
})();

/** A validated request, tagged with its action. */
export type ValidatedRequest = { [A in Action]: { action: A; request: ApiRequest<A> } }[Action];

/** Validates a parsed body for `path`: the action must exist and be served there, the fields must fit its schema. */
export function validateRequest(path: string, body: Record<string, unknown>): ValidatedRequest {
  const served = API_PATHS.get(path) ?? [];
  const action = body.action;
  if (action === undefined) {
    throw new ValidationError([{ field: "action", message: `is required (${path} serves ${served.join(", ")})` }]);
  }
  if (typeof action !== "string" || !(ACTIONS as readonly string[]).includes(action)) {
    throw new ValidationError([{ field: "action", message: `must be one of ${served.join(", ")} on ${path}` }]);
  }
  if (!served.includes(action as Action)) {
    throw new ValidationError([{ field: "action", message: `${action} is served on ${ACTION_PATHS[action as Action]}, not on ${path}` }]);
  }
  const schema = API_REQUEST_SCHEMAS[action as Action];
  const result = schema.safeParse(body);
  if (!result.success) throw new ValidationError(fieldIssues(result.error, body));
  return { action, request: result.data } as ValidatedRequest;
}

/** What an action answered, plus the run it created, for the request log. */
export interface ActionResult {
  body: unknown;
  runId?: string;
}

/** Who asks for an action, for the runs it creates. */
export interface ActionContext {
  /** The request (id, log sequence, token fingerprint). */
  request?: LaunchRequest;
  /** Emulated delay, on top of the global one, before a created run shows in the public API. */
  extraVisibilityDelayUs?: number;
}

/** The name the API stores (and get_last_status returns) for a type: table-to-table is stored as gbq-to-gbq. */
export function storedTypeName(type: CanonicalConfigurationType): ConfigurationType {
  return type === "table-to-table" ? LEGACY_TABLE_TO_TABLE : type;
}

/** A run in the API's wire form (keys in the documented, sorted order). */
export function runToWire(run: RunRecord, shownType: ConfigurationType, nowUs: number): Run {
  const duration = run.duration_us ?? (run.status === "RUNNING" && run.running_us !== null ? Math.max(0, nowUs - run.running_us) : 0);
  return {
    account: run.account,
    configuration_id: run.configuration_id,
    configuration_type: shownType,
    duration: formatDuration(duration),
    environment: run.environment,
    job_id: run.job_id,
    ...(run.last_update_us === null ? {} : { last_update_date: formatIsoDate(run.last_update_us) }),
    run_id: run.run_id,
    start_execution_date: formatIsoDate(run.start_us),
    status: run.status,
  };
}

/** A client-given value as shown in messages: long values are cut, so errors stay small. */
function clip(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}...` : value;
}

function describe(c: ConfigurationIdentity): string {
  return `configuration ${clip(c.configuration_id)} (${c.configuration_type}, environment ${c.environment}, account ${c.account})`;
}

/** Runs API actions against a platform. */
export class Actions {
  constructor(
    private readonly platform: Platform,
    private readonly guesses: Guesses,
  ) {}

  /** Performs a validated request (now, or at the instant of a late action being replayed). */
  perform(validated: ValidatedRequest, context: ActionContext = {}): ActionResult {
    this.platform.catchUp();
    switch (validated.action) {
      case "launch_job":
        return this.launchJob(validated.request, context);
      case "check_run_status":
        return this.checkRunStatus(validated.request);
      case "get_last_status":
        return this.getLastStatus(validated.request);
      case "get_by_status":
        return this.getByStatus(validated.request);
      case "set_run_status":
        return this.setRunStatus(validated.request);
      case "reset_workflow_status":
        return this.resetWorkflowStatus(validated.request);
      case "set_configuration_status":
        return this.setConfigurationStatus(validated.request);
    }
  }

  private identity(r: {
    account: string;
    environment: ConfigurationIdentity["environment"];
    configuration_type: ConfigurationType;
    configuration_id: string;
  }): ConfigurationIdentity {
    return {
      account: r.account,
      environment: r.environment,
      configuration_type: canonicalConfigurationType(r.configuration_type),
      configuration_id: r.configuration_id,
    };
  }

  /** The configuration, or a 404 naming it (with a hint when a table-to-table id lacks its environment suffix). */
  private find(identity: ConfigurationIdentity): ConfigurationRecord {
    const config = this.platform.configuration(identity);
    if (config) return config;
    let hint = "";
    const suffix = `_${identity.environment}`;
    if (identity.configuration_type === "table-to-table" && !identity.configuration_id.endsWith(suffix)) {
      const withSuffix = { ...identity, configuration_id: identity.configuration_id + suffix };
      if (this.platform.configuration(withSuffix)) {
        hint = `; table-to-table configurations are addressed with their environment suffix: did you mean ${clip(withSuffix.configuration_id)}?`;
      }
    }
    throw new ConfigurationNotFoundError(`${describe(identity)} not found${hint}`);
  }

  private launchJob(r: ApiRequest<"launch_job">, context: ActionContext): ActionResult {
    const config = this.find(this.identity(r));
    if (config.archived) throw new ConfigurationArchivedError(`${describe(config)} is archived and cannot be launched`);
    if (!LAUNCHABLE_TYPES.has(config.configuration_type)) {
      throw new NotLaunchableError(
        `${describe(config)} cannot be launched through the API: ${config.configuration_type} configurations run ${
          config.configuration_type === "workflow" ? "when their jobs succeed" : "when their files arrive"
        }`,
      );
    }
    if (r.job_id !== undefined && !config.job_ids.includes(r.job_id)) {
      throw new JobNotFoundError(
        `job ${clip(r.job_id)} not found in ${describe(config)}; its jobs: ${config.job_ids.join(", ") || "none"}`,
      );
    }
    const run = this.platform.launch(config, {
      jobId: r.job_id,
      executionDate: r.execution_date === undefined ? null : normalizeExecutionDate(r.execution_date),
      origin: "launch",
      request: context.request,
      extraVisibilityDelayUs: context.extraVisibilityDelayUs,
    });
    return { body: { run_id: run.run_id }, runId: run.run_id };
  }

  private checkRunStatus(r: ApiRequest<"check_run_status">): ActionResult {
    const identity = this.identity(r);
    this.find(identity);
    const run = this.visibleRun(r.run_id);
    if (!run || !sameConfiguration(run, identity)) throw new RunNotFoundError(`run ${clip(r.run_id)} not found in ${describe(identity)}`);
    if (run.job_id !== r.job_id)
      throw new RunNotFoundError(`run ${clip(r.run_id)} of ${describe(identity)} is not a run of job ${clip(r.job_id)}`);
    // The docs echo the request's configuration_type here (unlike get_last_status).
    return { body: { results: [runToWire(run, r.configuration_type, this.platform.now())] } };
  }

  /** The run, unless it does not exist or is not visible yet (a visibility delay): the public API's view. */
  private visibleRun(runId: string): RunRecord | undefined {
    const run = this.platform.runById(runId);
    return run && this.platform.isVisible(run) ? run : undefined;
  }

  private getLastStatus(r: ApiRequest<"get_last_status">): ActionResult {
    const identity = this.identity(r);
    this.find(identity);
    const runs = this.platform.queryRuns({
      ...identity,
      job_id: r.job_id,
      status: r.status,
      startRange: r.execution_date === undefined ? undefined : utcDayBounds(r.execution_date),
      visibleAt: this.platform.now(),
      limit: r.limit ?? this.guesses.defaultLastStatusLimit,
    });
    const now = this.platform.now();
    return { body: { results: runs.map((run) => runToWire(run, storedTypeName(run.configuration_type), now)) } };
  }

  private getByStatus(r: ApiRequest<"get_by_status">): ActionResult {
    const runs = this.platform.queryRuns({
      account: r.account,
      configuration_type: canonicalConfigurationType(r.configuration_type),
      environment: r.environment,
      status: r.status,
      startRange: r.execution_date === undefined ? undefined : utcDayBounds(r.execution_date),
      visibleAt: this.platform.now(),
      limit: r.limit ?? this.guesses.defaultByStatusLimit,
    });
    const now = this.platform.now();
    return { body: { results: runs.map((run) => runToWire(run, storedTypeName(run.configuration_type), now)) } };
  }

  private setRunStatus(r: ApiRequest<"set_run_status">): ActionResult {
    const type = canonicalConfigurationType(r.configuration_type);
    const run = this.visibleRun(r.run_id);
    const matches =
      run !== undefined &&
      run.account === r.account &&
      run.configuration_type === type &&
      run.configuration_id === r.configuration_id &&
      (r.environment === undefined || run.environment === r.environment);
    if (!run || !matches) {
      throw new RunNotFoundError(
        `run ${clip(r.run_id)} not found in configuration ${clip(r.configuration_id)} (${type}${r.environment ? `, environment ${r.environment}` : ""}, account ${r.account})`,
      );
    }
    this.platform.setRunStatus(run, r.status);
    return { body: { message: "ok" } };
  }

  private resetWorkflowStatus(r: ApiRequest<"reset_workflow_status">): ActionResult {
    const workflow = this.find(this.identity(r));
    this.platform.resetWorkflow(workflow);
    return { body: { code: 200, data: {}, message: "ok" } };
  }

  private setConfigurationStatus(r: ApiRequest<"set_configuration_status">): ActionResult {
    const config = this.find(this.identity(r));
    this.platform.updateConfiguration(config, { activated: r.activated, archived: r.archived });
    return { body: { message: "ok" } };
  }
}

function sameConfiguration(run: RunRecord, c: ConfigurationIdentity): boolean {
  return (
    run.account === c.account &&
    run.environment === c.environment &&
    run.configuration_type === c.configuration_type &&
    run.configuration_id === c.configuration_id
  );
}
