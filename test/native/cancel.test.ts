/**
 * The engine's Cancel (the user's first Ctrl-C) says what happens to operations in flight; the engine
 * also sends it when an import ends, and then, with nothing to interrupt, the plugin says nothing.
 */
import { createServer, type Server, type Socket } from "node:net";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { logToEngine } from "../../provider/native/logging";
import { handlers } from "../../provider/native/server";
import { setLogSink } from "../../provider/resources/providerLog";
import { configureRequest, provider, struct } from "../helpers/provider-rpc";

type Handler = (call: { request: unknown }, callback: (error: unknown, response?: unknown) => void) => void;
const CTRL_C = /interrupted \(Ctrl-C\): waits in progress finish first/;

let lines: string[];
let previousSink: ReturnType<typeof setLogSink>;
let hanging: Server;
const sockets: Socket[] = [];

beforeEach(async () => {
  lines = [];
  previousSink = setLogSink(() => {});
  const engine = {
    log(request: { getMessage(): string }, callback?: (error: null, response: Empty) => void) {
      lines.push(request.getMessage());
      callback?.(null, new Empty());
    },
  };
  logToEngine("", engine as never);
  // An API that takes requests and never answers: a call to it stays in flight until the test closes it.
  hanging = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  if (hanging.listening) await new Promise((resolve) => hanging.close(resolve));
  setLogSink(previousSink);
});

function call(service: Record<string, Handler>, method: string, request: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => service[method]?.({ request }, (error, response) => (error ? reject(error) : resolve(response))));
}

async function configured(): Promise<Record<string, Handler>> {
  const service = handlers() as unknown as Record<string, Handler>;
  const { port } = hanging.address() as { port: number };
  await call(
    service,
    "configure",
    configureRequest({
      "tailer:config:apiUrl": `http://127.0.0.1:${port}`,
      "tailer:config:token": "t",
      "tailer:config:retryMaxAttempts": "1",
    }),
  );
  return service;
}

test("regression: the cancel the engine sends when an import ends, with nothing in flight, prints no Ctrl-C warning", async () => {
  await call(await configured(), "cancel", new Empty());
  expect(lines.filter((line) => CTRL_C.test(line))).toEqual([]);
});

test("a cancel while a delete waits for the API says that waits in progress finish first and what a second Ctrl-C does", async () => {
  const service = await configured();
  const remove = new provider.DeleteRequest();
  remove.setUrn("urn:pulumi:dev::p::tailer:index:ConfigurationStatus::load");
  remove.setId("000099/DEV/table-to-table/000099_sales_load_DEV");
  remove.setProperties(
    struct({
      account: "000099",
      environment: "DEV",
      configurationType: "table-to-table",
      configurationId: "000099_sales_load_DEV",
      activated: true,
      archived: false,
      onDelete: "disable",
    }),
  );
  const deleting = call(service, "delete", remove).catch((error: unknown) => error);
  while (sockets.length === 0) await new Promise((resolve) => setImmediate(resolve)); // the call reached the API
  await call(service, "cancel", new Empty());
  expect(lines.filter((line) => CTRL_C.test(line))).toHaveLength(1);
  expect(lines.find((line) => CTRL_C.test(line))).toMatch(/a second Ctrl-C stops them, their runs go on in Tailer/);

  hanging.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await deleting;
  await call(service, "cancel", new Empty()); // nothing in flight any more
  expect(lines.filter((line) => CTRL_C.test(line))).toHaveLength(1);
});
