/**
 * The local Tailer API emulator: `createEmulator(options)` builds it (state,
 * clock, auth, faults), `listen()` puts it on a socket, `close()` takes it down.
 * Factory separate from listen, so tests choose port 0 and read `url`.
 */
import { randomBytes } from "node:crypto";
import { PRODUCTION_API_URL } from "../provider/client/schemas";
import { Actions } from "./actions";
import { ADMIN_PREFIX, type AdminDependencies, createAdminRoutes, handleAdminRequest } from "./admin";
import { AdminClient } from "./admin-client";
import { type ApiDependencies, handleApiRequest } from "./api";
import { AudienceSet, Authenticator, type TrustedKey, trustedKeyFromServiceAccount, trustedKeysFromFile } from "./auth";
import { EmulatorClock } from "./clock";
import { loadOrCreateDevKey, mintServiceAccountToken, type ServiceAccountKey } from "./dev-account";
import { OptionsError } from "./errors";
import { FaultInjector } from "./faults";
import { DEFAULT_GUESSES, type Guesses } from "./guesses";
import type { AnyRequest, AnyResponse } from "./http-io";
import { type Logger, silentLogger } from "./logger";
import { Platform } from "./platform";
import { RequestLog } from "./request-log";
import { loadSeed, type SeedFile } from "./seed";
import docsSeed from "./seeds/docs.json";
import { type TlsOptions, Transport } from "./server";
import { Store } from "./store";

export {
  AdminClient,
  type AdminClientOptions,
  type AdminClock,
  type AdminConfiguration,
  type AdminConfigurationInput,
  type AdminConfigurationPatch,
  type AdminDuration,
  type AdminFaultInput,
  type AdminIdentity,
  type AdminRun,
  type AdminRunFilter,
  type AdminRunInput,
  type AdminWorkflow,
} from "./admin-client";
export type { TrustedKey } from "./auth";
export type { ServiceAccountKey } from "./dev-account";
export type { EmulatorErrorCode } from "./errors";
export { EmulatorError, isEmulatorError } from "./errors";
export type { FaultRule } from "./faults";
export type { Guesses } from "./guesses";
export type { LogFields, Logger } from "./logger";
export { consoleLogger, silentLogger } from "./logger";
export type { RequestLogEntry } from "./request-log";
export type { SeedFile } from "./seed";
export type { TlsOptions } from "./server";

/** The seed used when none is given: the world of the two documentation pages. */
export const DOCS_SEED: unknown = docsSeed;

