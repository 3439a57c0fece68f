/** The Tailer API client: typed actions, schemas, errors, retry policy and identity helpers. */
export {
  API_URL_ENV,
  CLIENT_DEFAULTS,
  type ChangeResult,
  type ClientEvent,
  type LaunchOptions,
  type LaunchResult,
  normalizeApiUrl,
  normalizeRun,
  type RequestBody,
  TailerClient,
  type TailerClientOptions,
} from "./client";
export { checkEnvironmentSuffix, type SuffixProblem, withEnvironmentSuffix } from "./identity";
export { backoffDelayMs, DEFAULT_RETRY_POLICY, parseRetryAfterMs, type RetryPolicy, resolveRetryPolicy } from "./retry";
export * from "./schemas";
export { type ErrorCode, ErrorCodes, hasErrorCode, isTailerError, TailerError, type TailerErrorDetails } from "../core/errors";
export { type AuthOptions, type TokenSource, type TokenSourceKind } from "../auth";
export { redact, registerSecret } from "../core/redact";
