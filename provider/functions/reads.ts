/**
 * The reads of Tailer's run history (get_last_status, check_run_status, get_by_status) in the camelCase
 * that Pulumi programs use, on a given client. The program's functions (`getLastStatus`, ...) and the
 * native provider's invoke (`tailer:index:getLastStatus`, ...) both call these: each read is written once.
 */
import type { z } from "zod";
import type { TailerClient } from "../client/client";
import { effectiveConfigurationId } from "../client/identity";
import { type ConfigurationType, canonicalConfigurationType, type Environment, Run, type RunStatus } from "../client/schemas";
import { defined } from "../core/objects";

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

/** The reads, by function name, each on the client it is given. */
export const reads = {
  /** The last runs of a configuration or job, newest first (get_last_status). */
  async getLastStatus(client: TailerClient, args: GetLastStatusArgs): Promise<GetLastStatusResult> {
    const list = runs(
      await client.getLastStatus(
        defined({ ...identity(args), job_id: args.jobId, execution_date: args.executionDate, status: args.status, limit: args.limit }),
      ),
    );
    return list[0] ? { runs: list, lastRun: list[0] } : { runs: list };
  },
  /** One run by id (check_run_status). */
  async checkRunStatus(client: TailerClient, args: CheckRunStatusArgs): Promise<CheckRunStatusResult> {
    const run = await client.checkRunStatus({ ...identity(args), job_id: args.jobId, run_id: args.runId });
    return run ? { run: RunInfo.parse(run) } : {};
  },
  /** Runs of an account by status, across configurations (get_by_status). */
  async getRunsByStatus(client: TailerClient, args: GetRunsByStatusArgs): Promise<GetRunsByStatusResult> {
    const list = await client.getByStatus(
      defined({
        account: args.account,
        configuration_type: args.configurationType,
        environment: args.environment,
        status: args.status,
        execution_date: args.executionDate,
        limit: args.limit,
      }),
    );
    return { runs: runs(list) };
  },
};
