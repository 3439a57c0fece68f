/**
 * The provider process's shared state: settings from `configure`, one TailerClient per distinct settings
 * (its token cache and connection pool shared by every resource), and what this deployment has set.
 *
 * This module is loaded with `require` inside the dynamic provider process; Pulumi never serializes it,
 * so holding clients at module level here is what "shared per process" means.
 */
import { connect } from "node:net";
import type * as pulumi from "@pulumi/pulumi";
import { type ClientEvent, TailerClient } from "../client";
import { redact } from "../core/redact";
import { type ConfigReader, type ProviderSettings, readSettings } from "./settings";

let settings: ProviderSettings | undefined;
const clients = new Map<string, TailerClient>();

/** Applies the stack's `tailer:*` config; called by every resource type's `configure`, idempotent. */
export function configure(config: ConfigReader): void {
  watchEngine();
  settings = readSettings(config);
}

/** The client for the settings `configure` applied (environment variables only, if it was never called). */
export function client(): TailerClient {
  settings ??= readSettings({ get: () => undefined });
  return clientFor(settings);
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

/** How often the provider process checks that the engine that started it is still there. */
export const ENGINE_CHECK_INTERVAL_MS = 10_000;

let watchingEngine = false;

/**
 * In the dynamic-provider process (started as `node .../dynamic-provider/index.js <engine address>`),
 * checks now and then that the engine still listens, and exits once it is gone: a killed pulumi cannot
 * stop its plugins, and an idle provider would otherwise live on forever. Does nothing elsewhere.
 */
export function watchEngine(argv: readonly string[] = process.argv, intervalMs = ENGINE_CHECK_INTERVAL_MS): void {
  if (/dynamic-provider(\/index\.js)?$/.test(argv[1] ?? "")) watchEngineAt(argv[2] ?? "", intervalMs);
}

/** Exits once nothing listens at the engine's `host:port` any more (the native provider's process calls it too). */
export function watchEngineAt(engineAddress: string, intervalMs = ENGINE_CHECK_INTERVAL_MS): void {
  const address = /^([\w.-]+|\[[\w:]+\]):(\d+)$/.exec(engineAddress);
  if (watchingEngine || !address) return;
  watchingEngine = true;
  const [, host, port] = address;
  const timer = setInterval(() => {
    const socket = connect({ host: host?.replace(/^\[|\]$/g, ""), port: Number(port) });
    socket.once("connect", () => socket.destroy());
    socket.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") process.exit(1);
    });
  }, intervalMs);
  timer.unref();
}

let watchingStderr = false;

/**
 * A broken stderr means the engine that started this process is gone (pulumi up was killed): nobody
 * will ever receive what this process does, so it stops rather than keep polling. Without a listener,
 * each failed write would raise an uncaught EPIPE that the provider host logs to the same broken pipe,
 * in a loop that eats memory. The launch journal lets the next up adopt any run this process launched.
 */
function exitWhenOrphaned(): void {
  if (watchingStderr) return;
  watchingStderr = true;
  process.stderr.on("error", () => process.exit(1));
}

/** A log line's severity. */
export type LogSeverity = "info" | "warn";

/** Where log lines go: the dynamic provider's stderr, which the engine relays to the CLI's output (the native provider sends them to the engine). */
let sink = (line: string, _severity: LogSeverity): void => {
  exitWhenOrphaned();
  process.stderr.write(`${line}\n`);
};

/** Sends log lines elsewhere (tests read them); returns the previous sink. */
export function setLogSink(next: (line: string, severity: LogSeverity) => void): (line: string, severity: LogSeverity) => void {
  const previous = sink;
  sink = next;
  return previous;
}

/** Writes a progress or diagnostic line where the user of `pulumi up` sees it. Always redacted. */
export function log(severity: LogSeverity, message: string): void {
  sink(`${severity === "warn" ? "warning: " : ""}${redact(message)}`, severity);
}

function logClientEvent(event: ClientEvent): void {
  if (event.type === "retry")
    log("info", `tailer: ${event.action} attempt ${event.attempt} failed (${event.reason}); retrying in ${event.delayMs} ms`);
  else if (event.type === "launch-adopted")
    log("warn", `tailer: launch_job's answer was lost (${event.reason}); adopted run ${event.runId} instead of launching again`);
}

/** What a TailerConfigurationStatus set in this process, so a TailerJobRun can fail fast on a disabled configuration. */
const configurationStates = new Map<string, { activated: boolean; archived: boolean }>();

/** The key of a configuration's identity. */
export function configurationKey(account: string, environment: string, configurationType: string, configurationId: string): string {
  return `${account}/${environment}/${configurationType === "gbq-to-gbq" ? "table-to-table" : configurationType}/${configurationId}`;
}

/** Records the status this deployment set on a configuration. */
export function rememberConfigurationState(key: string, state: { activated: boolean; archived: boolean }): void {
  configurationStates.set(key, state);
}

/** The status this deployment set on a configuration, if it set one. */
export function knownConfigurationState(key: string): { activated: boolean; archived: boolean } | undefined {
  return configurationStates.get(key);
}

/** The unified signature of the three resource providers. */
export type ProviderImplementation = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;
