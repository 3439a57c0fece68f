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
  withEnvironmentSuffix,
} from "./client";
export * from "./functions";
