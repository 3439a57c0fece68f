/**
 * Token sources: where the bearer token of each call comes from. Each source mints through the
 * per-process cache, so a process makes one token per hour, not one per call.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type * as GoogleAuthLibrary from "google-auth-library";
import { z } from "zod";
import { ErrorCodes, TailerError } from "../core/errors";
import { redact, registerSecret } from "../core/redact";
import { cachedToken, clearTokenCache } from "./cache";
import { isJwtShaped, tokenExpiryMs } from "./jwt";

/** Which kind of source produced the token. */
export type TokenSourceKind = "token" | "service-account" | "id-token" | "command";

/** Something that yields a bearer token for the Tailer API. */
export interface TokenSource {
  /** The kind of source. */
  readonly kind: TokenSourceKind;
  /** A secret-free description for messages ("service account x@y, key 1a2b…"). */
  readonly description: string;
  /** A current token, from the cache when one is fresh. */
  getToken(): Promise<string>;
  /** Drops the cached token, so the next call mints a new one (after the API refused it). */
  invalidate(): void;
}

/** google-auth-library, loaded when a token is first minted: a provider given a token never pays its 12 MB. */
function googleAuthLibrary(): typeof GoogleAuthLibrary {
  return require("google-auth-library") as typeof GoogleAuthLibrary;
}

/**
 * google-auth-library's JWTAccess alone (6 MB rather than the whole library's 12 MB): the self-signed
 * token is all a service-account key needs. The deep path is the library's own layout (no exports map):
 * should it move, the package root is used instead.
 */
function jwtAccess(): typeof GoogleAuthLibrary.JWTAccess {
  try {
    return (require("google-auth-library/build/src/auth/jwtaccess") as typeof GoogleAuthLibrary).JWTAccess;
  } catch {
    return googleAuthLibrary().JWTAccess;
  }
}

function credentialsError(message: string, hint: string, cause?: unknown): TailerError {
  return new TailerError(ErrorCodes.CREDENTIALS, message, { hint, cause });
}

const SKEW_MS = 30_000;

/** A fixed token (tailer:token, TAILER_API_JWT). It cannot be refreshed, so an expired one fails early and clearly. */
export class StaticTokenSource implements TokenSource {
  readonly kind = "token" as const;
  readonly #token: string;

  constructor(
    token: string,
    readonly description: string,
  ) {
    this.#token = token.trim();
    registerSecret(this.#token);
  }

  async getToken(): Promise<string> {
    const expiresAtMs = tokenExpiryMs(this.#token);
    if (expiresAtMs !== undefined && expiresAtMs + SKEW_MS < Date.now()) {
      throw credentialsError(
        `the token from ${this.description} expired at ${new Date(expiresAtMs).toISOString()}.`,
        "Get a new one (tailer auth get-token), or configure a service-account key or a token command so tokens are refreshed automatically.",
      );
    }
    return this.#token;
  }

  invalidate(): void {}
}

/** The fields of a Google service-account key file this package uses. */
export const ServiceAccountKey = z.object({
  type: z.literal("service_account", { error: () => 'type must be "service_account"' }).optional(),
  client_email: z.string({ error: () => "client_email is missing" }).email("client_email must be an email"),
  private_key: z.string({ error: () => "private_key is missing" }).includes("PRIVATE KEY", {
    message: "private_key must be a PEM private key",
  }),
  private_key_id: z.string().optional(),
});
/** A parsed service-account key. */
export type ServiceAccountKey = z.infer<typeof ServiceAccountKey>;

/** Parses a service-account key (JSON text or object), naming the bad field and never quoting the key. */
export function parseServiceAccountKey(input: unknown, origin: string): ServiceAccountKey {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch {
      throw credentialsError(
        `${origin} is not valid JSON.`,
        "Give the content of a Google service-account key file (the JSON downloaded from IAM), or its path through tailer:credentialsFile.",
      );
    }
  }
  const parsed = ServiceAccountKey.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw credentialsError(
      `${origin} is not a service-account key (${fields}).`,
      "Download a JSON key for the service account in Google Cloud IAM.",
    );
  }
  registerSecret(parsed.data.private_key);
  return parsed.data;
}

/** Reads and parses a service-account key file. */
export async function readServiceAccountKeyFile(path: string, origin: string): Promise<ServiceAccountKey> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code ?? "unreadable";
    throw credentialsError(`cannot read the service-account key file ${path} (${origin}): ${code}.`, "Check the path and its permissions.");
  }
  return parseServiceAccountKey(text, `the key file ${path} (${origin})`);
}

function keyDescription(key: ServiceAccountKey): string {
  return `service account ${key.client_email}${key.private_key_id ? `, key ${key.private_key_id.slice(0, 8)}…` : ""}`;
}

/**
 * A self-signed service-account JWT, as the docs' google-jwt-generator.py makes it: RS256 with the
 * key, `kid` = private_key_id, iss = sub = email = client_email, aud = the API base URL, one hour.
 */
export class ServiceAccountTokenSource implements TokenSource {
  readonly kind = "service-account" as const;
  readonly description: string;
  readonly #key: () => Promise<ServiceAccountKey>;
  readonly #audience: string;
  #cacheKey?: string;

  constructor(key: () => Promise<ServiceAccountKey>, audience: string, description: string) {
    this.#key = key;
    this.#audience = audience;
    this.description = description;
  }

