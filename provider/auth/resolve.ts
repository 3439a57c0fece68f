/**
 * Chooses the token source, in this documented order (the first that is set wins):
 *
 * 1. an explicit token (`tailer:token`, option `token`);
 * 2. the `TAILER_API_JWT` environment variable (the variable the Tailer docs use);
 * 3. a service-account key: `tailer:credentials` (the JSON), `tailer:credentialsFile`, then
 *    `GOOGLE_APPLICATION_CREDENTIALS`, turned into the docs' self-signed JWT (or, with `useIdToken`,
 *    a Google-signed ID token);
 * 4. `useIdToken` without a key: a Google ID token from application default credentials;
 * 5. a token command (`tailer:tokenCommand`, `TAILER_TOKEN_COMMAND`), e.g. `tailer auth get-token`.
 */
import { ErrorCodes, TailerError } from "../core/errors";
import {
  CommandTokenSource,
  IdTokenSource,
  parseServiceAccountKey,
  readServiceAccountKeyFile,
  type ServiceAccountKey,
  ServiceAccountTokenSource,
  StaticTokenSource,
  type TokenSource,
} from "./sources";

/** Where credentials may come from. Every field is optional; environment variables fill the gaps. */
export interface AuthOptions {
  /** A bearer token to use as it is. */
  token?: string;
  /** The content of a service-account key file (JSON text or parsed object). */
  credentials?: string | Record<string, unknown>;
  /** The path of a service-account key file. */
  credentialsFile?: string;
  /** Use a Google-signed ID token instead of a self-signed JWT. */
  useIdToken?: boolean;
  /** A shell command printing a token (e.g. `tailer auth get-token`). */
  tokenCommand?: string;
  /** Environment to read fallbacks from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The environment variables the auth layer reads. */
export const AUTH_ENV = {
  token: "TAILER_API_JWT",
  credentialsFile: "GOOGLE_APPLICATION_CREDENTIALS",
  tokenCommand: "TAILER_TOKEN_COMMAND",
  useIdToken: "TAILER_USE_ID_TOKEN",
} as const;

/** Builds the token source for `audience` (the API base URL) from options, then environment variables. */
export function resolveTokenSource(options: AuthOptions, audience: string): TokenSource {
  const env = options.env ?? process.env;
  if (options.token) return new StaticTokenSource(options.token, "tailer:token");
  const envToken = env[AUTH_ENV.token];
  if (envToken) return new StaticTokenSource(envToken, AUTH_ENV.token);

  const useIdToken = options.useIdToken ?? env[AUTH_ENV.useIdToken] === "true";
  const key = keyLoader(options, env);
  if (key) return useIdToken ? new IdTokenSource(audience, key) : new ServiceAccountTokenSource(key, audience, "a service-account key");
  if (useIdToken) return new IdTokenSource(audience);

  const command = options.tokenCommand ?? env[AUTH_ENV.tokenCommand];
  if (command) return new CommandTokenSource(command, options.tokenCommand ? "tailer:tokenCommand" : AUTH_ENV.tokenCommand);

  throw new TailerError(ErrorCodes.CREDENTIALS, "no Tailer credentials were found.", {
    hint:
      "Set one of: tailer:token (pulumi config set --secret tailer:token ...) or TAILER_API_JWT (a token); " +
      "tailer:credentials (pulumi config set --secret tailer:credentials < key.json), tailer:credentialsFile or " +
      "GOOGLE_APPLICATION_CREDENTIALS (a service-account key); tailer:useIdToken true (Google credentials of the machine); " +
      'tailer:tokenCommand or TAILER_TOKEN_COMMAND (e.g. "tailer auth get-token").',
  });
}

function keyLoader(options: AuthOptions, env: NodeJS.ProcessEnv): (() => Promise<ServiceAccountKey>) | undefined {
  let load: (() => Promise<ServiceAccountKey>) | undefined;
  if (options.credentials) {
    const parsed = parseServiceAccountKey(options.credentials, "tailer:credentials");
    load = async () => parsed;
  } else {
    const path = options.credentialsFile ?? env[AUTH_ENV.credentialsFile];
    const origin = options.credentialsFile ? "tailer:credentialsFile" : AUTH_ENV.credentialsFile;
    if (path) load = () => readServiceAccountKeyFile(path, origin);
  }
  if (!load) return undefined;
  // Read the file once per source, however many tokens it signs.
  let once: Promise<ServiceAccountKey> | undefined;
  const loader = load;
  return () => {
    once ??= loader().catch((error: unknown) => {
      once = undefined;
      throw error;
    });
    return once;
  };
}
