/** Points the provider runtime at a test emulator, as `pulumi up` would through `configure`. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clearTokenCache } from "../../provider/auth";
import { closeClients, configure } from "../../provider/resources/clients";
import { setLogSink } from "../../provider/resources/providerLog";
import { forgetRunOwners } from "../../provider/resources/runOwners";
import { configFromObject } from "../../provider/resources/settings";
import { type RunningEmulator, startEmulator } from "./emulator";

/** The seed of provider and end-to-end tests. */
export const WORLD_SEED = join(__dirname, "..", "..", "emulator", "seeds", "examples.json");

/** The world's sales load in DEV, as the wire (and the emulator's admin API) names it. */
export const SALES_LOAD_DEV = {
  account: "000099",
  environment: "DEV" as const,
  configuration_type: "table-to-table" as const,
  configuration_id: "000099_sales_load_DEV",
};

/** What the provider logged (its progress lines), since the provider environment started. */
export const providerLog: string[] = [];

/** Starts an emulator with the test world and configures the provider runtime for it (and a private launch journal). */
export async function startProviderEnvironment(clockSpeed = 1000): Promise<RunningEmulator> {
  setLogSink((line) => providerLog.push(line));
  process.env.TAILER_JOURNAL_DIR = mkdtempSync(join(tmpdir(), "tailer-journal-"));
  const env = await startEmulator({ seed: WORLD_SEED, clockSpeed });
  configureFor(env);
  return env;
}

/** The reconcile window of provider tests. */
export const TEST_RECONCILE_WINDOW_MS = 400;

/** Applies `tailer:*` config for `env` (credentials: the emulator's dev service account). */
export function configureFor(env: RunningEmulator, extra: Record<string, string> = {}): void {
  configure(
    configFromObject({
      "tailer:apiUrl": env.url,
      "tailer:credentials": JSON.stringify(env.emulator.devServiceAccountKey),
      "tailer:retryMaxAttempts": "4",
      // An uncertain launch is decided 400 ms after it began (the emulator answers at once).
      "tailer:launchReconcileWindowMs": String(TEST_RECONCILE_WINDOW_MS),
      // No Pulumi engine here: there is no stack state to read (interruptedLaunches.ts has tests of its own).
      "tailer:interruptedLaunchCheck": "off",
      ...extra,
    }),
  );
}

/** Closes the provider's clients and the emulator. */
export async function stopProviderEnvironment(env: RunningEmulator): Promise<void> {
  await closeClients();
  clearTokenCache();
  await env.close();
}

/** The `__provider` value the dynamic provider host adds; our providers must carry it through. */
export const PROVIDER_PLACEHOLDER = "exports.handler = __f0; /* test */";

/** `provider.check` of `inputs`, which must pass, as the properties create and update receive. */
export async function checkedInputs(
  provider: {
    check(
      olds: Record<string, unknown>,
      news: Record<string, unknown>,
    ): Promise<{ inputs?: Record<string, unknown>; failures?: unknown[] }>;
  },
  inputs: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const result = await provider.check({}, inputs);
  expect(result.failures).toBeUndefined();
  return { ...result.inputs, __provider: PROVIDER_PLACEHOLDER };
}

/** Public-API calls since the last clear, as "action" strings. */
export async function calls(env: RunningEmulator): Promise<string[]> {
  return (await env.admin.requests()).map((e) => String(e.action));
}

/** Resets the emulator's world and, with it, the launch journal of the runs that world knew. */
export async function resetWorld(env: RunningEmulator): Promise<void> {
  await env.admin.reset();
  rmSync(String(process.env.TAILER_JOURNAL_DIR), { recursive: true, force: true });
  forgetRunOwners();
}
