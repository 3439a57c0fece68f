/**
 * Provider settings: Pulumi config (`tailer:*`, given to the dynamic provider's `configure`), with the
 * client's environment variables as fallback. Credentials live only here, in the provider process:
 * never in resource inputs, outputs or state.
 */
import { createHash } from "node:crypto";
import { AUTH_ENV, type AuthOptions } from "../auth";
import { API_URL_ENV, type TailerClientOptions } from "../client";
import type { RetryPolicy } from "../client/retry";
import { ErrorCodes, TailerError } from "../core/errors";
import { registerSecret } from "../core/redact";
import { defaultJournalDir, JOURNAL_DIR_ENV } from "./journal";

/** The Pulumi config keys the provider reads (namespace `tailer`). */
export const CONFIG_KEYS = {
  apiUrl: "tailer:apiUrl",
  token: "tailer:token",
  credentials: "tailer:credentials",
  credentialsFile: "tailer:credentialsFile",
  tokenCommand: "tailer:tokenCommand",
  useIdToken: "tailer:useIdToken",
  requestTimeoutMs: "tailer:requestTimeoutMs",
  retryMaxAttempts: "tailer:retryMaxAttempts",
  retryMaxElapsedMs: "tailer:retryMaxElapsedMs",
  suffixCheck: "tailer:suffixCheck",
  journalDir: "tailer:journalDir",
  launchReconcileWindowMs: "tailer:launchReconcileWindowMs",
  interruptedLaunchCheck: "tailer:interruptedLaunchCheck",
  unverifiedStatusMaxSeconds: "tailer:unverifiedStatusMaxSeconds",
  unverifiedStatusAction: "tailer:unverifiedStatusAction",
} as const;

/** The environment variables of the unverified-status gate, for a CI step that sets it without changing the stack's config. */
export const UNVERIFIED_STATUS_ENV = {
  [CONFIG_KEYS.unverifiedStatusMaxSeconds]: "TAILER_UNVERIFIED_STATUS_MAX_SECONDS",
  [CONFIG_KEYS.unverifiedStatusAction]: "TAILER_UNVERIFIED_STATUS_ACTION",
} as const;

/** What a refresh does about a configuration status without evidence for longer than `maxSeconds`. */
export interface UnverifiedStatusGate {
  /** How long a status may go without evidence (a run, or the provider's own call). */
  maxSeconds: number;
  /** "warn" prints a warning; "fail" fails the refresh (so `pulumi preview --refresh` exits non-zero). */
  action: "warn" | "fail";
}

/** Reads config values by full key (`tailer:apiUrl`). */
export interface ConfigReader {
  get(key: string): string | undefined;
}

/** The provider's settings, parsed. */
export interface ProviderSettings {
  /** Options for TailerClient (credentials included). */
  client: TailerClientOptions;
  /** The launch journal's folder. */
  journalDir: string;
  /** Whether a create reads the stack's state for launches a killed pulumi up left unfinished. */
  interruptedLaunchCheck: "auto" | "off";
  /** The unverified-status gate, when `tailer:unverifiedStatusMaxSeconds` (or its variable) sets one. */
  unverifiedStatus?: UnverifiedStatusGate;
  /** A digest of everything that makes two clients different, secrets hashed: the per-process client cache key. */
  key: string;
}

function numberSetting(config: ConfigReader, key: string, { min }: { min: number }): number | undefined {
  const raw = config.get(key);
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new TailerError(ErrorCodes.INVALID_REQUEST, `config ${key} must be a number >= ${min} (got "${raw}").`, {
      hint: `pulumi config set ${key} <number>`,
    });
  return value;
}

function oneOfSetting<T extends string>(config: ConfigReader, key: string, allowed: readonly T[]): T | undefined {
  const raw = config.get(key);
  if (raw === undefined || raw === "") return undefined;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new TailerError(ErrorCodes.INVALID_REQUEST, `config ${key} must be ${allowed.map((a) => `"${a}"`).join(" or ")} (got "${raw}").`, {
    hint: `pulumi config set ${key} ${allowed[0]}`,
  });
}

function booleanSetting(config: ConfigReader, key: string): boolean | undefined {
  const raw = config.get(key);
  if (raw === undefined || raw === "") return undefined;
  if (raw === "true" || raw === "false") return raw === "true";
  throw new TailerError(ErrorCodes.INVALID_REQUEST, `config ${key} must be true or false (got "${raw}").`, {
    hint: `pulumi config set ${key} true`,
  });
}

