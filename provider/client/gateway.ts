/**
 * What the gateway in front of the Tailer API answers when it refuses a request. The API runs behind
 * Google's ESPv2, whose JWT checks are Envoy's `jwt_authn` filter, whose words are jwt_verify_lib's
 * status strings (`src/status.cc`), given here word for word in the order Envoy checks them.
 *
 * One table, read by the emulator (which answers with it), by the client (which explains a refusal
 * from it), and by the tests and the emulator's README. It imports nothing, so both sides can share it.
 */

/** One way the gateway refuses a request. */
export interface GatewayRefusal {
  /** The HTTP status: 401, except 403 for a token minted for another audience. */
  readonly status: 401 | 403;
  /** The gateway's message, exactly as it sends it in its `{"code": status, "message": ...}` body. */
  readonly message: string;
  /** What causes it, in a few words (for documentation). */
  readonly when: string;
}

/**
 * Every refusal of the gateway, keyed by the emulator's stable code, in Envoy's check order: where the
 * token is, its form and claim types, its issuer, its times, its audience, its key, its signature.
 */
export const GATEWAY_REFUSALS = {
  jwt_missing: { status: 401, message: "Jwt is missing", when: "no token in any place the gateway reads one from" },
  jwt_bad_format: {
    status: 401,
    message: "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections",
    when: "not three non-empty dot-separated parts",
  },
  jwt_header_bad_base64: { status: 401, message: "Jwt header is an invalid Base64url encoded", when: "the header is not base64url" },
  jwt_header_bad_json: { status: 401, message: "Jwt header is an invalid JSON", when: "the header is not a JSON object" },
  jwt_header_bad_alg: {
    status: 401,
    message: "Jwt header [alg] field is required and must be a string",
    when: "`alg` missing or not a string",
  },
  jwt_header_alg_not_supported: {
    status: 401,
    message: "Jwt header [alg] is not supported",
    when: "`alg` not one of ES256/384/512, HS256/384/512, RS256/384/512, PS256/384/512, EdDSA (`none` included)",
  },
  jwt_header_bad_kid: { status: 401, message: "Jwt header [kid] field is not a string", when: "`kid` present but not a string" },
  jwt_payload_bad_base64: { status: 401, message: "Jwt payload is an invalid Base64url encoded", when: "the payload is not base64url" },
  jwt_payload_bad_json: { status: 401, message: "Jwt payload is an invalid JSON", when: "the payload is not a JSON object" },
  jwt_payload_iss_not_string: { status: 401, message: "Jwt payload [iss] field is not a string", when: "`iss` present but not a string" },
  jwt_payload_sub_not_string: { status: 401, message: "Jwt payload [sub] field is not a string", when: "`sub` present but not a string" },
  jwt_payload_iat_not_integer: {
    status: 401,
    message: "Jwt payload [iat] field is not an integer",
    when: "`iat` present but not a number",
  },
  jwt_payload_iat_out_of_range: {
    status: 401,
    message: "Jwt payload [iat] field is not a positive 64 bit integer",
    when: "`iat` negative or 2^64 or more",
  },
  jwt_payload_nbf_not_integer: {
    status: 401,
    message: "Jwt payload [nbf] field is not an integer",
    when: "`nbf` present but not a number",
  },
  jwt_payload_nbf_out_of_range: {
    status: 401,
    message: "Jwt payload [nbf] field is not a positive 64 bit integer",
    when: "`nbf` negative or 2^64 or more",
  },
  jwt_payload_exp_not_integer: {
    status: 401,
    message: "Jwt payload [exp] field is not an integer",
    when: "`exp` present but not a number",
  },
  jwt_payload_exp_out_of_range: {
    status: 401,
    message: "Jwt payload [exp] field is not a positive 64 bit integer",
    when: "`exp` negative or 2^64 or more",
  },
  jwt_payload_jti_not_string: { status: 401, message: "Jwt payload [jti] field is not a string", when: "`jti` present but not a string" },
  jwt_payload_aud_not_string: {
    status: 401,
    message: "Jwt payload [aud] field is not a string or string list",
    when: "`aud` present but neither a string nor a list of strings",
  },
  jwt_signature_bad_base64: {
    status: 401,
    message: "Jwt signature is an invalid Base64url encoded",
    when: "the signature is not base64url",
  },
  jwt_unknown_issuer: { status: 401, message: "Jwt issuer is not configured", when: "no trusted key belongs to the token's `iss`" },
  jwt_not_yet_valid: { status: 401, message: "Jwt not yet valid", when: "`nbf` later than now plus the clock skew" },
  jwt_expired: { status: 401, message: "Jwt is expired", when: "`exp` earlier than now minus the clock skew" },
  jwt_audience: { status: 403, message: "Audiences in Jwt are not allowed", when: "no `aud` is the API's URL" },
  jwks_kid_alg_mismatch: {
    status: 401,
    message: "Jwks doesn't have key to match kid or alg from Jwt",
    when: "no key of the issuer has the token's `kid` and `alg`",
  },
  jwt_ed25519_signature_wrong_length: {
    status: 401,
    message: "Jwt ED25519 signature is wrong length",
    when: "an Ed25519 key and a signature that is not 64 bytes",
  },
  jwt_verification_fails: { status: 401, message: "Jwt verification fails", when: "no matching key verifies the signature" },
} as const satisfies Record<string, GatewayRefusal>;

/** A stable code of the gateway's refusals (a key of {@link GATEWAY_REFUSALS}). */
export type GatewayRefusalCode = keyof typeof GATEWAY_REFUSALS;

/** How far token times may be off (jwt_verify_lib's `kClockSkewInSecond`; ESPv2 does not change it). */
export const GATEWAY_CLOCK_SKEW_SECONDS = 60;

/** Where ESPv2 reads tokens from by default: these two headers and this query parameter, every one that is present. */
export const GATEWAY_TOKEN_LOCATIONS = {
  /** `Authorization: Bearer <token>` (the prefix is matched case-sensitively, as Envoy does). */
  authorization: { header: "authorization", prefix: "Bearer " },
  /** The header Identity-Aware Proxy forwards its token in, without a prefix. */
  iapAssertion: { header: "x-goog-iap-jwt-assertion" },
  /** `?access_token=<token>` in the URL. */
  queryParameter: "access_token",
} as const;

/** The refusal whose status and message these are, if the gateway sent them (the client explains refusals with it). */
export function gatewayRefusalOf(status: number, message: string | undefined): GatewayRefusalCode | undefined {
  for (const [code, refusal] of Object.entries(GATEWAY_REFUSALS) as [GatewayRefusalCode, GatewayRefusal][]) {
    if (refusal.status === status && refusal.message === message) return code;
  }
  return undefined;
}
