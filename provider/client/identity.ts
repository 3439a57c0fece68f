/**
 * Table-to-table identities: Tailer addresses a table-to-table configuration `X` deployed in DEV as
 * `X_DEV`. A client that forgets the suffix gets "not found" from the API; we catch it before sending.
 */
import { type ConfigurationType, canonicalConfigurationType, ENVIRONMENTS, type Environment } from "./schemas";

/** `<id>_<ENV>`: the id Tailer gives a table-to-table configuration in an environment. Idempotent. */
export function withEnvironmentSuffix(configurationId: string, environment: Environment): string {
  return configurationId.endsWith(`_${environment}`) ? configurationId : `${configurationId}_${environment}`;
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
  if (canonicalConfigurationType(configurationType) !== "table-to-table") return undefined;
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
