/** TailerConfigurationStatus: declares that a configuration is active, disabled or archived. */
import * as pulumi from "@pulumi/pulumi";
import { configurationKey, effectiveConfigurationId } from "../client/identity";
import type { CanonicalConfigurationType, ConfigurationType, Environment } from "../client/schemas";
import { warnIgnoredSuffix } from "./ignoredInputs";
import { suspendPromiseStacks } from "./promiseStacks";
import { dynamicType, withProvider } from "./serializedProvider";
import type { Enforce, OnDelete, StatusClock, StatusEvidence } from "./vocabulary";

export type { Enforce, OnDelete, StatusClock, StatusEvidence } from "./vocabulary";

/** Which resource of this program declared each configuration: two declarations would flap on every up. */
const declaredBy = new Map<string, string>();

/** Records that `name` declares the configuration; throws when another resource already does. */
function claimConfiguration(name: string, identity: readonly unknown[]): void {
  const [account = "", environment = "", configurationType = "", configurationId = "", append] = identity.map(String);
  const id = effectiveConfigurationId(configurationType, configurationId, environment as Environment, append === "true");
  const key = configurationKey({ account, environment, configurationType, configurationId: id });
  const other = declaredBy.get(key);
  if (other !== undefined && other !== name)
    throw new Error(
      `TailerConfigurationStatus "${name}" declares configuration ${id} (${environment}, account ${account}), already declared by "${other}": the two would overwrite each other on every pulumi up. Declare each configuration once.`,
    );
  declaredBy.set(key, name);
}

/** The inputs of a TailerConfigurationStatus. */
export interface TailerConfigurationStatusArgs {
  /** The Tailer account, 6 digits ("000099"). */
  account: pulumi.Input<string>;
  /** The environment the configuration is deployed to. */
  environment: pulumi.Input<Environment>;
  /** The configuration type (table-to-table, storage-to-storage, ...). */
  configurationType: pulumi.Input<ConfigurationType>;
  /** The configuration id as the API knows it (table-to-table ids end with _<ENV>, see appendEnvironmentSuffix). */
  configurationId: pulumi.Input<string>;
  /** Build the _<ENV> suffix of a table-to-table id for you. Default false: a missing suffix is an error at preview. */
  appendEnvironmentSuffix?: pulumi.Input<boolean>;
  /** Whether the configuration may run. Default true, or false when archived. */
  activated?: pulumi.Input<boolean>;
  /** Whether the configuration is archived (hidden in Tailer Studio, never runs). Default false. */
  archived?: pulumi.Input<boolean>;
  /** What deleting the resource does to the configuration. Default "keep". */
  onDelete?: pulumi.Input<OnDelete>;
  /**
   * When `pulumi up` sends the declared status. "evidence" (default): when it differs from the recorded
   * status, or a run proves someone changed it. "always": on every up (one idempotent call, shown as an update).
   */
  enforce?: pulumi.Input<Enforce>;
}

/** Declares that a Tailer configuration is active, disabled or archived; catches changes made in Tailer Studio on refresh. */
export class TailerConfigurationStatus extends pulumi.CustomResource {
  /** The Tailer account. */
  declare readonly account: pulumi.Output<string>;
  /** The environment. */
  declare readonly environment: pulumi.Output<Environment>;
  /** The configuration type, canonical (gbq-to-gbq reads as table-to-table). */
  declare readonly configurationType: pulumi.Output<CanonicalConfigurationType>;
  /** The configuration id used with the API (suffixed when asked). */
  declare readonly configurationId: pulumi.Output<string>;
  /** Whether the configuration is active (after a refresh: as observed). */
  declare readonly activated: pulumi.Output<boolean>;
  /** Whether the configuration is archived. */
  declare readonly archived: pulumi.Output<boolean>;
  /** What deleting the resource does. */
  declare readonly onDelete: pulumi.Output<OnDelete>;
  /** When `pulumi up` sends the declared status ("evidence" when unset). */
  declare readonly enforce: pulumi.Output<Enforce | undefined>;
  /** When the provider last set the status (ISO 8601), on the API's clock unless statusSetClock says "local". */
  declare readonly statusSetAt: pulumi.Output<string>;
  /** Whose clock statusSetAt is on: "server" (the API's Date header) or "local" (the API sent none). */
  declare readonly statusSetClock: pulumi.Output<StatusClock>;
  /** What the recorded status rests on: "set" (the provider's call), "run" (a run since), "none" (no run since the call: not verifiable). */
  declare readonly statusEvidence: pulumi.Output<StatusEvidence>;
  /** The run that decided the observed status, as of the last refresh (none when no run started since the status was set). */
  declare readonly evidenceRunId: pulumi.Output<string | undefined>;
  /** That run's status: DEACTIVATED proves the configuration disabled, any other status active. */
  declare readonly evidenceRunStatus: pulumi.Output<string | undefined>;
  /** When that run started (the API's clock). */
  declare readonly evidenceRunStartDate: pulumi.Output<string | undefined>;
  /** When the status was last proven, by the evidence run or the provider's own call (ISO 8601). */
  declare readonly statusVerifiedAt: pulumi.Output<string>;
  /** The last run's id, as of the last refresh. */
  declare readonly lastRunId: pulumi.Output<string | undefined>;
  /** The last run's job id, as of the last refresh. */
  declare readonly lastRunJobId: pulumi.Output<string | undefined>;
  /** The last run's status, as of the last refresh. */
  declare readonly lastRunStatus: pulumi.Output<string | undefined>;
  /** The last run's start, as of the last refresh. */
  declare readonly lastRunStartDate: pulumi.Output<string | undefined>;

  /** Declares the status of the configuration named by `args`. */
  constructor(name: string, args: TailerConfigurationStatusArgs, opts?: pulumi.CustomResourceOptions) {
    const identity = [args.account, args.environment, args.configurationType, args.configurationId, args.appendEnvironmentSuffix];
    // Known now: fail at once, while the program is declaring resources. Otherwise: once the values are known.
    const known = identity.every((value) => !pulumi.Output.isInstance(value) && !(value instanceof Promise));
    if (known) claimConfiguration(name, identity);
    const restoreStacks = suspendPromiseStacks();
    try {
      super(
        dynamicType("ConfigurationStatus"),
        name,
        withProvider("configurationStatus", {
          ...args,
          statusSetAt: undefined,
          statusSetClock: undefined,
          statusEvidence: undefined,
          evidenceRunId: undefined,
          evidenceRunStatus: undefined,
          evidenceRunStartDate: undefined,
          statusVerifiedAt: undefined,
          lastRunId: undefined,
          lastRunJobId: undefined,
          lastRunStatus: undefined,
          lastRunStartDate: undefined,
        }),
        opts,
      );
    } finally {
      restoreStacks();
    }
    warnIgnoredSuffix(this, args.configurationType, args.appendEnvironmentSuffix);
    if (!known)
      pulumi.all(identity).apply((values) => {
        try {
          claimConfiguration(name, values);
        } catch (error) {
          throw new pulumi.ResourceError((error as Error).message, this, true);
        }
      });
  }
}
