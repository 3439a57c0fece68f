/** A gRPC client of a provider plugin (ours or one on the SDK's provider.main), as the engine talks to it. */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provider from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

export { provider };

/** Calls `method` of the client with `request`; resolves with the response, rejects with the gRPC error. */
export function rpc<Res>(client: ResourceProviderClient, method: keyof ResourceProviderClient, request: unknown): Promise<Res> {
  return new Promise((resolve, reject) => {
    (client[method] as (req: unknown, cb: (error: grpc.ServiceError | null, res: Res) => void) => void).call(
      client,
      request,
      (error, res) => (error ? reject(error) : resolve(res)),
    );
  });
}

/** A client of the provider listening on 127.0.0.1:`port`. */
export function providerClient(port: number): ResourceProviderClient {
  return new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

/** A Struct of a plain object. */
export const struct = (value: Record<string, unknown>) => Struct.fromJavaScript(value as never);

/** Starts a plugin script with node; resolves with the process and the port it printed. */
export function startPlugin(script: string, args: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "ignore"] });
    child.once("error", reject);
    child.stdout?.once("data", (data: Buffer) => resolve({ child, port: Number(String(data).trim()) }));
  });
}

/** A ConfigureRequest with `variables` (`tailer:config:apiUrl` → text) and `args`. */
export function configureRequest(variables: Record<string, string>, args?: Record<string, unknown>): provider.ConfigureRequest {
  const request = new provider.ConfigureRequest();
  for (const [key, value] of Object.entries(variables)) request.getVariablesMap().set(key, value);
  if (args) request.setArgs(struct(args));
  request.setAcceptsecrets(true);
  return request;
}

/**
 * Starts `node -e <script(engineAddress)>` beside a fake engine (a listening socket), checks it keeps
 * running while the engine listens, closes the engine, and resolves with the process's exit code.
 */
export async function exitCodeOnceEngineCloses(script: (engineAddress: string) => string): Promise<number | null> {
  const engine = createServer();
  await new Promise<void>((resolve) => engine.listen(0, "127.0.0.1", resolve));
  const child = spawn(process.execPath, ["-e", script(`127.0.0.1:${(engine.address() as { port: number }).port}`)], { stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(child.exitCode).toBeNull(); // the engine is there: it keeps serving
  await new Promise((resolve) => engine.close(resolve));
  return exited;
}
