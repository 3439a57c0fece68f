/**
 * The native provider's log lines (a waiting run's progress, drift, retries) go to the engine's Log
 * service, attached to the resource being worked on, so the CLI shows them at the default verbosity:
 * the engine hides a native plugin's stderr unless asked for verbose logs.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as grpc from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import { type LogSeverity as Severity, setLogSink } from "../resources/providerLog";

/** The resource an operation works on, for the lines it logs. */
const current = new AsyncLocalStorage<string>();

/** Runs `operation` with its log lines attached to `urn`. */
export function forResource<T>(urn: string, operation: () => Promise<T>): Promise<T> {
  return current.run(urn, operation);
}

/** Something that takes log requests: the engine's client, or a test's recorder. */
export type LogTarget = Pick<EngineClient, "log">;

/** Sends the provider's log lines to `target` (the engine at `engineAddress` by default); returns the client to close. */
export function logToEngine(engineAddress: string, target?: LogTarget): LogTarget {
  const engine = target ?? new EngineClient(engineAddress, grpc.credentials.createInsecure());
  setLogSink((line: string, severity: Severity) => {
    const request = new LogRequest();
    request.setSeverity(severity === "warn" ? LogSeverity.WARNING : LogSeverity.INFO);
    // The CLI prints its own "warning:" before a warning.
    request.setMessage(severity === "warn" ? line.replace(/^warning: /, "") : line);
    request.setUrn(current.getStore() ?? "");
    // A line the engine cannot take (it is shutting down) is lost: nothing else to tell.
    engine.log(request, () => {});
  });
  return engine;
}
