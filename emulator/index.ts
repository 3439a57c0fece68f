/**
 * The local Tailer API emulator: `createEmulator(options)` builds it (state,
 * clock, auth, faults), `listen()` puts it on a socket, `close()` takes it down.
 * Factory separate from listen, so tests choose port 0 and read `url`.
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { PRODUCTION_API_URL } from "../provider/client/schemas";
import { Actions } from "./actions";
import { ADMIN_PREFIX, type AdminDependencies, type AdminRoutes, createAdminRoutes, handleAdminRequest } from "./admin";
import { AdminClient } from "./admin-client";
import { type ApiDependencies, handleApiRequest } from "./api";
import { AudienceSet, Authenticator, type TrustedKey, trustedKeyFromServiceAccount, trustedKeysFromFile } from "./auth";
import { EmulatorClock } from "./clock";
import { devKeyFile, loadOrCreateDevKey, mintServiceAccountToken, type ServiceAccountKey } from "./dev-account";
import { isEmulatorError, OptionsError } from "./errors";
import { FaultInjector } from "./faults";
import { DEFAULT_GUESSES, type Guesses } from "./guesses";
import type { AnyRequest, AnyResponse } from "./http-io";
import type { Logger } from "./logger";
import { silentLogger } from "./logger";
import { Platform, type PlatformHooks } from "./platform";
import { RequestLog } from "./request-log";
import { combineSeeds, loadSeed, type SeedFile } from "./seed";
import docsSeed from "./seeds/docs.json";
import examplesSeed from "./seeds/examples.json";
import historySeed from "./seeds/history.json";
import { type TlsOptions, Transport } from "./server";
import { Store } from "./store";

export {
  AdminClient,
  type AdminClientOptions,
  type AdminConfigurationInput,
  type AdminConfigurationPatch,
  type AdminDuration,
  type AdminFaultInput,
  type AdminIdentity,
  type AdminRunFilter,
  type AdminRunInput,
  type AdminScriptedLaunch,
} from "./admin-client";
export type {
  AdminClock,
  AdminConfiguration,
  AdminDevAccount,
  AdminFaults,
  AdminInfo,
  AdminRun,
  AdminRunOriginCount,
  AdminSchedule,
  AdminWorkflow,
} from "./admin-schemas";
/** The admin API's schemas (the admin client's argument types are their `z.input`). */
export { ConfigurationPatch, RunFilter } from "./admin-schemas";
export type { TrustedKey } from "./auth";
export type { ServiceAccountKey } from "./dev-account";
export type { EmulatorErrorCode } from "./errors";
export { AdminApiError, EmulatorError, isEmulatorError } from "./errors";
export { FAULT_KINDS, type FaultKind, type FaultRule, FaultRuleInput } from "./faults";
export type { Guesses } from "./guesses";
export type { LogFields, Logger } from "./logger";
export { consoleLogger, silentLogger } from "./logger";
export { type RequestLogEntry, type RequestOrigin, tokenFingerprint } from "./request-log";
export { ConfigurationInput, DurationInput, IdentityInput, Outcome, RunInput, type SeedFile } from "./seed";
export type { TlsOptions } from "./server";
export type { ExecutionDateRule, RunOriginCount, RunOutcome, WorkflowDefinition } from "./store";

/** The world of the two documentation pages (emulator/seeds/docs.json). */
export const DOCS_SEED: unknown = docsSeed;

/** The world of the examples, the README and the tests: a sales pipeline in DEV and PROD, the JA/JB/JC -> JT workflow (emulator/seeds/examples.json). */
export const EXAMPLES_SEED: unknown = examplesSeed;

/**
 * The seed used when none is given: the docs' world, the examples' world, and their history (a DEV sales
 * load that succeeded), so every program of the README runs against a plain `tailer-emulator start`.
 */
export const DEFAULT_SEED: unknown = combineSeeds(
  "The docs' world, the examples' world and their history (emulator/seeds/docs.json, examples.json, history.json).",
  [docsSeed, examplesSeed, historySeed],
);

