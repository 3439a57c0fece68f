/**
 * Authentication as the Google gateway in front of the real API does it: an RS256
 * JWT, verified (google-auth-library) against the public keys of trusted service
 * accounts, with `aud` equal to the API's URL, and time limits. Failures use the
 * gateway's own words and never echo the token or its claims.
 *
 * Token times are checked against the wall clock, not the emulated clock: tokens
 * are minted by real tools on real time.
 */
import { createPublicKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { OAuth2Client } from "google-auth-library";
import { PRODUCTION_API_URL } from "../provider/client/schemas";
import { MAX_TOKEN_LIFETIME_SECONDS, type ServiceAccountKey } from "./dev-account";
import { GatewayAuthError, isEmulatorError, OptionsError } from "./errors";

/** A public key tokens may be signed with. */
export interface TrustedKey {
  /** The `kid` it answers to; null = tried for any kid (a bare PEM file says none). */
  kid: string | null;
  /** SPKI PEM public key. */
  publicKeyPem: string;
  /** Where it came from (file name, "dev account"), for diagnostics. */
  source: string;
}

/** Who a valid token speaks for. */
export interface Principal {
  /** `email` or `sub` of the token. */
  subject: string | null;
  /** The accounts the token may use; null = every account (no `accounts` claim). */
  accounts: ReadonlySet<string> | null;
}

const spki = (key: Parameters<typeof createPublicKey>[0]): string =>
  createPublicKey(key).export({ type: "spki", format: "pem" }).toString();

function pemToSpki(pem: string): string {
  if (pem.includes("BEGIN CERTIFICATE")) return new X509Certificate(pem).publicKey.export({ type: "spki", format: "pem" }).toString();
  return spki(pem);
}

/** The public key of a service-account key file, under its private_key_id. */
export function trustedKeyFromServiceAccount(key: ServiceAccountKey, source: string): TrustedKey {
  return { kid: key.private_key_id, publicKeyPem: spki(key.private_key), source };
}

/**
 * Keys from a file: a service-account key JSON, Google's `{kid: pem certificate}`
 * JSON, a JWKS `{keys: [...]}`, or PEM (certificates or public keys, no kid).
 */
export function trustedKeysFromFile(file: string): TrustedKey[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new OptionsError(`cannot read trusted key file ${file}: ${(e as Error).message}`);
  }
  try {
    const trimmed = text.trim();
    if (trimmed.startsWith("{")) {
      const json = JSON.parse(trimmed) as Record<string, unknown>;
      if (typeof json.private_key === "string" && typeof json.private_key_id === "string") {
        return [trustedKeyFromServiceAccount(json as unknown as ServiceAccountKey, file)];
      }
      if (Array.isArray(json.keys)) {
        return (json.keys as Array<Record<string, unknown>>).map((jwk) => ({
          kid: typeof jwk.kid === "string" ? jwk.kid : null,
          publicKeyPem: spki({ key: jwk as import("node:crypto").JsonWebKey, format: "jwk" }),
          source: file,
        }));
      }
      const entries = Object.entries(json);
      if (entries.length > 0 && entries.every(([, v]) => typeof v === "string" && v.includes("-----BEGIN"))) {
        return entries.map(([kid, pem]) => ({ kid, publicKeyPem: pemToSpki(pem as string), source: file }));
      }
      throw new Error("JSON is neither a service-account key, a {kid: certificate} map, nor a JWKS");
    }
    const blocks: string[] = text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
    const keys = blocks.filter((b) => !b.includes("PRIVATE KEY")).map((b) => ({ kid: null, publicKeyPem: pemToSpki(b), source: file }));
    if (keys.length === 0) throw new Error("no certificate or public key found");
    return keys;
  } catch (e) {
    if (isEmulatorError(e) && e.code === "invalid_options") throw e;
    throw new OptionsError(`cannot use trusted key file ${file}: ${(e as Error).message}`);
  }
}

/** Normalizes a URL used as an audience: lower-case scheme and host, default port dropped, no trailing slash. */
export function normalizeAudience(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol === "http:" || u.protocol === "https:") {
      return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
    }
  } catch {
    // Not a URL: compared as given.
  }
  return value.trim().replace(/\/+$/, "");
}

const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

/**
 * The audiences the emulator accepts: its own URL (any loopback spelling of it, or
 * any host when it listens on every interface), the public URL, the production URL.
 */
export class AudienceSet {
  private readonly exact = new Set<string>();
  private wildcardOrigin: { protocol: string; port: string } | undefined;

  constructor(extra: readonly string[] = []) {
    this.add(PRODUCTION_API_URL);
    for (const a of extra) this.add(a);
  }

  /** Accepts `url` (normalized). */
  add(url: string): void {
    this.exact.add(normalizeAudience(url));
  }

  /** Accepts the emulator's own origin: loopback forms, the bound host, or any host when bound to a wildcard. */
  addOwnOrigin(protocol: "http" | "https", host: string, port: number): void {
    const wildcard = host === "0.0.0.0" || host === "::" || host === "[::]";
    const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    for (const h of [...LOOPBACK_HOSTS, bracketed]) this.add(`${protocol}://${h}:${port}`);
    if (wildcard) this.wildcardOrigin = { protocol: `${protocol}:`, port: String(port) };
  }

  /** True when a token's `aud` claim (string or array) names an accepted audience. */
  accepts(aud: unknown): boolean {
    const values = Array.isArray(aud) ? aud : [aud];
    for (const v of values) {
      if (typeof v !== "string") continue;
      const n = normalizeAudience(v);
      if (this.exact.has(n)) return true;
      if (this.wildcardOrigin) {
        try {
          const u = new URL(n);
          if (
            u.protocol === this.wildcardOrigin.protocol &&
            u.port === this.wildcardOrigin.port &&
            (u.pathname === "/" || u.pathname === "")
          ) {
            return true;
          }
        } catch {
          // not a URL
        }
      }
    }
    return false;
  }

