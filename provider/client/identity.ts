/**
 * How Tailer names a configuration: its key (account, environment, canonical type, id) and the
 * environment suffix of table-to-table ids (a configuration `X` deployed in DEV is `X_DEV` in the API;
 * a client that forgets the suffix gets "not found", so we catch it before sending).
 */
import { type ConfigurationType, canonicalConfigurationType, ENVIRONMENTS, type Environment } from "./schemas";

/** `<id>_<ENV>`: the id Tailer gives a table-to-table configuration in an environment. Idempotent. */
export function withEnvironmentSuffix(configurationId: string, environment: Environment): string {
  return configurationId.endsWith(`_${environment}`) ? configurationId : `${configurationId}_${environment}`;
}

/** True for the types whose ids carry the environment suffix (table-to-table, also as gbq-to-gbq). */
export function takesEnvironmentSuffix(configurationType: unknown): boolean {
  return canonicalConfigurationType(configurationType) === "table-to-table";
}

/**
 * The id the API knows: with `appendEnvironmentSuffix`, a table-to-table id gets its `_<ENV>` suffix;
 * every other id is used as it is.
 */
export function effectiveConfigurationId(
  configurationType: unknown,
  configurationId: string,
  environment: Environment,
  appendEnvironmentSuffix: boolean | undefined,
): string {
  return appendEnvironmentSuffix === true && takesEnvironmentSuffix(configurationType)
    ? withEnvironmentSuffix(configurationId, environment)
    : configurationId;
}

/** The parts that name a configuration, as resources hold them. */
export interface ConfigurationName {
  account: string;
  environment: string;
  configurationType: string;
  configurationId: string;
}

/** A configuration's key, `account/environment/type/id` with the canonical type: a resource id and a map key. */
export function configurationKey({ account, environment, configurationType, configurationId }: ConfigurationName): string {
  return `${account}/${environment}/${canonicalConfigurationType(configurationType)}/${configurationId}`;
}

/** Why an identity is wrong, with the fixed id when there is one. */
export interface SuffixProblem {
  /** A sentence naming the field and the fix. */
  message: string;
  /** The id that would be right. */
  suggestion: string;
}

/**
 * Checks that a table-to-table configuration id ends with `_<environment>`. Other types use their raw
 * id and always pass.
 */
export function checkEnvironmentSuffix(
  configurationType: ConfigurationType,
  configurationId: string,
  environment: Environment,
): SuffixProblem | undefined {
  if (!takesEnvironmentSuffix(configurationType)) return undefined;
  if (configurationId.endsWith(`_${environment}`)) return undefined;
  const other = ENVIRONMENTS.find((env) => configurationId.endsWith(`_${env}`));
  if (other) {
    const suggestion = `${configurationId.slice(0, -other.length - 1)}_${environment}`;
    return {
      message: `configuration_id "${configurationId}" ends with _${other} but environment is ${environment}: use "${suggestion}", or set environment to ${other}.`,
      suggestion,
    };
  }
  const suggestion = withEnvironmentSuffix(configurationId, environment);
  return {
    message: `configuration_id "${configurationId}" lacks the environment suffix that table-to-table ids carry in the API: use "${suggestion}".`,
    suggestion,
  };
}
