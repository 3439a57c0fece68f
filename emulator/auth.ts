/**
 * Authentication as the gateway in front of the real API does it: Google's ESPv2, whose checks are
 * Envoy's `jwt_authn` filter. Tokens are read from where ESPv2 reads them, checked in Envoy's order
 * (form, issuer, times with a 60 s skew, audience, key, signature: emulator/jwt.ts), and refused with
 * Envoy's status, words and `WWW-Authenticate` challenge (provider/client/gateway.ts). Each trusted
 * key stands for one issuer, as an ESPv2 provider per service account does. Refusals never echo the
 * token or its claims; the emulator's own log says which key to trust when one is missing.
 *
 * Token times are checked against the wall clock, not the emulated clock: tokens are minted by real
 * tools on real time.
 */
import { createPublicKey, type JsonWebKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { GATEWAY_REFUSALS, GATEWAY_TOKEN_LOCATIONS, type GatewayRefusalCode } from "../provider/client/gateway";
import { PRODUCTION_API_URL } from "../provider/client/schemas";
import { DEV_ACCOUNT_EMAIL, type ServiceAccountKey } from "./dev-account";
import { GatewayAuthError, isEmulatorError, OptionsError } from "./errors";
import { checkTimes, type ParsedJwt, parseJwt, type VerificationKey, verifySignature } from "./jwt";
import { type Logger, silentLogger } from "./logger";

/** A public key tokens may be signed with. */
export interface TrustedKey {
  /** The `kid` it answers to; null = tried for any kid (a bare PEM file says none). */
  kid: string | null;
  /** SPKI PEM public key. */
  publicKeyPem: string;
  /** Where it came from (file name, "dev account"), for diagnostics. */
  source: string;
  /** The `iss` its tokens must carry (a service account's email); null or absent = any issuer. */
  issuer?: string | null;
  /** The only `alg` it verifies (Google publishes service-account keys as RS256); null or absent = any its type can. */
  alg?: string | null;
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

/** The public key of a service-account key file, under its private_key_id, for tokens its account issues. */
export function trustedKeyFromServiceAccount(key: ServiceAccountKey, source: string): TrustedKey {
  return { kid: key.private_key_id, publicKeyPem: spki(key.private_key), source, issuer: key.client_email, alg: "RS256" };
}

function keysFromJson(json: Record<string, unknown>, file: string): TrustedKey[] {
  if (typeof json.private_key === "string" && typeof json.private_key_id === "string" && typeof json.client_email === "string") {
    return [trustedKeyFromServiceAccount(json as unknown as ServiceAccountKey, file)];
  }
  if (Array.isArray(json.keys)) {
    return (json.keys as Array<Record<string, unknown>>).map((jwk) => ({
      kid: typeof jwk.kid === "string" ? jwk.kid : null,
      publicKeyPem: spki({ key: jwk as JsonWebKey, format: "jwk" }),
      source: file,
      alg: typeof jwk.alg === "string" ? jwk.alg : null,
    }));
  }
  const entries = Object.entries(json);
  if (entries.length > 0 && entries.every(([, v]) => typeof v === "string" && v.includes("-----BEGIN"))) {
    return entries.map(([kid, pem]) => ({ kid, publicKeyPem: pemToSpki(pem as string), source: file }));
  }
  throw new Error("JSON is neither a service-account key, a {kid: certificate} map, nor a JWKS");
}

/**
 * Keys from a file: a service-account key JSON (bound to its account's email), Google's
 * `{kid: pem certificate}` JSON, a JWKS `{keys: [...]}`, or PEM (certificates or public keys, no kid).
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
    if (trimmed.startsWith("{")) return keysFromJson(JSON.parse(trimmed) as Record<string, unknown>, file);
    const blocks: string[] = text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
    const keys = blocks.filter((b) => !b.includes("PRIVATE KEY")).map((b) => ({ kid: null, publicKeyPem: pemToSpki(b), source: file }));
    if (keys.length === 0) throw new Error("no certificate or public key found");
    return keys;
  } catch (e) {
    if (isEmulatorError(e) && e.code === "invalid_options") throw e;
    throw new OptionsError(`cannot use trusted key file ${file}: ${(e as Error).message}`);
  }
}

/** An audience as Envoy compares it: without its `http://` or `https://` prefix and one trailing slash. */
export function sanitizeAudience(value: string): string {
  const bare = value.startsWith("http://") ? value.slice(7) : value.startsWith("https://") ? value.slice(8) : value;
  return bare.endsWith("/") ? bare.slice(0, -1) : bare;
}

const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];
const HOST_AND_PORT = /^(?:\[[^\]/]*\]|[^/:[\]]+):(\d+)$/;

