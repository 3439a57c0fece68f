/** Reading (never verifying) the claims of a JWT, to know when a token expires and refresh it before then. */

/** The claims this package looks at. */
export interface JwtClaims {
  /** Expiry, seconds since the epoch. */
  exp?: number;
  /** Issued at, seconds since the epoch. */
  iat?: number;
  /** Audience. */
  aud?: string | string[];
  /** Accounts the token may touch (Tailer user tokens). */
  accounts?: string[];
}

/** True when `value` has the three-part shape of a JWT. */
export function isJwtShaped(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value);
}

/** The payload of a JWT, or undefined when it is not one. The signature is not checked: the server does that. */
export function decodeJwtClaims(token: string): JwtClaims | undefined {
  if (!isJwtShaped(token)) return undefined;
  const payload = token.split(".")[1] ?? "";
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return claims && typeof claims === "object" ? (claims as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}

/** When the token expires, in epoch milliseconds, if it says. */
export function tokenExpiryMs(token: string): number | undefined {
  const exp = decodeJwtClaims(token)?.exp;
  return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
}
