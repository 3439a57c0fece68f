/** A real emulator on a random port for client and provider tests, closed after each suite. */
import { type AdminClient, createEmulator, type Emulator, type EmulatorOptions, tokenFingerprint } from "../../emulator";
import { TailerClient, type TailerClientOptions } from "../../provider/client";

/** A started emulator with its admin client. */
export interface RunningEmulator {
  emulator: Emulator;
  url: string;
  admin: AdminClient;
  /** A client authenticated as the emulator's dev service account (tokens minted by google-auth-library). */
  client(options?: Partial<TailerClientOptions>): TailerClient;
  close(): Promise<void>;
}

/** Fast retries, so fault tests take milliseconds. */
export const FAST_RETRY = { minTimeoutMs: 5, maxTimeoutMs: 50, maxElapsedMs: 10_000 };

/** Starts an emulator on 127.0.0.1:0 (in-memory unless `database` is given). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = createEmulator({ faultSeed: 42, ...options });
  const { url } = await emulator.listen({ port: 0 });
  const clients: TailerClient[] = [];
  return {
    emulator,
    url,
    admin: emulator.admin(),
    client(overrides = {}) {
      const client = new TailerClient({
        apiUrl: url,
        auth: { credentials: JSON.stringify(emulator.devServiceAccountKey) },
        retry: FAST_RETRY,
        env: {},
        ...overrides,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await emulator.close();
    },
  };
}

/** A configuration's identity on the wire. */
export interface WireIdentity {
  account: string;
  environment: "PROD" | "PREPROD" | "STAGING" | "DEV";
  configuration_type: "table-to-table" | "table-to-storage";
  configuration_id: string;
}

const outsideTokens = new WeakMap<Emulator, string>();

/** Seconds before its `exp` at which a kept token is minted anew (the emulator's clock may have been moved). */
const OUTSIDE_TOKEN_RENEW_SECONDS = 300;

/** Whether the gateway would take `token` now: issued by now (a mocked clock may have run ahead) and not about to expire. */
function validNow(token: string): boolean {
  const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { iat?: number; exp?: number };
  const now = Date.now() / 1000;
  return (claims.iat ?? 0) <= now && (claims.exp ?? 0) - OUTSIDE_TOKEN_RENEW_SECONDS > now;
}

/**
 * The token of "a second actor" outside Pulumi (a person, another pipeline): its own claim sets it apart
 * from the provider's token, and it is kept per emulator while it is valid, so its launches share one
 * fingerprint in the request log and on the runs (`token_fingerprint`). A test that moved this process's
 * clock (a skewed Date.now) out of its validity gets a new one.
 */
export function outsideActorToken(env: Pick<RunningEmulator, "emulator">): { token: string; fingerprint: string } {
  let token = outsideTokens.get(env.emulator);
  if (token === undefined || !validNow(token)) {
    token = env.emulator.mintToken({ extraClaims: { actor: "outside-pulumi" } });
    outsideTokens.set(env.emulator, token);
  }
  return { token, fingerprint: tokenFingerprint(token) };
}

/** Launches a run through the public API as a second actor outside Pulumi (see outsideActorToken); returns its id. */
export async function launchOutsidePulumi(env: Pick<RunningEmulator, "url" | "emulator">, identity: WireIdentity): Promise<string> {
  const response = await fetch(`${env.url}/v1/dag/launch`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${outsideActorToken(env).token}` },
    body: JSON.stringify({ action: "launch_job", ...identity }),
  });
  if (response.status !== 200) throw new Error(`launch_job answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { run_id: string }).run_id;
}
