/**
 * A JWT read and checked the way Envoy's jwt_authn reads it (through jwt_verify_lib): the form and claim
 * types first (`Jwt::parseFromString`), the times (`verifyTimeConstraint`), then the signature against the
 * keys whose `kid` and `alg` match (`verifyJwtWithoutTimeChecking`). Each failure is a gateway refusal
 * code; nothing here throws on bad input. Signatures are checked with node:crypto.
 */
import { constants, type KeyObject, verify } from "node:crypto";
import { GATEWAY_CLOCK_SKEW_SECONDS, type GatewayRefusalCode } from "../provider/client/gateway";

/** A token whose form and claim types are valid (not yet its issuer, times, audience or signature). */
export interface ParsedJwt {
  /** `alg` of the header. */
  alg: string;
  /** `kid` of the header; "" when absent (Envoy treats an empty kid as none). */
  kid: string;
  /** `iss`; "" when absent. */
  iss: string;
  /** `aud` as a list (a string claim is a list of one). */
  audiences: string[];
  /** `nbf` and `exp` in epoch seconds; 0 when absent. */
  nbf: number;
  exp: number;
  /** The decoded payload. */
  payload: Record<string, unknown>;
  /** `<header>.<payload>` as received: what the signature signs. */
  signingInput: string;
  /** The decoded signature. */
  signature: Buffer;
}

/** The algorithms Envoy implements; any other `alg` (`none` included) is refused before any key is looked at. */
const IMPLEMENTED_ALGS = new Set([
  "ES256",
  "ES384",
  "ES512",
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "EdDSA",
]);

const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeBase64url(segment: string): Buffer | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  const bare = segment.replace(/=+$/, "");
  if (bare.length % 4 === 1 || (bare.length !== segment.length && segment.length % 4 !== 0)) return undefined;
  return Buffer.from(bare, "base64url");
}

