/**
 * The error of a non-2xx answer of the API or of the gateway in front of it: the code from the HTTP
 * status, and a hint per case and per action (what that action looked up).
 */
import { type ErrorCode, ErrorCodes, TailerError } from "../core/errors";
import { gatewayRefusalOf } from "./gateway";

/** An API action name. */
type Action = string;

/** The code of the family for a non-2xx HTTP status. */
export function errorCodeOfStatus(status: number): ErrorCode {
  if (status === 401) return ErrorCodes.UNAUTHENTICATED;
  if (status === 403) return ErrorCodes.FORBIDDEN;
  if (status === 404) return ErrorCodes.NOT_FOUND;
  if (status === 429) return ErrorCodes.RATE_LIMITED;
  if (status >= 500) return ErrorCodes.SERVER_ERROR;
  return ErrorCodes.BAD_REQUEST;
}

const IDENTITY_HINT = "Check account, environment, configuration_type and configuration_id (table-to-table ids end with _<ENV>, e.g. _DEV)";

/** What to check after a 404, per action: what each one looks up. */
function notFoundHint(action: Action): string {
  if (action === "launch_job") return `${IDENTITY_HINT}; an archived configuration cannot be launched.`;
  if (action === "check_run_status") return `${IDENTITY_HINT}, and that the run id is a run of that job (job_id).`;
  if (action === "set_run_status") return `${IDENTITY_HINT}, and the run id.`;
  return `${IDENTITY_HINT}. The API cannot create configurations: deploy it with the Tailer SDK first.`;
}

/** The error for a non-2xx answer, with the code chosen from the HTTP status and a hint per case. */
export function errorFromResponse(
  action: Action,
  status: number,
  serverMessage: string | undefined,
  requestId: string | undefined,
  attempts?: number,
): TailerError {
  const details = { action, status, serverMessage, requestId, ...(attempts === undefined ? {} : { attempts }) };
  if (status === 401)
    return new TailerError(ErrorCodes.UNAUTHENTICATED, "the API refused the token.", {
      ...details,
      hint: "Check that the token is current and signed by a service account the API trusts, or configure a service-account key (tailer:credentialsFile) so tokens are minted and refreshed for you.",
    });
  if (status === 403 && gatewayRefusalOf(status, serverMessage) === "jwt_audience")
    return new TailerError(ErrorCodes.FORBIDDEN, "the token was minted for another API URL (its audience).", {
      ...details,
      hint: "Mint the token for the API URL you call (tailer:apiUrl), or configure a service-account key (tailer:credentialsFile) so tokens are minted for it.",
    });
  if (status === 403)
    return new TailerError(ErrorCodes.FORBIDDEN, "the token may not access this account.", {
      ...details,
      hint: "Use credentials of a service account or user that has access to this account.",
    });
  if (status === 404) return new TailerError(ErrorCodes.NOT_FOUND, "not found.", { ...details, hint: notFoundHint(action) });
  if (status === 431)
    return new TailerError(ErrorCodes.BAD_REQUEST, "the API refused the request's headers as too large.", {
      ...details,
      hint: "The bearer token is the only large header the client sends: check what the token source gives (tailer:token, TAILER_API_JWT, the token command).",
    });
  if (status === 429)
    return new TailerError(ErrorCodes.RATE_LIMITED, "rate limited.", {
      ...details,
      hint: "Lower the parallelism (pulumi up --parallel) or raise tailer:retryMaxElapsedMs.",
    });
  if (status >= 500)
    return new TailerError(ErrorCodes.SERVER_ERROR, "the Tailer API failed.", {
      ...details,
      hint: "This is on Tailer's side; retry later. Reads and status changes are safe to retry.",
    });
  return new TailerError(ErrorCodes.BAD_REQUEST, "the API rejected the request.", {
    ...details,
    hint: "Fix the request field named in Tailer's message.",
  });
}
