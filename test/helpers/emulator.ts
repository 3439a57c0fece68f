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

/**
 * The token of "a second actor" outside Pulumi (a person, another pipeline): its own claim sets it apart
 * from the provider's token, and it is kept per emulator, so all its launches share one fingerprint in the
 * request log and on the runs (`token_fingerprint`).
 */
export function outsideActorToken(env: Pick<RunningEmulator, "emulator">): { token: string; fingerprint: string } {
  let token = outsideTokens.get(env.emulator);
  if (token === undefined) {
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
