/** pulumi-tailer: Pulumi resources for the Tailer data-pipeline API. */
export * from "./resources";
export {
  type ConfigurationType,
  type Environment,
  ErrorCodes,
  isTailerError,
  PRODUCTION_API_URL,
  type Run,
  type RunStatus,
  TailerClient,
  type TailerClientOptions,
  TailerError,
  type TailerErrorDetails,
  type AuthOptions,
  type TokenSource,
  type RequestBody,
  withEnvironmentSuffix,
} from "./client";
export * from "./functions";
