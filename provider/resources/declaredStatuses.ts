/**
 * What the TailerConfigurationStatus resources of this deployment set, so a TailerJobRun on a
 * configuration they disabled fails fast instead of launching a run that would end DEACTIVATED.
 */
import { type ConfigurationName, configurationKey } from "../client/identity";

/** A status as a TailerConfigurationStatus declares it. */
export interface DeclaredStatus {
  activated: boolean;
  archived: boolean;
}

const declared = new Map<string, DeclaredStatus>();

/** Records the status this deployment set on a configuration. */
export function rememberDeclaredStatus(configuration: ConfigurationName, status: DeclaredStatus): void {
  declared.set(configurationKey(configuration), status);
}

/** The status this deployment set on a configuration, if it set one. */
export function declaredStatus(configuration: ConfigurationName): DeclaredStatus | undefined {
  return declared.get(configurationKey(configuration));
}
