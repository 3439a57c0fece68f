/** The plugin process as the engine starts it: its arguments, the port it prints, and its end when the engine is gone. */
import { join } from "node:path";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { engineAddress } from "../../provider/native/main";
import { exitCodeOnceEngineCloses, providerClient, rpc, startPlugin } from "../helpers/provider-rpc";
import { REPO } from "../helpers/pulumi";

const MAIN = join(REPO, "dist", "provider", "native", "main.js");

test("the engine's address is the argument after the logging and tracing flags", () => {
  expect(engineAddress(["--logtostderr", "-v=9", "--tracing", "127.0.0.1:9", "127.0.0.1:5000"])).toBe("127.0.0.1:5000");
  expect(engineAddress(["127.0.0.1:5000"])).toBe("127.0.0.1:5000");
  expect(engineAddress([])).toBeUndefined();
});

test("pulumi-resource-tailer prints its port and answers with the package's version", async () => {
  const { child, port } = await startPlugin(MAIN);
  const client = providerClient(port);
  try {
    const info = await rpc<PluginInfo>(client, "getPluginInfo", new Empty());
    expect(info.getVersion()).toBe(require(join(REPO, "package.json")).version);
  } finally {
    client.close();
    child.kill();
  }
});

test("the plugin exits once its engine stops listening, not before", async () => {
  const script = (address: string) =>
    `require(${JSON.stringify(MAIN)}).serve([${JSON.stringify(address)}], { engineCheckIntervalMs: 100 });`;
  expect(await exitCodeOnceEngineCloses(script)).toBe(1);
});
