/** TailerConfigurationStatus: declares that a configuration is active, disabled or archived. */
import * as pulumi from "@pulumi/pulumi";
import { configurationKey, effectiveConfigurationId } from "../client/identity";
import type { CanonicalConfigurationType, ConfigurationType, Environment } from "../client/schemas";
import { warnIgnoredSuffix } from "./ignoredInputs";
import { dynamicType, withProvider } from "./serializedProvider";
import type { OnDelete } from "./vocabulary";

export type { OnDelete } from "./vocabulary";

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
  /** When the provider last set the status, on the API's clock (ISO 8601). */
  declare readonly statusSetAt: pulumi.Output<string>;
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
    super(
      dynamicType("ConfigurationStatus"),
      name,
      withProvider("configurationStatus", {
        ...args,
        statusSetAt: undefined,
        lastRunId: undefined,
        lastRunJobId: undefined,
        lastRunStatus: undefined,
        lastRunStartDate: undefined,
      }),
      opts,
    );
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
