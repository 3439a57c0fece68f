/** A real emulator on a random port for client and provider tests, closed after each suite. */
import { type AdminClient, createEmulator, type Emulator, type EmulatorOptions } from "../../emulator";
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