/**
 * The audiences the emulator accepts: its own URL (any loopback spelling of it, or any host when it
 * listens on every interface), the public URL, the production URL. Compared as Envoy compares them.
 */
export class AudienceSet {
  private readonly sanitized = new Set<string>();
  private readonly shown: string[] = [];
  private wildcardPort: string | undefined;

  constructor(extra: readonly string[] = []) {
    this.add(PRODUCTION_API_URL);
    for (const a of extra) this.add(a);
  }

  /** Accepts `url`. */
  add(url: string): void {
    const key = sanitizeAudience(url);
    if (this.sanitized.has(key)) return;
    this.sanitized.add(key);
    this.shown.push(url);
  }

  /** Accepts the emulator's own origin: loopback forms, the bound host, or any host when bound to a wildcard. */
  addOwnOrigin(protocol: "http" | "https", host: string, port: number): void {
    const wildcard = host === "0.0.0.0" || host === "::" || host === "[::]";
    const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    for (const h of [...LOOPBACK_HOSTS, bracketed]) this.add(`${protocol}://${h}:${port}`);
    if (wildcard) this.wildcardPort = String(port);
  }

  /** True when one of a token's audiences is accepted. */
  accepts(audiences: readonly string[]): boolean {
    return audiences.some((aud) => {
      const key = sanitizeAudience(aud);
      return this.sanitized.has(key) || (this.wildcardPort !== undefined && HOST_AND_PORT.exec(key)?.[1] === this.wildcardPort);
    });
  }

  /** The audiences accepted, as given (for diagnostics). */
  list(): string[] {
    return [...this.shown];
  }
}

/** What the gateway reads from a request (node's HTTP/1.1 and HTTP/2 requests both fit). */
export interface GatewayRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly url?: string;
  readonly socket?: unknown;
}

const TOKEN_CHARACTER = /[A-Za-z0-9_.-]/;
const single = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** After Envoy's `Bearer ` (found anywhere, case-sensitively): from the first token character on, or the whole value if none. */
function afterBearer(value: string): string | undefined {
  const { prefix } = GATEWAY_TOKEN_LOCATIONS.authorization;
  const at = value.indexOf(prefix);
  if (at === -1) return undefined;
  const rest = value.slice(at + prefix.length);
  const start = rest.search(TOKEN_CHARACTER);
  return start === -1 ? value : rest.slice(start);
}

/** Every token of the request, in Envoy's verification order: the query parameter, the IAP header, then Authorization. */
export function requestTokens(request: GatewayRequest): string[] {
  const tokens: string[] = [];
  const url = request.url ?? "";
  const q = url.indexOf("?");
  const fromQuery = q === -1 ? null : new URLSearchParams(url.slice(q + 1)).get(GATEWAY_TOKEN_LOCATIONS.queryParameter);
  if (fromQuery !== null) tokens.push(fromQuery);
  const fromIap = single(request.headers[GATEWAY_TOKEN_LOCATIONS.iapAssertion.header]);
  if (fromIap !== undefined) tokens.push(fromIap);
  const authorization = single(request.headers[GATEWAY_TOKEN_LOCATIONS.authorization.header]);
  const fromAuthorization = authorization === undefined ? undefined : afterBearer(authorization);
  if (fromAuthorization !== undefined) tokens.push(fromAuthorization);
  return tokens;
}

/** Printable ASCII only, quotes and backslashes escaped as in a URL: the value is quoted into a header. */
const headerSafe = (s: string): string =>
  s.replace(/[^\x21-\x7e]|["\\]/g, (c) => {
    const code = c.charCodeAt(0);
    return `%${(code > 0xff ? 0x3f : code).toString(16).padStart(2, "0").toUpperCase()}`;
  });

