#!/usr/bin/env node
/**
 * `pulumi-resource-tailer`: the native provider plugin. The engine starts it with its own address as
 * the last argument (after `--logtostderr`, `-v=N`, `--tracing <endpoint>`); it serves the provider on a
 * free port of 127.0.0.1 and prints the port, which is how the engine finds it.
 */
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderService } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { watchEngineAt } from "../resources/engineWatch";
import { applyProviderV8Settings } from "../resources/v8Settings";
import { logToEngine } from "./logging";
import { handlers } from "./server";

/** The engine's address among the plugin's arguments. */
export function engineAddress(args: readonly string[]): string | undefined {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--tracing") i++;
    else if (arg !== "--logtostderr" && !arg.startsWith("-v=")) rest.push(arg);
  }
  return rest[0];
}

/** Large property bags (many triggers) must not hit gRPC's default 4 MB limit. */
const MESSAGE_LIMIT_BYTES = 400 * 1024 * 1024;

/** Starts the server; resolves with it and its port. `engineCheckIntervalMs`: how often to check the engine is still there. */
export async function serve(
  args: readonly string[],
  { engineCheckIntervalMs }: { engineCheckIntervalMs?: number } = {},
): Promise<{ server: grpc.Server; port: number }> {
  const engine = engineAddress(args);
  applyProviderV8Settings(); // this process serves the provider only
  if (engine) {
    logToEngine(engine);
    // A killed pulumi cannot stop its plugins: this one exits once nothing listens at the engine's address.
    watchEngineAt(engine, engineCheckIntervalMs);
  }
  const server = new grpc.Server({
    "grpc.max_receive_message_length": MESSAGE_LIMIT_BYTES,
    "grpc.max_send_message_length": MESSAGE_LIMIT_BYTES,
  });
  server.addService(ResourceProviderService, handlers());
  return new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve({ server, port }),
    ),
  );
}

/** Runs the plugin: serves, prints the port for the engine, and reports what it cannot serve. */
export function run(args: readonly string[]): void {
  process.on("unhandledRejection", (error) => console.error(`pulumi-resource-tailer: ${String(error)}`));
  serve(args).then(
    ({ port }) => console.log(String(port)),
    (error: Error) => {
      console.error(`pulumi-resource-tailer: cannot serve: ${error.message}`);
      process.exit(1);
    },
  );
}

if (require.main === module) run(process.argv.slice(2));
