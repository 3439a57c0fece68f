/**
 * Reading Tailer from a Pulumi program without declaring a resource: get_last_status, check_run_status
 * and get_by_status as functions, in the two forms Pulumi users know (`getX` returning a Promise,
 * `getXOutput` taking Inputs and returning an Output). They read the same `tailer:*` config as the
 * resources, share one client (token cache, connection pool, retries) per process, and run during
 * `pulumi preview` too, since reads are safe: a gate built on them fails at preview time.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { effectiveConfigurationId } from "../client/identity";
import { type ConfigurationType, canonicalConfigurationType, type Environment, Run, type RunStatus } from "../client/schemas";
import { isTailerError } from "../core/errors";
import { defined } from "../core/objects";
import { clientFor } from "../resources/clients";
import { readSettings } from "../resources/settings";

/** A run, in the camelCase Pulumi programs use; derived from the client's `Run` schema. */
export const RunInfo = Run.transform((run) => ({
  runId: run.run_id,
  jobId: run.job_id,
  status: run.status,
  account: run.account,
  environment: run.environment,
  configurationType: canonicalConfigurationType(run.configuration_type),
  configurationId: run.configuration_id,
  startExecutionDate: run.start_execution_date,
  lastUpdateDate: run.last_update_date,
  duration: run.duration,
}));
/** A run, camelCase. */
export type RunInfo = z.infer<typeof RunInfo>;

/** The configuration a read is about. */
export interface ConfigurationIdentityArgs {
  /** The Tailer account, 6 digits. */
  account: string;
  /** The environment. */
  environment: Environment;
  /** The configuration type. */
  configurationType: ConfigurationType;
  /** The configuration id (table-to-table ids end with _<ENV>; see appendEnvironmentSuffix). */
  configurationId: string;
  /** Build the _<ENV> suffix of a table-to-table id. */
  appendEnvironmentSuffix?: boolean;
}

/** Arguments of getLastStatus: the configuration, and the documented filters. */
export interface GetLastStatusArgs extends ConfigurationIdentityArgs {
  /** Only runs of this job. */
  jobId?: string;
  /** Only runs started on this UTC day, YYYY-MM-DD. */
  executionDate?: string;
  /** Only runs in this status. */
  status?: RunStatus;
  /** How many runs, newest first. */
  limit?: number;
}

/** The result of getLastStatus. */
export interface GetLastStatusResult {
  /** The runs, newest first. */
  runs: RunInfo[];
  /** The newest run, if any. */
  lastRun?: RunInfo;
}

/** Arguments of checkRunStatus. */
export interface CheckRunStatusArgs extends ConfigurationIdentityArgs {
  /** The run's job id. */
  jobId: string;
  /** The run id. */
  runId: string;
}

/** The result of checkRunStatus. */
export interface CheckRunStatusResult {
  /** The run, if the API knows it. */
  run?: RunInfo;
}

/** Arguments of getRunsByStatus (the 2024 get_by_status action). */
export interface GetRunsByStatusArgs {
  /** The Tailer account. */
  account: string;
  /** The configuration type. */
  configurationType: ConfigurationType;
  /** Only this environment. */
  environment?: Environment;
  /** Only runs in this status. */
  status?: RunStatus;
  /** Only runs started on this UTC day, YYYY-MM-DD. */
  executionDate?: string;
  /** How many runs. */
  limit?: number;
}

/** The result of getRunsByStatus. */
export interface GetRunsByStatusResult {
  /** The runs. */
  runs: RunInfo[];
}

/** Each field of T as a pulumi.Input. */
export type InputArgs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/**
 * Runs a read for the program. A Tailer error's message is complete (action, status, Tailer's message,
 * the fix), so it is flagged as a Pulumi RunError: Pulumi then prints the message alone, at once,
 * instead of a stack trace it would take seconds to format. The error keeps its Tailer code.
 */
async function programRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isTailerError(error)) Object.defineProperty(error, "__pulumiRunError", { value: true });
    throw error;
  }
}

function programClient() {
  // pulumi.runtime.getConfig reads secrets without the "use getSecret" warning; nothing read here is returned.
  return clientFor(readSettings({ get: (key) => pulumi.runtime.getConfig(key) }));
}

function identity(args: ConfigurationIdentityArgs) {
  return {
    account: args.account,
    environment: args.environment,
    configuration_type: args.configurationType,
    configuration_id: effectiveConfigurationId(
      args.configurationType,
      args.configurationId,
      args.environment,
      args.appendEnvironmentSuffix,
    ),
  };
}

const runs = (list: Run[]) => list.map((run) => RunInfo.parse(run));

/** The last runs of a configuration or job, newest first (get_last_status). */
export async function getLastStatus(args: GetLastStatusArgs): Promise<GetLastStatusResult> {
  const list = runs(
    await programRead(() =>
      programClient().getLastStatus(
        defined({ ...identity(args), job_id: args.jobId, execution_date: args.executionDate, status: args.status, limit: args.limit }),
      ),
    ),
  );
  return list[0] ? { runs: list, lastRun: list[0] } : { runs: list };
}

/** getLastStatus with Input arguments, as an Output. */
export function getLastStatusOutput(args: InputArgs<GetLastStatusArgs>): pulumi.Output<GetLastStatusResult> {
  return pulumi.output(args).apply((resolved) => getLastStatus(resolved as GetLastStatusArgs));
}

/** One run by id (check_run_status). */
export async function checkRunStatus(args: CheckRunStatusArgs): Promise<CheckRunStatusResult> {
  const run = await programRead(() => programClient().checkRunStatus({ ...identity(args), job_id: args.jobId, run_id: args.runId }));
  return run ? { run: RunInfo.parse(run) } : {};
}

/** checkRunStatus with Input arguments, as an Output. */
export function checkRunStatusOutput(args: InputArgs<CheckRunStatusArgs>): pulumi.Output<CheckRunStatusResult> {
  return pulumi.output(args).apply((resolved) => checkRunStatus(resolved as CheckRunStatusArgs));
}

/** Runs of an account by status, across configurations (get_by_status). */
export async function getRunsByStatus(args: GetRunsByStatusArgs): Promise<GetRunsByStatusResult> {
  const list = await programRead(() =>
    programClient().getByStatus(
      defined({
        account: args.account,
        configuration_type: args.configurationType,
        environment: args.environment,
        status: args.status,
        execution_date: args.executionDate,
        limit: args.limit,
      }),
    ),
  );
  return { runs: runs(list) };
}

/** getRunsByStatus with Input arguments, as an Output. */
export function getRunsByStatusOutput(args: InputArgs<GetRunsByStatusArgs>): pulumi.Output<GetRunsByStatusResult> {
  return pulumi.output(args).apply((resolved) => getRunsByStatus(resolved as GetRunsByStatusArgs));
}