/**
 * Envoy's challenge: `Bearer realm="<scheme>://<host><path>"` (the path cut at 256 characters), with
 * `, error="invalid_token"` when a token was sent. Envoy quotes the query too; the emulator leaves it
 * out, since it may hold the token (`?access_token=`).
 */
export function wwwAuthenticate(request: GatewayRequest, tokenSent: boolean): string {
  const pseudoScheme = single(request.headers[":scheme"]);
  const encrypted = (request.socket as { encrypted?: unknown } | undefined)?.encrypted === true;
  const scheme = pseudoScheme ?? (encrypted ? "https" : "http");
  const host = single(request.headers[":authority"]) ?? single(request.headers.host) ?? "";
  const path = (request.url ?? "").split("?")[0]?.slice(0, 256) ?? "";
  const realm = `Bearer realm="${headerSafe(`${scheme}://${host}${path}`)}"`;
  return tokenSent ? `${realm}, error="invalid_token"` : realm;
}

function principalOf(payload: Record<string, unknown>): Principal {
  const subject = typeof payload.email === "string" ? payload.email : typeof payload.sub === "string" ? payload.sub : null;
  const claim = payload.accounts;
  if (claim === undefined) return { subject, accounts: null };
  // A malformed claim restricts to nothing rather than to everything.
  const accounts = Array.isArray(claim) ? claim.filter((a): a is string => typeof a === "string") : [];
  return { subject, accounts: new Set(accounts) };
}

const intersection = (a: ReadonlySet<string> | null, b: ReadonlySet<string> | null): ReadonlySet<string> | null =>
  a === null ? b : b === null ? a : new Set([...a].filter((x) => b.has(x)));

/** Several tokens (all verified): the last one speaks, and may use only the accounts every token allows. */
function combinedPrincipal(jwts: readonly ParsedJwt[]): Principal {
  const principals = jwts.map((jwt) => principalOf(jwt.payload));
  return {
    subject: principals.at(-1)?.subject ?? null,
    accounts: principals.reduce<ReadonlySet<string> | null>((acc, p) => intersection(acc, p.accounts), null),
  };
}

/** An ESPv2 provider: the keys of one issuer (null: keys that accept any issuer). */
interface Provider {
  issuer: string | null;
  keys: VerificationKey[];
}

/** One provider's verdict on a request: undefined when every token passes, else the first refusal (and its token). */
interface Verdict {
  code: GatewayRefusalCode | undefined;
  jwt?: ParsedJwt;
}

const CACHE_LIMIT = 10_000;
const WARNED_LIMIT = 1_000;
const clip = (s: string) => (s.length > 100 ? `${s.slice(0, 100)}…` : s);

/** Verifies requests' tokens; remembers parsed tokens and signature verdicts (by the token's full text) to keep requests cheap. */
export class Authenticator {
  private readonly providers: Provider[];
  private readonly parsed = new Map<string, { jwt: ParsedJwt; signatures: Map<Provider, GatewayRefusalCode | undefined> }>();
  private readonly warned = new Set<string>();

  constructor(
    keys: readonly TrustedKey[],
    /** The audiences accepted. */
    readonly audiences: AudienceSet,
    private readonly logger: Logger = silentLogger,
  ) {
    const byIssuer = new Map<string | null, Provider>();
    for (const k of keys) {
      const issuer = k.issuer ?? null;
      const provider = byIssuer.get(issuer) ?? { issuer, keys: [] };
      provider.keys.push({ kid: k.kid ?? "", alg: k.alg ?? "", key: createPublicKey(k.publicKeyPem) });
      byIssuer.set(issuer, provider);
    }
    // Issuer-bound providers first, the any-issuer one last.
    this.providers = [...byIssuer.values()].sort((a, b) => Number(a.issuer === null) - Number(b.issuer === null));
  }

  /** Number of trusted keys. */
  get keyCount(): number {
    return this.providers.reduce((n, p) => n + p.keys.length, 0);
  }

