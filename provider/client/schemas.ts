/**
 * The Tailer API's wire format as zod schemas: the single source of truth for
 * the client (strict on what it sends, tolerant on what it receives) and the
 * emulator (which parses requests with the same shapes).
 *
 * Sources: the two documentation pages (copied in test/emulator/fixtures/seeds) and what public Tailer
 * material adds, summed up in emulator/README.md.
 */
import { z } from "zod";

/** The documented production base URL of the Tailer API. */
export const PRODUCTION_API_URL = "https://tailer-api-nqonovswsq-ew.a.run.app";

/** A Tailer account: a 6-digit string such as "000099". */
export const Account = z.string().regex(/^\d{6}$/, 'account must be 6 digits, for example "000099"');
/** A Tailer account. */
export type Account = z.infer<typeof Account>;

/** The environments a configuration is deployed to. */
export const ENVIRONMENTS = ["PROD", "PREPROD", "STAGING", "DEV"] as const;
/** A Tailer environment. */
export const Environment = z.enum(ENVIRONMENTS, {
  error: () => `environment must be one of ${ENVIRONMENTS.join(", ")}`,
});
/** A Tailer environment. */
export type Environment = z.infer<typeof Environment>;

/** Configuration types as the public docs name them. */
export const CONFIGURATION_TYPES = [
  "storage-to-storage",
  "storage-to-tables",
  "table-to-table",
  "table-to-storage",
  "workflow",
  "vm-launcher",
  "api-to-storage",
  "xml-conversion",
  "context",
  "file-utilities",
] as const;

/** The legacy, internal name of table-to-table, still sent by older docs and returned by get_last_status. */
export const LEGACY_TABLE_TO_TABLE = "gbq-to-gbq";

/** A configuration type, including the legacy alias `gbq-to-gbq` of `table-to-table`. */
export const ConfigurationType = z.enum([...CONFIGURATION_TYPES, LEGACY_TABLE_TO_TABLE], {
  error: () => `configuration_type must be one of ${CONFIGURATION_TYPES.join(", ")} (or gbq-to-gbq)`,
});
/** A configuration type as it travels on the wire. */
export type ConfigurationType = z.infer<typeof ConfigurationType>;
/** A configuration type in its canonical (documented) name. */
export type CanonicalConfigurationType = (typeof CONFIGURATION_TYPES)[number];

/** Maps the legacy `gbq-to-gbq` to `table-to-table`; other types (and values not checked yet) are returned as they are. */
export function canonicalConfigurationType(type: ConfigurationType): CanonicalConfigurationType;
export function canonicalConfigurationType<T>(type: T): T | CanonicalConfigurationType;
export function canonicalConfigurationType(type: unknown): unknown {
  return type === LEGACY_TABLE_TO_TABLE ? "table-to-table" : type;
}

/** Run statuses, in the order of a run's life. */
export const RUN_STATUSES = ["WAITING", "RUNNING", "SUCCESS", "FAILED", "DEACTIVATED", "NO_MATCH", "CHECKED"] as const;
/** A run's status. */
export const RunStatus = z.enum(RUN_STATUSES, {
  error: () => `status must be one of ${RUN_STATUSES.join(", ")}`,
});
/** A run's status. */
export type RunStatus = z.infer<typeof RunStatus>;

/** Statuses after which a run never changes again on its own. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ["SUCCESS", "FAILED", "DEACTIVATED", "NO_MATCH", "CHECKED"];

/** True when a run in this status will not change on its own. */
export function isTerminalRunStatus(status: RunStatus): boolean {
  return TERMINAL_RUN_STATUSES.includes(status);
}

/** Statuses that set_run_status accepts (2024 API). */
export const SettableRunStatus = z.enum(["SUCCESS", "FAILED", "RUNNING", "NO_MATCH", "CHECKED"], {
  error: () => "status must be one of SUCCESS, FAILED, RUNNING, NO_MATCH, CHECKED",
});
/** A status that set_run_status accepts. */
export type SettableRunStatus = z.infer<typeof SettableRunStatus>;

/** An execution date as the client sends it: YYYY-MM-DD. */
export const ExecutionDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "execution_date must be a date in the form YYYY-MM-DD")
  .refine((s) => isRealDate(s), "execution_date must be a real calendar date (YYYY-MM-DD)");