  /** The exact audiences accepted (for diagnostics). */
  list(): string[] {
    return [...this.exact];
  }
}

interface VerifiedToken {
  payload: Record<string, unknown>;
  principal: Principal;
}

const CLOCK_SKEW_SECONDS = 300; // google-auth-library's own tolerance
const MAX_TOKEN_CHARS = 16_384;
const CACHE_LIMIT = 10_000;

function decodeSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(segment)) return undefined;
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

function principalOf(payload: Record<string, unknown>): Principal {
  const subject = typeof payload.email === "string" ? payload.email : typeof payload.sub === "string" ? payload.sub : null;
  const claim = payload.accounts;
  if (claim === undefined) return { subject, accounts: null };
  // A malformed claim restricts to nothing rather than to everything.
  const accounts = Array.isArray(claim) ? claim.filter((a): a is string => typeof a === "string") : [];
  return { subject, accounts: new Set(accounts) };
}

/** Verifies bearer tokens; remembers tokens already verified (by their full text) to keep requests cheap. */
export class Authenticator {
  private readonly client = new OAuth2Client();
  private readonly keysByKid = new Map<string, TrustedKey[]>();
  private readonly keysAnyKid: TrustedKey[] = [];
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(
    keys: readonly TrustedKey[],
    /** The audiences accepted. */
    readonly audiences: AudienceSet,
  ) {
    for (const key of keys) {
      if (key.kid === null) this.keysAnyKid.push(key);
      else this.keysByKid.set(key.kid, [...(this.keysByKid.get(key.kid) ?? []), key]);
    }
  }

  /** Number of trusted keys. */
  get keyCount(): number {
    let n = this.keysAnyKid.length;
    for (const list of this.keysByKid.values()) n += list.length;
    return n;
  }

  /** The principal of the request's `Authorization: Bearer` token, or a GatewayAuthError. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    const token = bearerToken(authorization);
    if (token === undefined) throw new GatewayAuthError("jwt_missing");
    const cached = this.verified.get(token);
    const entry = cached ?? (await this.verify(token));
    checkTimes(entry.payload);
    if (!this.audiences.accepts(entry.payload.aud)) throw new GatewayAuthError("jwt_audience");
    if (!cached) {
      if (this.verified.size >= CACHE_LIMIT) this.verified.clear();
      this.verified.set(token, entry);
    }
    return entry.principal;
  }

  private async verify(token: string): Promise<VerifiedToken> {
    if (token.length > MAX_TOKEN_CHARS) throw new GatewayAuthError("jwt_invalid");
    const segments = token.split(".");
    if (segments.length !== 3) throw new GatewayAuthError("jwt_invalid");
    const header = decodeSegment(segments[0] as string);
    const payload = decodeSegment(segments[1] as string);
    if (typeof header !== "object" || header === null || typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      throw new GatewayAuthError("jwt_invalid");
    }
    const { alg, kid } = header as { alg?: unknown; kid?: unknown };
    // Only RS256: refuses "none" and HS256-signed-with-the-public-key confusion outright.
    if (alg !== "RS256" || (kid !== undefined && typeof kid !== "string")) throw new GatewayAuthError("jwt_invalid");
    const candidates = [...(typeof kid === "string" ? (this.keysByKid.get(kid) ?? []) : []), ...this.keysAnyKid];
    let timeError: GatewayAuthError | undefined;
    for (const key of candidates) {
      try {
        // The library looks the cert up by the token's kid; an absent kid reads as "undefined".
        const certs = { [String(kid)]: key.publicKeyPem };
        const ticket = await this.client.verifySignedJwtWithCertsAsync(token, certs, undefined, undefined, MAX_TOKEN_LIFETIME_SECONDS);
        const verifiedPayload = (ticket.getPayload() ?? payload) as Record<string, unknown>;
        return { payload: verifiedPayload, principal: principalOf(verifiedPayload) };
      } catch (e) {
        // The library's messages quote the token: classify them, never pass them on.
        const message = e instanceof Error ? e.message : "";
        if (message.startsWith("Token used too late")) timeError = new GatewayAuthError("jwt_expired");
        else if (message.startsWith("Token used too early")) timeError = new GatewayAuthError("jwt_not_yet_valid");
        if (timeError) throw timeError;
      }
    }
    throw new GatewayAuthError("jwt_invalid");
  }
}

function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const m = /^\s*Bearer\s+([^\s]+)\s*$/i.exec(authorization);
  return m?.[1];
}

/** exp, nbf and iat against the wall clock, with the library's skew. */
function checkTimes(payload: Record<string, unknown>): void {
  const now = Date.now() / 1000;
  const exp = Number(payload.exp);
  const iat = Number(payload.iat);
  if (!Number.isFinite(exp) || !Number.isFinite(iat)) throw new GatewayAuthError("jwt_invalid");
  if (now > exp + CLOCK_SKEW_SECONDS) throw new GatewayAuthError("jwt_expired");
  if (now < iat - CLOCK_SKEW_SECONDS) throw new GatewayAuthError("jwt_not_yet_valid");
  if (payload.nbf !== undefined) {
    const nbf = Number(payload.nbf);
    if (!Number.isFinite(nbf)) throw new GatewayAuthError("jwt_invalid");
    if (now < nbf - CLOCK_SKEW_SECONDS) throw new GatewayAuthError("jwt_not_yet_valid");
  }
}