  /** The principal of the request's tokens, or a GatewayAuthError carrying the gateway's answer. */
  async authenticate(request: GatewayRequest): Promise<Principal> {
    const tokens = requestTokens(request);
    const jwts: ParsedJwt[] = [];
    let verdict: Verdict = { code: tokens.length === 0 ? "jwt_missing" : undefined };
    for (const token of tokens) {
      const jwt = this.parse(token);
      if (typeof jwt === "string")
        verdict = { code: jwt }; // the same for every provider
      else jwts.push(jwt);
      if (verdict.code !== undefined) break;
    }
    if (verdict.code === undefined) verdict = this.verdict(tokens, jwts);
    if (verdict.code === undefined) return combinedPrincipal(jwts);
    if (verdict.code === "jwt_unknown_issuer" || verdict.code === "jwks_kid_alg_mismatch") this.warnUntrusted(verdict);
    throw new GatewayAuthError(verdict.code, { "www-authenticate": wwwAuthenticate(request, verdict.code !== "jwt_missing") });
  }

  /**
   * Envoy's requires-any over the providers: one provider must pass every token. When none does, the
   * answer is the last refusal that is not "issuer not configured", else that one.
   */
  private verdict(tokens: readonly string[], jwts: readonly ParsedJwt[]): Verdict {
    let answer: Verdict = { code: "jwt_unknown_issuer", jwt: jwts[0] }; // no provider at all: nobody is trusted
    for (const [i, provider] of this.providers.entries()) {
      const verdict = this.verdictOf(provider, tokens, jwts);
      if (verdict.code === undefined) return verdict;
      if (i === 0 || verdict.code !== "jwt_unknown_issuer") answer = verdict;
    }
    return answer;
  }

  private verdictOf(provider: Provider, tokens: readonly string[], jwts: readonly ParsedJwt[]): Verdict {
    const now = Math.floor(Date.now() / 1000);
    for (const [i, jwt] of jwts.entries()) {
      if (provider.issuer !== null && provider.issuer !== jwt.iss) return { code: "jwt_unknown_issuer", jwt };
      const code =
        checkTimes(jwt, now) ??
        (this.audiences.accepts(jwt.audiences) ? this.signature(provider, tokens[i] as string, jwt) : "jwt_audience");
      if (code !== undefined) return { code, jwt };
    }
    return { code: undefined };
  }

  private parse(token: string): ParsedJwt | GatewayRefusalCode {
    const cached = this.parsed.get(token);
    if (cached) return cached.jwt;
    const jwt = parseJwt(token);
    if (typeof jwt === "string") return jwt;
    if (this.parsed.size >= CACHE_LIMIT) this.parsed.clear();
    this.parsed.set(token, { jwt, signatures: new Map() });
    return jwt;
  }

  private signature(provider: Provider, token: string, jwt: ParsedJwt): GatewayRefusalCode | undefined {
    const signatures = this.parsed.get(token)?.signatures;
    if (signatures?.has(provider)) return signatures.get(provider);
    const code = verifySignature(jwt, provider.keys);
    signatures?.set(provider, code);
    return code;
  }

  /** Tells the operator (once per issuer and kid) which key is missing and how to trust it; the token itself is never logged. */
  private warnUntrusted({ code, jwt }: Verdict): void {
    if (!jwt || !code) return;
    const kid = clip(jwt.kid);
    const issuer = clip(jwt.iss);
    const key = JSON.stringify([issuer, kid]);
    if (this.warned.has(key) || this.warned.size >= WARNED_LIMIT) return;
    this.warned.add(key);
    // A dev-account token of another key: minted with another emulator's state folder (the usual cause).
    const otherDevKey =
      issuer === DEV_ACCOUNT_EMAIL
        ? "It is a dev-account token signed with another emulator's key (another state folder): mint it with `tailer-emulator token --url <this emulator's URL>`, or in the folder this emulator runs in. "
        : "";
    this.logger.warn(
      `API token refused (${GATEWAY_REFUSALS[code].message}): no trusted key has kid ${JSON.stringify(kid)} for issuer ${JSON.stringify(issuer)}. ${otherDevKey}` +
        "To trust it, start the emulator with --trust <file> (the service account's key JSON, a JWKS, a {kid: certificate} JSON or a PEM), " +
        "or pass createEmulator({ trustedKeyFiles }) or ({ trustedKeys }).",
      { kid, issuer, trusted_issuers: this.providers.map((p) => p.issuer ?? "(any)") },
    );
  }
}
