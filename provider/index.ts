/** pulumi-tailer: Pulumi resources for the Tailer data-pipeline API. */

export {
  type AuthOptions,
  type ConfigurationType,
  type Environment,
  ErrorCodes,
  isTailerError,
  PRODUCTION_API_URL,
  type RequestBody,
  type Run,
  type RunStatus,
  TailerClient,
  type TailerClientOptions,
  TailerError,
  type TailerErrorDetails,
  type TokenSource,
  withEnvironmentSuffix,
} from "./client";
export * from "./functions";
export { dynamicAlias, migrateFromDynamic } from "./native/migrate";
export * from "./resources";