function decodeObject(segment: string): Record<string, unknown> | "bad_base64" | "bad_json" {
  const bytes = decodeBase64url(segment);
  if (bytes === undefined) return "bad_base64";
  try {
    const value: unknown = JSON.parse(utf8.decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : "bad_json";
  } catch {
    return "bad_json";
  }
}

/** A time claim as jwt_verify_lib reads it: a JSON number in [0, 2^64), truncated; 0 when absent. */
function timeClaim(value: unknown): number | "not_integer" | "out_of_range" {
  if (value === undefined) return 0;
  if (typeof value !== "number") return "not_integer";
  if (value < 0 || value >= 2 ** 64) return "out_of_range";
  return Math.trunc(value);
}

/** The payload's claim types, in jwt_verify_lib's order; the failing code, or the claims Envoy keeps. */
function readClaims(payload: Record<string, unknown>): Pick<ParsedJwt, "iss" | "nbf" | "exp" | "audiences"> | GatewayRefusalCode {
  const { iss, sub, jti, aud } = payload;
  if (iss !== undefined && typeof iss !== "string") return "jwt_payload_iss_not_string";
  if (sub !== undefined && typeof sub !== "string") return "jwt_payload_sub_not_string";
  const times = { iat: timeClaim(payload.iat), nbf: timeClaim(payload.nbf), exp: timeClaim(payload.exp) };
  for (const name of ["iat", "nbf", "exp"] as const) {
    const t = times[name];
    if (typeof t === "string") return `jwt_payload_${name}_${t}`;
  }
  if (jti !== undefined && typeof jti !== "string") return "jwt_payload_jti_not_string";
  const audiences = aud === undefined ? [] : typeof aud === "string" ? [aud] : aud;
  if (!Array.isArray(audiences) || !audiences.every((a) => typeof a === "string")) return "jwt_payload_aud_not_string";
  return { iss: iss ?? "", nbf: times.nbf as number, exp: times.exp as number, audiences };
}

/** Reads a token's form and claim types; a refusal code at the first problem, in Envoy's order. */
export function parseJwt(token: string): ParsedJwt | GatewayRefusalCode {
  // Envoy splits on dots skipping empty parts: "a..b.c" has three parts, "a.b" and "a.b.c.d" do not.
  const parts = token.split(".").filter((p) => p.length > 0);
  if (parts.length !== 3) return "jwt_bad_format";
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeObject(headerPart);
  if (typeof header === "string") return `jwt_header_${header}`;
  const { alg, kid } = header;
  if (typeof alg !== "string") return "jwt_header_bad_alg";
  if (!IMPLEMENTED_ALGS.has(alg)) return "jwt_header_alg_not_supported";
  if (kid !== undefined && typeof kid !== "string") return "jwt_header_bad_kid";
  const payload = decodeObject(payloadPart);
  if (typeof payload === "string") return `jwt_payload_${payload}`;
  const claims = readClaims(payload);
  if (typeof claims === "string") return claims;
  const signature = decodeBase64url(signaturePart);
  if (signature === undefined) return "jwt_signature_bad_base64";
  return { alg, kid: kid ?? "", ...claims, payload, signingInput: `${headerPart}.${payloadPart}`, signature };
}

/** `nbf` and `exp` against `nowSeconds`, with the gateway's skew (no `exp` never expires; `iat` is not checked). */
export function checkTimes(jwt: ParsedJwt, nowSeconds: number): GatewayRefusalCode | undefined {
  if (nowSeconds + GATEWAY_CLOCK_SKEW_SECONDS < jwt.nbf) return "jwt_not_yet_valid";
  if (jwt.exp !== 0 && nowSeconds > jwt.exp + GATEWAY_CLOCK_SKEW_SECONDS) return "jwt_expired";
  return undefined;
}

/** A public key a token may be verified with. */
export interface VerificationKey {
  /** Its kid; "" = tried for any kid. */
  kid: string;
  /** The only `alg` it verifies; "" = any its type can. */
  alg: string;
  key: KeyObject;
}

const hashOf = (alg: string): string => (alg.endsWith("384") ? "sha384" : alg.endsWith("512") ? "sha512" : "sha256");

/** One key's verdict: true, false, or a refusal that ends the search (an Ed25519 signature of the wrong length). */
function verifyWith(jwt: ParsedJwt, key: KeyObject): boolean | GatewayRefusalCode {
  const data = Buffer.from(jwt.signingInput);
  try {
    switch (key.asymmetricKeyType) {
      case "ec":
        return verify(hashOf(jwt.alg), data, { key, dsaEncoding: "ieee-p1363" }, jwt.signature);
      case "rsa":
      case "rsa-pss":
        if (jwt.alg.startsWith("RS")) return verify(hashOf(jwt.alg), data, key, jwt.signature);
        if (jwt.alg.startsWith("PS"))
          return verify(hashOf(jwt.alg), data, { key, padding: constants.RSA_PKCS1_PSS_PADDING }, jwt.signature);
        return false; // an RSA key cannot check HS*, ES* or EdDSA: the key matched, the signature does not
      case "ed25519":
        // jwt_verify_lib checks the length before anything, whatever the token's alg.
        if (jwt.signature.length !== 64) return "jwt_ed25519_signature_wrong_length";
        return verify(null, data, key, jwt.signature);
      default:
        return false;
    }
  } catch {
    return false; // node refuses malformed signatures (a wrong EC length...) by throwing
  }
}

/**
 * The signature against `keys`: a key is tried when its kid (if both have one) and alg (if it has one)
 * match the token's. Undefined when one verifies; otherwise why not, as Envoy words it.
 */
export function verifySignature(jwt: ParsedJwt, keys: readonly VerificationKey[]): GatewayRefusalCode | undefined {
  let matched = false;
  for (const candidate of keys) {
    if (jwt.kid !== "" && candidate.kid !== "" && candidate.kid !== jwt.kid) continue;
    if (candidate.alg !== "" && candidate.alg !== jwt.alg) continue;
    matched = true;
    const verdict = verifyWith(jwt, candidate.key);
    if (verdict === true) return undefined;
    if (typeof verdict === "string") return verdict;
  }
  return matched ? "jwt_verification_fails" : "jwks_kid_alg_mismatch";
}
