/**
 * The provider process's clients: settings from `configure`, and one TailerClient per distinct settings
 * (its token cache and connection pool shared by every resource and function call of the process).
 * Held at module level: the dynamic provider's serialized code loads this module with `require`, so
 * one copy serves a process; programs calling the read functions get their own.
 */
import { TailerClient } from "../client";
import { isDynamicProviderProcess, watchEngine } from "./engineWatch";
import { logClientEvent } from "./providerLog";
import { type ConfigReader, type ProviderSettings, readSettings } from "./settings";
import { applyProviderV8Settings } from "./v8Settings";

let settings: ProviderSettings | undefined;
const clients = new Map<string, TailerClient>();

/** Applies the stack's `tailer:*` config; called by every resource type's `configure`, idempotent. */
export function configure(config: ConfigReader): void {
  watchEngine();
  if (isDynamicProviderProcess()) applyProviderV8Settings();
  settings = readSettings(config);
  clientFor(settings).checkCredentials(); // at preview already: a missing credential is found before up
}

/** The settings `configure` applied (environment variables only, if it was never called). */
export function currentSettings(): ProviderSettings {
  settings ??= readSettings({ get: () => undefined });
  return settings;
}

/** The client for the settings `configure` applied. */
export function client(): TailerClient {
  return clientFor(currentSettings());
}

/** The client for `current`, created once per process and distinct settings. */
export function clientFor(current: ProviderSettings): TailerClient {
  let existing = clients.get(current.key);
  if (!existing) {
    existing = new TailerClient({ ...current.client, onEvent: logClientEvent });
    clients.set(current.key, existing);
  }
  return existing;
}

/** Closes every client (tests; the provider process simply exits). */
export async function closeClients(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  settings = undefined;
  await Promise.all(all.map((c) => c.close()));
}