/** Default request body limit (64 KiB): the API's bodies are a few hundred bytes. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Options of createEmulator. */
export interface EmulatorOptions {
  /** SQLite file path, or ":memory:" (default) for a state that dies with the process. */
  database?: string;
  /** Seed: a JSON file path or the parsed object; null for an empty world; default {@link DEFAULT_SEED}. Applied to a fresh database only. */
  seed?: string | object | null;
  /** Wipe the database and apply the seed even if the database already has state. */
  reseed?: boolean;
  /** Emulated seconds per real second (default 1). */
  clockSpeed?: number;
  /** Files of trusted keys: service-account key JSON, `{kid: pem}` JSON, JWKS, or PEM. */
  trustedKeyFiles?: readonly string[];
  /** Trusted keys given directly. */
  trustedKeys?: readonly TrustedKey[];
  /** Trust (and be able to mint tokens for) the local dev service account (default true). */
  devAccount?: boolean;
  /** Folder holding the dev account key (created if needed); without it, a per-process ephemeral key. */
  stateDir?: string;
  /** Bearer token of the admin API (default: random, see `adminToken`). */
  adminToken?: string;
  /** Serve HTTPS with HTTP/2 (ALPN, HTTP/1.1 allowed) using this certificate. */
  tls?: TlsOptions;
  /** The URL clients use when it is not the listening one (proxy, container): accepted as `aud`. */
  publicUrl?: string;
  /** More accepted audiences. */
  audiences?: readonly string[];
  /** Request body limit in bytes (default 64 KiB; larger bodies get 413). */
  maxBodyBytes?: number;
  /** Where to log (default: nowhere). */
  logger?: Logger;
  /** Seed of the fault RNG (default random; see GET /_emulator/faults). */
  faultSeed?: number;
  /** Overrides of the guessed defaults (see guesses.ts and the README). */
  guesses?: Partial<Guesses>;
  /** SQLite durability: "normal" survives kill -9 (default), "full" also power loss. */
  durability?: "normal" | "full";
  /** Entries kept by the request log (default 10000). */
  requestLogSize?: number;
}

/** Options of Emulator.listen. */
export interface ListenOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface; default 127.0.0.1. */
  host?: string;
}

/** Claims of a token minted for the dev account. */
export interface MintOptions {
  /** The `accounts` claim; absent = every account. */
  accounts?: readonly string[];
  /** Lifetime (default 3600, at most 86400). */
  expiresInSeconds?: number;
  /** The `aud` claim (default: the emulator's URL once listening, else the production URL). */
  audience?: string;
  /** `iat` in epoch seconds (default now); in the past for expired tokens, in the future for not-yet-valid ones. */
  issuedAt?: number;
  /** Extra claims, e.g. `nbf`. */
  extraClaims?: Record<string, unknown>;
}

/** A running (or ready to run) emulator. */
export interface Emulator {
  /** Starts serving; resolves with the base URL (e.g. http://127.0.0.1:54321). */
  listen(options?: ListenOptions): Promise<{ url: string }>;
  /** The base URL; throws before listen(). */
  readonly url: string;
  /** Stops serving, stops timers, persists and closes the database. Idempotent. */
  close(): Promise<void>;
  /** Bearer token of the admin API. */
  readonly adminToken: string;
  /** An RS256 token of the dev service account (throws when devAccount is false). */
  mintToken(options?: MintOptions): string;
  /** The dev service account's key file content (undefined when devAccount is false). */
  readonly devServiceAccountKey: ServiceAccountKey | undefined;
  /** A typed admin client for this emulator (after listen). */
  admin(): AdminClient;
  /** Unexpected exceptions caught so far (each answered 500). */
  readonly internalErrorCount: number;
  /** The database path (":memory:" for in-memory). */
  readonly database: string;
  /** @internal In-process access for tests that need it: the platform, faults and request log. */
  readonly internals: { platform: Platform; faults: FaultInjector; requestLog: RequestLog; store: Store };
}

/** What createEmulator checked and derived from its options. */
interface Settings {
  logger: Logger;
  guesses: Guesses;
  maxBodyBytes: number;
  adminToken: string;
  database: string;
  /** Reads the seed again (for reset). */
  loadSeedFile: () => SeedFile;
}

function settingsOf(options: EmulatorOptions): Settings {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) throw new OptionsError("maxBodyBytes must be a positive integer");
  const adminToken = options.adminToken ?? randomBytes(24).toString("base64url");
  if (adminToken.length < 8 || /\s/.test(adminToken)) throw new OptionsError("adminToken must be at least 8 characters, without spaces");
  const seedSource = options.seed === undefined ? DEFAULT_SEED : options.seed;
  return {
    logger: options.logger ?? silentLogger,
    guesses: { ...DEFAULT_GUESSES, ...options.guesses },
    maxBodyBytes,
    adminToken,
    database: options.database ?? ":memory:",
    loadSeedFile: () => (seedSource === null ? { configurations: [], runs: [] } : loadSeed(seedSource)),
  };
}