/** The unverified-status gate: config first, then its environment variables; off without a limit. */
function unverifiedStatusGate(config: ConfigReader, env: NodeJS.ProcessEnv): UnverifiedStatusGate | undefined {
  const withEnv: ConfigReader = {
    get: (key) => config.get(key) ?? env[UNVERIFIED_STATUS_ENV[key as keyof typeof UNVERIFIED_STATUS_ENV]],
  };
  const maxSeconds = numberSetting(withEnv, CONFIG_KEYS.unverifiedStatusMaxSeconds, { min: 0 });
  const action = oneOfSetting(withEnv, CONFIG_KEYS.unverifiedStatusAction, ["warn", "fail"]);
  if (maxSeconds === undefined && action !== undefined)
    throw new TailerError(ErrorCodes.INVALID_REQUEST, `config ${CONFIG_KEYS.unverifiedStatusAction} needs a limit.`, {
      hint: `pulumi config set ${CONFIG_KEYS.unverifiedStatusMaxSeconds} 604800 (a week), or set ${UNVERIFIED_STATUS_ENV[CONFIG_KEYS.unverifiedStatusMaxSeconds]}`,
    });
  return maxSeconds === undefined ? undefined : { maxSeconds, action: action ?? "warn" };
}

/** Parses the `tailer:*` config (environment variables fill what is unset, in TailerClient and the auth layer). */
export function readSettings(config: ConfigReader, env: NodeJS.ProcessEnv = process.env): ProviderSettings {
  const auth: AuthOptions = { env };
  const token = config.get(CONFIG_KEYS.token);
  const credentials = config.get(CONFIG_KEYS.credentials);
  const credentialsFile = config.get(CONFIG_KEYS.credentialsFile);
  const tokenCommand = config.get(CONFIG_KEYS.tokenCommand);
  const useIdToken = booleanSetting(config, CONFIG_KEYS.useIdToken);
  registerSecret(token);
  registerSecret(credentials);
  if (token) auth.token = token;
  if (credentials) auth.credentials = credentials;
  if (credentialsFile) auth.credentialsFile = credentialsFile;
  if (tokenCommand) auth.tokenCommand = tokenCommand;
  if (useIdToken !== undefined) auth.useIdToken = useIdToken;

  const retry: Partial<RetryPolicy> = {};
  const maxAttempts = numberSetting(config, CONFIG_KEYS.retryMaxAttempts, { min: 1 });
  const maxElapsedMs = numberSetting(config, CONFIG_KEYS.retryMaxElapsedMs, { min: 0 });
  if (maxAttempts !== undefined) retry.maxAttempts = maxAttempts;
  if (maxElapsedMs !== undefined) retry.maxElapsedMs = maxElapsedMs;

  const suffixCheck = oneOfSetting(config, CONFIG_KEYS.suffixCheck, ["error", "off"]);
  const interruptedLaunchCheck = oneOfSetting(config, CONFIG_KEYS.interruptedLaunchCheck, ["auto", "off"]) ?? "auto";

  const client: TailerClientOptions = { auth, retry, env };
  const apiUrl = config.get(CONFIG_KEYS.apiUrl);
  if (apiUrl) client.apiUrl = apiUrl;
  const requestTimeoutMs = numberSetting(config, CONFIG_KEYS.requestTimeoutMs, { min: 1 });
  if (requestTimeoutMs !== undefined) client.requestTimeoutMs = requestTimeoutMs;
  if (suffixCheck === "off") client.suffixCheck = "off";
  const reconcileWindowMs = numberSetting(config, CONFIG_KEYS.launchReconcileWindowMs, { min: 0 });
  if (reconcileWindowMs !== undefined) client.reconcileWindowMs = reconcileWindowMs;
  const journalDir = config.get(CONFIG_KEYS.journalDir) || env[JOURNAL_DIR_ENV] || defaultJournalDir();

  const fingerprint = createHash("sha256");
  for (const key of Object.values(CONFIG_KEYS)) fingerprint.update(`${key}=${config.get(key) ?? ""}\n`);
  for (const name of [API_URL_ENV, ...Object.values(AUTH_ENV)]) fingerprint.update(`${name}=${env[name] ?? ""}\n`);
  const unverifiedStatus = unverifiedStatusGate(config, env);
  return { client, journalDir, interruptedLaunchCheck, ...(unverifiedStatus ? { unverifiedStatus } : {}), key: fingerprint.digest("hex") };
}

/** A ConfigReader over a plain object (tests, and the program side). */
export function configFromObject(values: Record<string, string | undefined>): ConfigReader {
  return { get: (key) => values[key] };
}
