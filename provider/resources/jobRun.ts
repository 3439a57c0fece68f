/** TailerJobRun: a run of a Tailer job launched on deploy, modelled as an immutable resource. */
import * as pulumi from "@pulumi/pulumi";
import type { CanonicalConfigurationType, ConfigurationType, Environment } from "../client/schemas";
import { warnIgnoredSuffix } from "./ignoredInputs";
import { suspendPromiseStacks } from "./promiseStacks";
import { dynamicType, withProvider } from "./serializedProvider";

/** The inputs of a TailerJobRun. */
export interface TailerJobRunArgs {
  /** The Tailer account, 6 digits ("000099"). */
  account: pulumi.Input<string>;
  /** The environment. */
  environment: pulumi.Input<Environment>;
  /** The configuration type (table-to-table and table-to-storage are documented as launchable). */
  configurationType: pulumi.Input<ConfigurationType>;
  /** The configuration id as the API knows it (table-to-table ids end with _<ENV>). */
  configurationId: pulumi.Input<string>;
  /** Build the _<ENV> suffix of a table-to-table id for you. */
  appendEnvironmentSuffix?: pulumi.Input<boolean>;
  /** The job to launch, when the configuration has several (older API). */
  jobId?: pulumi.Input<string>;
  /** The execution date passed to the job, YYYY-MM-DD. A change launches a new run. */
  executionDate?: pulumi.Input<string>;
  /** Wait for the run to end during `pulumi up`. Default true. */
  wait?: pulumi.Input<boolean>;
  /** How long to wait before failing the deploy (the run stays recorded). Default 3600. */
  timeoutSeconds?: pulumi.Input<number>;
  /** First interval between status checks; it grows to 30 s on long runs. Default 2. */
  pollIntervalSeconds?: pulumi.Input<number>;
  /** How long a run usually takes, in seconds: until the job has successful runs to learn from, checks aim at this end. */
  expectedDurationSeconds?: pulumi.Input<number>;
  /** Free-form values: any change launches a new run (e.g. the version of the code the job runs). */
  triggers?: pulumi.Input<Record<string, pulumi.Input<string | number | boolean>>>;
  /** "every-deploy" launches a new run on every pulumi up. Default "never". */
  rerunOn?: pulumi.Input<"never" | "every-deploy">;
  /** Relaunch a FAILED or DEACTIVATED run on the next pulumi up. Default true. */
  relaunchOnFailure?: pulumi.Input<boolean>;
  /**
   * Adopt a run of this job already WAITING or RUNNING instead of launching another. Default true. A
   * resource with an executionDate or triggers adopts only a run launched for the same inputs (Tailer's
   * runs do not show the date or release they were launched for).
   */
  adoptRunning?: pulumi.Input<boolean>;
  /** Take this run (a run id of this configuration's job) as this resource's run: how a LAUNCH_UNCERTAIN is resolved. */
  adoptRunId?: pulumi.Input<string>;
}

/** A run of a Tailer job launched on deploy: replaced (relaunched) when what it runs changes, never launched twice. */
export class TailerJobRun extends pulumi.CustomResource {
  /** The Tailer account. */
  declare readonly account: pulumi.Output<string>;
  /** The environment. */
  declare readonly environment: pulumi.Output<Environment>;
  /** The configuration type, canonical. */
  declare readonly configurationType: pulumi.Output<CanonicalConfigurationType>;
  /** The configuration id used with the API. */
  declare readonly configurationId: pulumi.Output<string>;
  /** The run's id. */
  declare readonly runId: pulumi.Output<string>;
  /** The run's job id. */
  declare readonly jobId: pulumi.Output<string>;
  /** The run's status when the deploy last looked (SUCCESS after a successful wait), or LAUNCH_UNCERTAIN. */
  declare readonly status: pulumi.Output<string>;
  /** When the run started (ISO 8601, the API's clock). */
  declare readonly startExecutionDate: pulumi.Output<string>;
  /** When the run last changed. */
  declare readonly lastUpdateDate: pulumi.Output<string | undefined>;
  /** How long the run took, H:MM:SS.ffffff. */
  declare readonly duration: pulumi.Output<string>;
  /** True when the run was adopted (already in progress, or found after a lost answer) rather than launched by this deploy. */
  declare readonly adopted: pulumi.Output<boolean>;
  /** While status is LAUNCH_UNCERTAIN: the evidence of the launch whose outcome is not known (when it began, the runs before it). */
  declare readonly launchAttempt: pulumi.Output<Record<string, unknown> | undefined>;

  /** Launches the run described by `args` on the next pulumi up. */
  constructor(name: string, args: TailerJobRunArgs, opts?: pulumi.CustomResourceOptions) {
    const restoreStacks = suspendPromiseStacks();
    try {
      super(
        dynamicType("JobRun"),
        name,
        withProvider("jobRun", {
          ...args,
          __urn: pulumi.createUrn(name, dynamicType("JobRun"), opts?.parent),
          runId: undefined,
          status: undefined,
          startExecutionDate: undefined,
          lastUpdateDate: undefined,
          duration: undefined,
          adopted: undefined,
          launchAttempt: undefined,
        }),
        opts,
      );
    } finally {
      restoreStacks();
    }
    warnIgnoredSuffix(this, args.configurationType, args.appendEnvironmentSuffix);
  }
}