  async getToken(): Promise<string> {
    const key = await this.#key();
    this.#cacheKey = `sa|${key.client_email}|${key.private_key_id ?? fingerprint(key.private_key)}|${this.#audience}`;
    return cachedToken(this.#cacheKey, async () => {
      // eagerRefreshThreshold 0: our cache decides when to refresh, JWTAccess only signs.
      const access = new (jwtAccess())(key.client_email, key.private_key, key.private_key_id, 0);
      let header: string | null;
      try {
        header = access.getRequestHeaders(this.#audience, { email: key.client_email }).get("authorization");
      } catch (error) {
        throw credentialsError(`signing a token with ${keyDescription(key)} failed.`, "Check that the key file is intact.", error);
      }
      const token = header?.replace(/^Bearer /, "") ?? "";
      return { token, expiresAtMs: tokenExpiryMs(token) };
    });
  }

  invalidate(): void {
    if (this.#cacheKey) clearTokenCache(this.#cacheKey);
  }
}

/** A Google-signed ID token for the API URL: from a service-account key, or from the environment's credentials (ADC). */
export class IdTokenSource implements TokenSource {
  readonly kind = "id-token" as const;
  readonly description: string;
  readonly #key?: () => Promise<ServiceAccountKey>;
  readonly #audience: string;
  #cacheKey?: string;

  constructor(audience: string, key?: () => Promise<ServiceAccountKey>) {
    this.#audience = audience;
    this.#key = key;
    this.description = key ? "Google ID token for a service account" : "Google ID token from application default credentials";
    if (!key) this.#cacheKey = `id|adc|${audience}`;
  }

  async getToken(): Promise<string> {
    const key = this.#key ? await this.#key() : undefined;
    this.#cacheKey = `id|${key?.client_email ?? "adc"}|${this.#audience}`;
    return cachedToken(this.#cacheKey, async () => {
      try {
        const { GoogleAuth, JWT } = googleAuthLibrary();
        const token = key
          ? await new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id }).fetchIdToken(this.#audience)
          : await (await new GoogleAuth().getIdTokenClient(this.#audience)).idTokenProvider.fetchIdToken(this.#audience);
        return { token, expiresAtMs: tokenExpiryMs(token) };
      } catch (error) {
        throw credentialsError(
          "fetching a Google ID token failed.",
          "ID tokens need Google's token endpoint or a metadata server; without network access use a self-signed service-account token (turn tailer:useIdToken off).",
          error,
        );
      }
    });
  }

  invalidate(): void {
    if (this.#cacheKey) clearTokenCache(this.#cacheKey);
  }
}

/** How long to trust a token command's answer when the token does not carry an expiry. */
const OPAQUE_TOKEN_TTL_MS = 50 * 60_000;

/** Extracts the token from a command's output: the `User token : <jwt>` line of `tailer auth get-token`, or a lone token. */
export function parseTokenCommandOutput(stdout: string): string | undefined {
  const labelled = /User token\s*:\s*(\S+)/.exec(stdout);
  if (labelled?.[1]) return labelled[1];
  const words = stdout.trim().split(/\s+/).filter(Boolean);
  if (words.length === 1 && words[0] && (isJwtShaped(words[0]) || words[0].length >= 20)) return words[0];
  const jwts = words.filter(isJwtShaped);
  return jwts.length === 1 ? jwts[0] : undefined;
}

/** A token printed by a command (for example `tailer auth get-token`), run with /bin/sh, refreshed before expiry. */
export class CommandTokenSource implements TokenSource {
  readonly kind = "command" as const;
  readonly description: string;
  readonly #command: string;
  readonly #timeoutMs: number;

  constructor(command: string, origin: string, timeoutMs = 60_000) {
    this.#command = command;
    this.#timeoutMs = timeoutMs;
    this.description = `the token command (${origin})`;
  }

  async getToken(): Promise<string> {
    return cachedToken(this.#cacheKey(), async () => {
      const stdout = await this.#run();
      const token = parseTokenCommandOutput(stdout);
      if (!token)
        throw credentialsError(
          `${this.description} printed no token.`,
          'The command must print a line "User token : <jwt>" (as tailer auth get-token does) or only the token.',
        );
      return { token, expiresAtMs: tokenExpiryMs(token) ?? Date.now() + OPAQUE_TOKEN_TTL_MS };
    });
  }

  invalidate(): void {
    clearTokenCache(this.#cacheKey());
  }

  #cacheKey(): string {
    return `cmd|${this.#command}`;
  }

  #run(): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        "/bin/sh",
        ["-c", this.#command],
        { timeout: this.#timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true },
        (error, stdout, stderr) => {
          if (error) {
            const exit = error.killed ? `was stopped after ${this.#timeoutMs} ms` : `exited with ${String(error.code)}`;
            const tail = redact(String(stderr).trim().split("\n").slice(-3).join(" | "));
            reject(
              credentialsError(
                `${this.description} ${exit}${tail ? `: ${tail}` : ""}.`,
                "Run the command by hand to see why (for tailer auth get-token: run tailer auth login first).",
              ),
            );
          } else resolve(String(stdout));
        },
      );
    });
  }
}

function fingerprint(secret: string): string {
  return createHash("sha256").update(secret).digest("hex").slice(0, 16);
}