/** The keys the gateway trusts: the dev account's, the files', the given ones. */
function trustedKeysOf(options: EmulatorOptions, devKey: ServiceAccountKey | undefined, logger: Logger): TrustedKey[] {
  const keys: TrustedKey[] = [
    ...(devKey ? [trustedKeyFromServiceAccount(devKey, "dev account")] : []),
    ...(options.trustedKeyFiles ?? []).flatMap((f) => trustedKeysFromFile(f)),
    ...(options.trustedKeys ?? []),
  ];
  if (keys.length === 0) logger.warn("no trusted keys: every API request will be refused (401)");
  return keys;
}

/** Opens the database and the clock and loads the world (the seed on a fresh database); closes the database on failure. */
function openPlatform(
  options: EmulatorOptions,
  settings: Settings,
  seed: SeedFile,
  hooks: PlatformHooks,
): { store: Store; platform: Platform } {
  const { database, logger } = settings;
  let store: Store;
  try {
    store = new Store(database, { durability: options.durability });
  } catch (e) {
    if (isEmulatorError(e) && e.code === "sqlite_unavailable") throw e; // its message says how to fix it
    throw new OptionsError(`cannot open database ${database}: ${(e as Error).message}`);
  }
  let clock: EmulatorClock;
  try {
    clock = new EmulatorClock({
      speed: options.clockSpeed ?? 1,
      notBeforeUs: Number(store.getMeta("clock_lease_us") ?? 0),
      persistLease: (us) => store.setMeta("clock_lease_us", String(us)),
    });
  } catch (e) {
    store.close();
    throw new OptionsError((e as Error).message);
  }
  const platform = new Platform(store, clock, settings.guesses, logger, hooks);
  if (options.reseed) platform.reset(seed);
  else if (!platform.seeded) platform.applySeed(seed);
  else if (options.seed !== undefined) logger.info(`${database} already holds state: the seed is not applied again (reseed to start over)`);
  platform.catchUp(); // runs that ended while the emulator was down end now, at their own times
  return { store, platform };
}

/** Everything an emulator is made of, once created. */
interface Parts {
  settings: Settings;
  options: EmulatorOptions;
  store: Store;
  platform: Platform;
  faults: FaultInjector;
  requestLog: RequestLog;
  authenticator: Authenticator;
  audiences: AudienceSet;
  devKey: ServiceAccountKey | undefined;
  instanceId: string;
  internalErrors: { count: number };
  baseUrl: () => string | undefined;
}

/** Creates an emulator (opens the database, applies the seed to a fresh one); call listen() to serve. */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const settings = settingsOf(options);
  const seed = settings.loadSeedFile(); // validated before anything is opened
  // Keys before the database, so a bad key file leaves no half-open state behind.
  const devKey = options.devAccount === false ? undefined : loadOrCreateDevKey(options.stateDir);
  const keys = trustedKeysOf(options, devKey, settings.logger);
  const audiences = new AudienceSet(options.audiences ?? []);
  if (options.publicUrl !== undefined) audiences.add(options.publicUrl);
  const faults = new FaultInjector(options.faultSeed);
  const requestLog = new RequestLog(options.requestLogSize);
  const instanceId = randomBytes(4).toString("hex");
  const { store, platform } = openPlatform(options, settings, seed, {
    visibilityDelayUs: () => faults.visibilityDelayMs * 1000,
    onScheduledLaunch: (run) => requestLog.recordScheduledLaunch(run, instanceId),
  });
  faults.restart(seed.faults);
  const authenticator = new Authenticator(keys, audiences, settings.logger);
  let baseUrl: string | undefined;
  const parts: Parts = {
    settings,
    options,
    store,
    platform,
    faults,
    requestLog,
    authenticator,
    audiences,
    devKey,
    instanceId,
    internalErrors: { count: 0 },
    baseUrl: () => baseUrl,
  };
  return assemble(parts, (url) => {
    baseUrl = url;
  });
}

function tokenMinter(parts: Parts): (o?: MintOptions) => string {
  return (o = {}) => {
    if (!parts.devKey) throw new OptionsError("the dev account is disabled: no token can be minted");
    return mintServiceAccountToken(parts.devKey, {
      audience: o.audience ?? parts.baseUrl() ?? PRODUCTION_API_URL,
      accounts: o.accounts,
      expiresInSeconds: o.expiresInSeconds,
      issuedAt: o.issuedAt,
      extraClaims: o.extraClaims,
    });
  };
}

