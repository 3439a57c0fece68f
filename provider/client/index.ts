/** The Tailer API client: typed actions, schemas, errors, retry policy and identity helpers. */

export type { AuthOptions, TokenSource, TokenSourceKind } from "../auth";
export {
  type ErrorCode,
  ErrorCodes,
  hasErrorCode,
  isTailerError,
  type RecordedResource,
  ResourceInitError,
  TailerError,
  type TailerErrorDetails,
} from "../core/errors";
export { redact, registerSecret } from "../core/redact";
export {
  API_URL_ENV,
  type ChangeResult,
  CLIENT_DEFAULTS,
  type ClientEvent,
  type LaunchOptions,
  type LaunchResult,
  normalizeApiUrl,
  normalizeRun,
  type RequestBody,
  type RunsRead,
  TailerClient,
  type TailerClientOptions,
} from "./client";
export {
  GATEWAY_CLOCK_SKEW_SECONDS,
  GATEWAY_REFUSALS,
  GATEWAY_TOKEN_LOCATIONS,
  type GatewayRefusal,
  type GatewayRefusalCode,
  gatewayRefusalOf,
} from "./gateway";
export {
  type ConfigurationName,
  checkEnvironmentSuffix,
  configurationKey,
  effectiveConfigurationId,
  type SuffixProblem,
  withEnvironmentSuffix,
} from "./identity";
export {
  describeCandidates,
  LaunchAttempt,
  LaunchUncertainError,
  launchCandidates,
  RECONCILE_DEFAULTS,
  type RunOwnership,
} from "./launch";
export {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  type FailureClass,
  parseRetryAfterMs,
  type RetryPolicy,
  resolveRetryPolicy,
  TRANSPORT_FAILURES,
} from "./retry";
export * from "./schemas";