/** True when `YYYY-MM-DD` (or `YYYY/MM/DD`) names a day that exists. */
export function isRealDate(s: string): boolean {
  const m = /^(\d{4})[-/](\d{2})[-/](\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** A run id: `YYYYMMDD-HHMMSS-<uuid4>` for launched runs, `YYYYMMDD-<uuid4>` for file-triggered runs. */
export const RUN_ID_PATTERN = /^\d{8}-(\d{6}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A run id. */
export const RunId = z.string().regex(RUN_ID_PATTERN, "run_id must look like YYYYMMDD-HHMMSS-<uuid4>");

const nonEmpty = (field: string) => z.string().min(1, `${field} must not be empty`);

/** The identity every configuration-level call carries. */
const identity = {
  account: Account,
  environment: Environment,
  configuration_type: ConfigurationType,
  configuration_id: nonEmpty("configuration_id"),
};

/** The actions of the API. */
export const ACTIONS = [
  "launch_job",
  "check_run_status",
  "get_last_status",
  "get_by_status",
  "set_run_status",
  "reset_workflow_status",
  "set_configuration_status",
] as const;
/** An action name. */
export type Action = (typeof ACTIONS)[number];

/** The path each action is served on. */
export const ACTION_PATHS: Readonly<Record<Action, string>> = {
  launch_job: "/v1/dag/launch",
  check_run_status: "/v1/dag/status",
  get_last_status: "/v1/dag/status",
  get_by_status: "/v1/dag/status",
  set_run_status: "/v1/dag/status",
  reset_workflow_status: "/v1/workflow/status",
  set_configuration_status: "/v1/configuration/status",
};

/** Request shapes, keyed by action. Objects here are strict: the client never sends a field the docs do not name. */
export const LaunchJobRequest = z.strictObject({
  action: z.literal("launch_job"),
  ...identity,
  execution_date: ExecutionDate.optional(),
  job_id: nonEmpty("job_id").optional(),
});
/** The body of launch_job. */
export type LaunchJobRequest = z.infer<typeof LaunchJobRequest>;

/** The body of check_run_status. */
export const CheckRunStatusRequest = z.strictObject({
  action: z.literal("check_run_status"),
  ...identity,
  job_id: nonEmpty("job_id"),
  run_id: nonEmpty("run_id"),
});
/** The body of check_run_status. */
export type CheckRunStatusRequest = z.infer<typeof CheckRunStatusRequest>;

/** get_last_status's `limit`: a positive integer. */
export const Limit = z
  .number({ error: () => "limit must be a number" })
  .int("limit must be a whole number")
  .min(1, "limit must be at least 1")
  .max(1000, "limit must be at most 1000");

/** The body of get_last_status. */
export const GetLastStatusRequest = z.strictObject({
  action: z.literal("get_last_status"),
  ...identity,
  job_id: nonEmpty("job_id").optional(),
  execution_date: ExecutionDate.optional(),
  status: RunStatus.optional(),
  limit: Limit.optional(),
});
/** The body of get_last_status. */
export type GetLastStatusRequest = z.infer<typeof GetLastStatusRequest>;

/** The body of get_by_status (2024 API): runs of an account by status, across configurations. */
export const GetByStatusRequest = z.strictObject({
  action: z.literal("get_by_status"),
  account: Account,
  configuration_type: ConfigurationType,
  environment: Environment.optional(),
  status: RunStatus.optional(),
  execution_date: ExecutionDate.optional(),
  limit: Limit.optional(),
});
/** The body of get_by_status. */
export type GetByStatusRequest = z.infer<typeof GetByStatusRequest>;

/** The body of set_run_status (2024 API). */
export const SetRunStatusRequest = z.strictObject({
  action: z.literal("set_run_status"),
  account: Account,
  configuration_type: ConfigurationType,
  configuration_id: nonEmpty("configuration_id"),
  run_id: nonEmpty("run_id"),
  status: SettableRunStatus,
  environment: Environment.optional(),
});
/** The body of set_run_status. */
export type SetRunStatusRequest = z.infer<typeof SetRunStatusRequest>;

/** The body of reset_workflow_status. */
export const ResetWorkflowStatusRequest = z.strictObject({
  action: z.literal("reset_workflow_status"),
  account: Account,
  environment: Environment,
  configuration_type: z.literal("workflow", { error: () => "configuration_type must be workflow" }),
  configuration_id: nonEmpty("configuration_id"),
});
/** The body of reset_workflow_status. */
export type ResetWorkflowStatusRequest = z.infer<typeof ResetWorkflowStatusRequest>;

/** The body of set_configuration_status. */
export const SetConfigurationStatusRequest = z.strictObject({
  action: z.literal("set_configuration_status"),
  ...identity,
  activated: z.boolean({ error: () => "activated must be true or false" }),
  archived: z.boolean({ error: () => "archived must be true or false" }),
});
/** The body of set_configuration_status. */
export type SetConfigurationStatusRequest = z.infer<typeof SetConfigurationStatusRequest>;

/** Every request schema, keyed by action. */
export const REQUEST_SCHEMAS = {
  launch_job: LaunchJobRequest,
  check_run_status: CheckRunStatusRequest,
  get_last_status: GetLastStatusRequest,
  get_by_status: GetByStatusRequest,
  set_run_status: SetRunStatusRequest,
  reset_workflow_status: ResetWorkflowStatusRequest,
  set_configuration_status: SetConfigurationStatusRequest,
} as const;

/** A run as the API returns it. Tolerant: unknown fields are ignored, `last_update_date` may be absent (storage runs). */
export const Run = z.object({
  account: z.string(),
  configuration_id: z.string(),
  configuration_type: ConfigurationType,
  duration: z.string(),
  environment: z.string(),
  job_id: z.string(),
  last_update_date: z.string().optional(),
  run_id: z.string(),
  start_execution_date: z.string(),
  status: RunStatus,
});
/** A run as the API returns it. */
export type Run = z.infer<typeof Run>;

/** launch_job's answer. */
export const LaunchJobResponse = z.object({ run_id: RunId });
/** launch_job's answer. */
export type LaunchJobResponse = z.infer<typeof LaunchJobResponse>;

/** The answer of the status reads (check_run_status, get_last_status, get_by_status). */
export const RunsResponse = z.object({ results: z.array(Run) });
/** The answer of the status reads. */
export type RunsResponse = z.infer<typeof RunsResponse>;

/** set_configuration_status's and set_run_status's answer. */
export const MessageResponse = z.object({ message: z.string() });
/** A plain `{"message": ...}` answer. */
export type MessageResponse = z.infer<typeof MessageResponse>;

/** reset_workflow_status's answer. */
export const ResetWorkflowStatusResponse = z.object({
  code: z.number(),
  data: z.record(z.string(), z.unknown()).optional(),
  message: z.string(),
});
/** reset_workflow_status's answer. */
export type ResetWorkflowStatusResponse = z.infer<typeof ResetWorkflowStatusResponse>;

/** Every response schema, keyed by action. */
export const RESPONSE_SCHEMAS = {
  launch_job: LaunchJobResponse,
  check_run_status: RunsResponse,
  get_last_status: RunsResponse,
  get_by_status: RunsResponse,
  set_run_status: MessageResponse,
  reset_workflow_status: ResetWorkflowStatusResponse,
  set_configuration_status: MessageResponse,
} as const;

/** An error body: the gateway's `{code, message}` or the API's `{code, data, message}`. */
export const ErrorBody = z.object({
  code: z.number().optional(),
  data: z.unknown().optional(),
  message: z.string(),
});
/** An error body. */
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The request body type of an action. */
export type RequestOf<A extends Action> = z.infer<(typeof REQUEST_SCHEMAS)[A]>;
/** The response body type of an action. */
export type ResponseOf<A extends Action> = z.infer<(typeof RESPONSE_SCHEMAS)[A]>;

/**
 * The job id Tailer gives a configuration's single job, per type (tailer-api.md, "Identities").
 * Storage-to-storage and storage-to-tables have one job per filename template, so they have no single default.
 */
export function defaultJobId(
  configurationType: ConfigurationType,
  account: string,
  configurationId: string,
  environment: string,
): string | undefined {
  switch (canonicalConfigurationType(configurationType)) {
    case "table-to-table":
      return `${LEGACY_TABLE_TO_TABLE}|${configurationId}`;
    case "table-to-storage":
      return `table-to-storage|table-to-storage|${configurationId}`;
    case "storage-to-storage":
    case "storage-to-tables":
      return undefined;
    default:
      // vm-launcher is documented as `<type>|<account>|<id>|<ENV>`; the other types follow it (our guess).
      return `${canonicalConfigurationType(configurationType)}|${account}|${configurationId}|${environment}`;
  }
}