function adminDependencies(parts: Parts, mintToken: (o?: MintOptions) => string): AdminDependencies {
  const { settings, platform, faults, requestLog, authenticator, audiences, devKey } = parts;
  return {
    platform,
    faults,
    requestLog,
    guesses: settings.guesses,
    adminToken: settings.adminToken,
    maxBodyBytes: settings.maxBodyBytes,
    seed: settings.loadSeedFile,
    mintToken: devKey ? (o) => mintToken(o) : undefined,
    info: () => ({
      url: parts.baseUrl() ?? null,
      database: settings.database,
      clock: { speed: platform.clock.speed },
      configurations: platform.listConfigurations().length,
      runs: platform.countRuns(),
      pending_late_actions: platform.pendingDeferred,
      internal_errors: parts.internalErrors.count,
      trusted_keys: authenticator.keyCount,
      dev_account: devKey ? devKey.client_email : null,
      audiences: audiences.list(),
      max_body_bytes: settings.maxBodyBytes,
      guesses: settings.guesses,
    }),
    devAccount: () => ({
      dev_account: devKey
        ? {
            client_email: devKey.client_email,
            kid: devKey.private_key_id,
            key_file: parts.options.stateDir === undefined ? null : devKeyFile(resolve(parts.options.stateDir)),
          }
        : null,
    }),
  };
}

/** The request handler: admin paths to the admin API, the rest to the public API. */
function requestHandler(parts: Parts, adminDeps: AdminDependencies, onInternalError: (e: unknown) => void) {
  const { settings, platform, faults, requestLog, authenticator } = parts;
  const actions = new Actions(platform, settings.guesses);
  const apiDeps: ApiDependencies = {
    actions,
    platform,
    authenticator,
    faults,
    requestLog,
    clock: platform.clock,
    logger: settings.logger,
    maxBodyBytes: settings.maxBodyBytes,
    onInternalError,
    instanceId: parts.instanceId,
  };
  const adminRoutes: AdminRoutes = createAdminRoutes(adminDeps);
  return (req: AnyRequest, res: AnyResponse): void => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
    const work = path.startsWith(ADMIN_PREFIX)
      ? handleAdminRequest(adminDeps, adminRoutes, req, res, path.slice(ADMIN_PREFIX.length), query, onInternalError)
      : handleApiRequest(apiDeps, req, res, path);
    work.catch((e: unknown) => {
      // Both handlers answer their own errors; this is the last net.
      onInternalError(e);
      if (!res.headersSent) {
        try {
          res.statusCode = 500;
          res.end();
        } catch {
          // the response is gone
        }
      }
    });
  };
}

function assemble(parts: Parts, setBaseUrl: (url: string) => void): Emulator {
  const { settings, options, store, platform, faults, requestLog, audiences } = parts;
  const onInternalError = (e: unknown) => {
    parts.internalErrors.count++;
    settings.logger.error("unexpected error while handling a request", {
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      stack: e instanceof Error ? e.stack : undefined,
    });
  };
  const mintToken = tokenMinter(parts);
  const handle = requestHandler(parts, adminDependencies(parts, mintToken), onInternalError);
  const adminClients: AdminClient[] = [];
  let transport: Transport | undefined;
  let closed = false;
  const emulator: Emulator = {
    async listen(listenOptions: ListenOptions = {}) {
      if (closed) throw new OptionsError("this emulator was closed; create a new one");
      if (transport) throw new OptionsError(`already listening on ${parts.baseUrl()}`);
      const host = listenOptions.host ?? "127.0.0.1";
      transport = new Transport(handle, options.tls);
      const address = await transport.listen(listenOptions.port ?? 0, host);
      const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
      const url = `${transport.protocol}://${shownHost}:${address.port}`;
      setBaseUrl(url);
      audiences.addOwnOrigin(transport.protocol, host, address.port);
      settings.logger.info(`Tailer API emulator listening on ${url}`);
      return { url };
    },
    get url() {
      const url = parts.baseUrl();
      if (url === undefined) throw new OptionsError("the emulator is not listening yet: call listen() first");
      return url;
    },
    async close() {
      if (closed) return;
      closed = true;
      platform.stop(); // also resets the requests held by late_processing faults
      try {
        await Promise.all(adminClients.splice(0).map((c) => c.close()));
        if (transport) await transport.close();
      } finally {
        store.close();
      }
    },
    adminToken: settings.adminToken,
    mintToken,
    devServiceAccountKey: parts.devKey,
    admin() {
      const client = new AdminClient(emulator.url, settings.adminToken, { ca: options.tls?.cert });
      adminClients.push(client);
      return client;
    },
    get internalErrorCount() {
      return parts.internalErrors.count;
    },
    database: settings.database,
    internals: { platform, faults, requestLog, store },
  };
  return emulator;
}