/** Default request body limit (64 KiB): the API's bodies are a few hundred bytes. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Options of createEmulator. */
export interface EmulatorOptions {
  /** SQLite file path, or ":memory:" (default) for a state that dies with the process. */
  database?: string;
  /** Seed: a JSON file path or the parsed object; null for an empty world; default the docs' world. Applied to a fresh database only. */
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

/** Creates an emulator (opens the database, applies the seed to a fresh one); call listen() to serve. */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const logger = options.logger ?? silentLogger;
  const guesses: Guesses = { ...DEFAULT_GUESSES, ...options.guesses };
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) throw new OptionsError("maxBodyBytes must be a positive integer");
  const adminToken = options.adminToken ?? randomBytes(24).toString("base64url");
  if (adminToken.length < 8 || /\s/.test(adminToken)) throw new OptionsError("adminToken must be at least 8 characters, without spaces");

  const seedSource = options.seed === undefined ? docsSeed : options.seed;
  const loadSeedFile = (): SeedFile => (seedSource === null ? { configurations: [], runs: [] } : loadSeed(seedSource));
  const seed = loadSeedFile(); // validated before anything is opened

  // Keys before the database, so a bad key file leaves no half-open state behind.
  const devKey = options.devAccount === false ? undefined : loadOrCreateDevKey(options.stateDir);
  const keys: TrustedKey[] = [
    ...(devKey ? [trustedKeyFromServiceAccount(devKey, "dev account")] : []),
    ...(options.trustedKeyFiles ?? []).flatMap((f) => trustedKeysFromFile(f)),
    ...(options.trustedKeys ?? []),
  ];
  if (keys.length === 0) logger.warn("no trusted keys: every API request will be refused (401)");
  const audiences = new AudienceSet(options.audiences ?? []);
  if (options.publicUrl !== undefined) audiences.add(options.publicUrl);

  const database = options.database ?? ":memory:";
  let store: Store;
  try {
    store = new Store(database, { durability: options.durability });
  } catch (e) {
    throw new OptionsError(`cannot open database ${database}: ${(e as Error).message}`);
  }
  let clock: EmulatorClock;
  try {
    const lease = Number(store.getMeta("clock_lease_us") ?? 0);
    clock = new EmulatorClock({
      speed: options.clockSpeed ?? 1,
      notBeforeUs: lease,
      persistLease: (us) => store.setMeta("clock_lease_us", String(us)),
    });
  } catch (e) {
    store.close();
    throw new OptionsError((e as Error).message);
  }
  const platform = new Platform(store, clock, guesses, logger);
  if (options.reseed) platform.reset(seed);
  else if (!platform.seeded) platform.applySeed(seed);
  else if (options.seed !== undefined) logger.info(`${database} already holds state: the seed is not applied again (reseed to start over)`);
  platform.catchUp(); // runs that ended while the emulator was down end now, at their own times

  const faults = new FaultInjector(options.faultSeed);
  const requestLog = new RequestLog(options.requestLogSize);
  const authenticator = new Authenticator(keys, audiences, logger);
  const actions = new Actions(platform, guesses);
  let internalErrors = 0;
  const onInternalError = (e: unknown) => {
    internalErrors++;
    logger.error("unexpected error while handling a request", {
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      stack: e instanceof Error ? e.stack : undefined,
    });
  };

  let baseUrl: string | undefined;
  let transport: Transport | undefined;
  let closed = false;

  const mintToken = (o: MintOptions = {}): string => {
    if (!devKey) throw new OptionsError("the dev account is disabled: no token can be minted");
    return mintServiceAccountToken(devKey, {
      audience: o.audience ?? baseUrl ?? PRODUCTION_API_URL,
      accounts: o.accounts,
      expiresInSeconds: o.expiresInSeconds,
      issuedAt: o.issuedAt,
      extraClaims: o.extraClaims,
    });
  };

  const instanceId = randomBytes(4).toString("hex");
  const apiDeps: ApiDependencies = { actions, authenticator, faults, requestLog, clock, logger, maxBodyBytes, onInternalError, instanceId };
  const adminDeps: AdminDependencies = {
    platform,
    faults,
    requestLog,
    guesses,
    adminToken,
    maxBodyBytes,
    seed: loadSeedFile,
    mintToken: devKey ? (o) => mintToken(o) : undefined,
    info: () => ({
      url: baseUrl ?? null,
      database,
      clock: { speed: clock.speed },
      configurations: platform.listConfigurations().length,
      runs: platform.countRuns(),
      internal_errors: internalErrors,
      trusted_keys: authenticator.keyCount,
      dev_account: devKey ? devKey.client_email : null,
      audiences: audiences.list(),
      max_body_bytes: maxBodyBytes,
      guesses,
    }),
  };
  const adminRoutes = createAdminRoutes(adminDeps);

  const handle = (req: AnyRequest, res: AnyResponse): void => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const work = path.startsWith(ADMIN_PREFIX)
      ? handleAdminRequest(
          adminDeps,
          adminRoutes,
          req,
          res,
          path.slice(ADMIN_PREFIX.length),
          new URLSearchParams(q === -1 ? "" : url.slice(q + 1)),
          onInternalError,
        )
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

  const emulator: Emulator = {
    async listen(listenOptions: ListenOptions = {}) {
      if (closed) throw new OptionsError("this emulator was closed; create a new one");
      if (transport) throw new OptionsError(`already listening on ${baseUrl}`);
      const host = listenOptions.host ?? "127.0.0.1";
      transport = new Transport(handle, options.tls);
      const address = await transport.listen(listenOptions.port ?? 0, host);
      const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
      baseUrl = `${transport.protocol}://${shownHost}:${address.port}`;
      audiences.addOwnOrigin(transport.protocol, host, address.port);
      logger.info(`Tailer API emulator listening on ${baseUrl}`);
      return { url: baseUrl };
    },
    get url() {
      if (baseUrl === undefined) throw new OptionsError("the emulator is not listening yet: call listen() first");
      return baseUrl;
    },
    async close() {
      if (closed) return;
      closed = true;
      platform.stop();
      try {
        if (transport) await transport.close();
      } finally {
        store.close();
      }
    },
    adminToken,
    mintToken,
    devServiceAccountKey: devKey,
    admin() {
      return new AdminClient(emulator.url, adminToken, { ca: options.tls?.cert });
    },
    get internalErrorCount() {
      return internalErrors;
    },
    database,
    internals: { platform, faults, requestLog, store },
  };
  return emulator;
}
