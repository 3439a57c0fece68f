/**
 * The local development service account: an RSA key generated once, kept in the
 * emulator's state folder in Google's service-account key format, trusted by
 * default, and used to mint tokens the way the docs' google-jwt-generator.py does.
 */
import { createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** Google's service-account key file format (the fields the emulator uses). */
export interface ServiceAccountKey {
  type: "service_account";
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  token_uri: string;
}

/** File name of the dev key inside the state folder. */
const DEV_KEY_FILE = "dev-service-account.json";

/** Email of the generated dev service account. */
export const DEV_ACCOUNT_EMAIL = "tailer-emulator-dev@tailer-emulator.iam.gserviceaccount.com";

/** Longest lifetime of a minted token: one day, beyond which google-auth-library's verifiers refuse a token (the gateway sets no limit). */
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

let processKey: ServiceAccountKey | undefined;

/** A fresh service-account key (a new RSA key pair) for `clientEmail`, by default the dev account. */
export function generateServiceAccountKey(clientEmail = DEV_ACCOUNT_EMAIL): ServiceAccountKey {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    type: "service_account",
    // Google's service-account emails are <name>@<project>.iam.gserviceaccount.com.
    project_id: clientEmail.split("@")[1]?.split(".")[0] ?? "tailer-emulator",
    private_key_id: randomBytes(20).toString("hex"),
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: clientEmail,
    client_id: String(BigInt(`0x${randomBytes(8).toString("hex")}`)),
    token_uri: "https://oauth2.googleapis.com/token",
  };
}

/** Where the dev key of the state folder `stateDir` is kept. */
export function devKeyFile(stateDir: string): string {
  return path.join(stateDir, DEV_KEY_FILE);
}

/** The service-account key in `file` (throws when it cannot be read or parsed). */
export function readKeyFile(file: string): ServiceAccountKey {
  return JSON.parse(readFileSync(file, "utf8")) as ServiceAccountKey;
}

/** The dev key kept in `stateDir`, or undefined when there is none (it never makes one). */
export function readDevKey(stateDir: string): ServiceAccountKey | undefined {
  try {
    return readKeyFile(devKeyFile(stateDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * The dev key of `stateDir`, created on first use (atomically: two processes
 * starting together end up with the same key). Without a state folder, one
 * ephemeral key per process.
 */
export function loadOrCreateDevKey(stateDir?: string): ServiceAccountKey {
  if (stateDir === undefined) {
    processKey ??= generateServiceAccountKey();
    return processKey;
  }
  const file = devKeyFile(stateDir);
  const existing = readDevKey(stateDir);
  if (existing) return existing;
  mkdirSync(stateDir, { recursive: true });
  const key = generateServiceAccountKey();
  try {
    writeFileSync(file, `${JSON.stringify(key, null, 2)}\n`, { flag: "wx", mode: 0o600 });
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return JSON.parse(readFileSync(file, "utf8")) as ServiceAccountKey;
  }
}

/** What goes into a minted token. */
interface MintTokenOptions {
  /** The `aud` claim; must be one the emulator accepts (its URL or the production URL). */
  audience: string;
  /** The `accounts` claim; absent = the token may use every account. */
  accounts?: readonly string[];
  /** Lifetime in seconds (default 3600, at most 86400). */
  expiresInSeconds?: number;
  /** The `iat` claim in epoch seconds (default now): set it in the past to make expired tokens. */
  issuedAt?: number;
  /** More claims (tests use it for `nbf`). */
  extraClaims?: Record<string, unknown>;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** An RS256 JWT signed by `key`, shaped like a service account's self-signed token. */
export function mintServiceAccountToken(key: ServiceAccountKey, options: MintTokenOptions): string {
  const iat = Math.floor(options.issuedAt ?? Date.now() / 1000);
  const lifetime = Math.min(options.expiresInSeconds ?? 3600, MAX_TOKEN_LIFETIME_SECONDS);
  const header = { alg: "RS256", typ: "JWT", kid: key.private_key_id };
  const payload: Record<string, unknown> = {
    iss: key.client_email,
    sub: key.client_email,
    email: key.client_email,
    aud: options.audience,
    iat,
    exp: iat + lifetime,
    ...(options.accounts ? { accounts: [...options.accounts] } : {}),
    ...options.extraClaims,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createSign("RSA-SHA256").update(signingInput).sign(key.private_key);
  return `${signingInput}.${base64url(signature)}`;
}
