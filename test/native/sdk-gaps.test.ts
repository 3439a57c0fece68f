/**
 * Why the plugin serves gRPC itself (provider/native/server.ts) instead of through @pulumi/pulumi's
 * provider.main: each gap of the SDK's server (3.248) is pinned by a test that fails once the SDK
 * changes (then reconsider using it), next to the test that shows our server closing it.
 */

import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { serve } from "../../provider/native/main";
import { SECRET_SIGNATURE, SIGNATURE_KEY } from "../../provider/native/properties";
import { closeClients } from "../../provider/resources/clients";
import { launchOutsidePulumi, type RunningEmulator, startEmulator } from "../helpers/emulator";
import { WORLD_SEED } from "../helpers/provider";
import { configureRequest, provider, providerClient, rpc, startPlugin, struct } from "../helpers/provider-rpc";

jest.setTimeout(60_000);

const URN = "urn:pulumi:dev::project::tailer:index:ConfigurationStatus::load";
const secret = (value: unknown) => ({ [SIGNATURE_KEY]: SECRET_SIGNATURE, value });
const identity = { account: "000099", environment: "DEV", configurationType: "table-to-table", configurationId: "000099_sales_load_DEV" };

function checkRequest(news: Record<string, unknown>, urn = URN): provider.CheckRequest {
  return new provider.CheckRequest()
    .setUrn(urn)
    .setType(urn.split("::")[2] as string)
    .setOlds(struct({}))
    .setNews(struct(news));
}

function diffRequest(olds: Record<string, unknown>, news: Record<string, unknown>): provider.DiffRequest {
  return new provider.DiffRequest()
    .setId("000099/DEV/table-to-table/000099_sales_load_DEV")
    .setUrn(URN)
    .setType("tailer:index:ConfigurationStatus")
    .setOlds(struct(olds))
    .setNews(struct(news));
}

describe("the SDK's provider server (provider.main, 3.248) has the gaps our server closes", () => {
  let plugin: ChildProcess;
  let client: ResourceProviderClient;
  beforeAll(async () => {
    const started = await startPlugin(join(__dirname, "fixtures", "sdk-provider.js"));
    plugin = started.child;
    client = providerClient(started.port);
  });
  afterAll(() => {
    client?.close();
    plugin?.kill();
  });

  test("Configure is dropped: the provider never sees the tailer:* config", async () => {
    await rpc(client, "configure", configureRequest({ "tailer:config:apiUrl": "http://127.0.0.1:1" }, { apiUrl: "http://127.0.0.1:1" }));
    const checked = await rpc<provider.CheckResponse>(client, "check", checkRequest({ a: 1 }));
    expect(checked.getInputs()?.toJavaScript()).toMatchObject({ apiUrl: "(none)" });
  });

  test("an import's Read, which carries no properties, fails", async () => {
    const read = new provider.ReadRequest().setId("x").setUrn(URN).setType("tailer:index:ConfigurationStatus");
    await expect(rpc(client, "read", read)).rejects.toThrow(/toJavaScript|undefined/);
  });

  test("CheckConfig and DiffConfig answer UNIMPLEMENTED", async () => {
    await expect(rpc(client, "checkConfig", checkRequest({}))).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    await expect(rpc(client, "diffConfig", diffRequest({}, {}))).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
  });

  test("Diff sends no detailed diff, whatever the provider returns", async () => {
    const diff = await rpc<provider.DiffResponse>(client, "diff", diffRequest({ account: "000099" }, { account: "000098" }));
    expect(diff.getReplacesList()).toEqual(["account"]);
    expect(diff.getHasdetaileddiff()).toBe(false);
    expect(diff.getDetaileddiffMap().getLength()).toBe(0);
  });

  test("secret inputs reach the provider wrapped in Pulumi's signature object", async () => {
    const checked = await rpc<provider.CheckResponse>(client, "check", checkRequest({ configurationId: secret("x") }));
    expect(checked.getInputs()?.toJavaScript()).toMatchObject({ news: { configurationId: secret("x") } });
  });
});

describe("our server closes each gap", () => {
  let env: RunningEmulator;
  let client: ResourceProviderClient;
  let server: grpc.Server;
  const settings = () => ({
    "tailer:config:apiUrl": env.url,
    "tailer:config:credentials": JSON.stringify(env.emulator.devServiceAccountKey),
  });
  beforeAll(async () => {
    env = await startEmulator({ seed: WORLD_SEED, clockSpeed: 600 });
    const served = await serve([]);
    server = served.server;
    client = providerClient(served.port);
  });
  afterAll(async () => {
    client?.close();
    server?.forceShutdown();
    await closeClients();
    await env?.close();
  });

  async function lastRuns(): Promise<unknown> {
    const invoke = new provider.InvokeRequest().setTok("tailer:index:getLastStatus").setArgs(struct(identity));
    return (await rpc<provider.InvokeResponse>(client, "invoke", invoke)).getReturn()?.toJavaScript();
  }

  test("Configure's variables configure the provider: an invoke then reaches the emulator", async () => {
    await rpc(client, "configure", configureRequest(settings()));
    await env.admin.clearRequests();
    expect(await lastRuns()).toEqual({ runs: [] });
    expect((await env.admin.requests()).map((r) => r.action)).toEqual(["get_last_status"]);
  });

  test("Configure's args (an explicit provider's inputs, secrets wrapped) win over its variables", async () => {
    const args = { apiUrl: env.url, credentials: secret(JSON.stringify(env.emulator.devServiceAccountKey)) };
    await rpc(client, "configure", configureRequest({ "tailer:config:apiUrl": "http://127.0.0.1:1" }, args));
    expect(await lastRuns()).toEqual({ runs: [] });
  });

  test("an import's Read, with only the id, returns the inputs and outputs the id names", async () => {
    await rpc(client, "configure", configureRequest(settings()));
    const runId = await launchOutsidePulumi(env, {
      account: "000099",
      environment: "DEV",
      configuration_type: "table-to-table",
      configuration_id: "000099_sales_load_DEV",
    });
    const read = new provider.ReadRequest()
      .setId(`000099/DEV/table-to-table/000099_sales_load_DEV/${runId}`)
      .setUrn("urn:pulumi:dev::project::tailer:index:JobRun::run")
      .setType("tailer:index:JobRun");
    const answer = await rpc<provider.ReadResponse>(client, "read", read);
    expect(answer.getId()).toBe(runId);
    expect(answer.getInputs()?.toJavaScript()).toMatchObject({ ...identity, wait: true, timeoutSeconds: 3600 });
    expect(answer.getInputs()?.toJavaScript()).not.toHaveProperty("runId");
    expect(answer.getProperties()?.toJavaScript()).toMatchObject({ runId, jobId: "gbq-to-gbq|000099_sales_load_DEV" });
  });

  test("CheckConfig names a bad setting and its fix; DiffConfig reports a change and never a replacement", async () => {
    const checked = await rpc<provider.CheckResponse>(client, "checkConfig", checkRequest({ retryMaxAttempts: "many", apiUrl: env.url }));
    expect(checked.getFailuresList().map((f) => [f.getProperty(), f.getReason()])).toEqual([
      [
        "retryMaxAttempts",
        'TAILER_INVALID_REQUEST: config tailer:retryMaxAttempts must be a number >= 1 (got "many"). pulumi config set tailer:retryMaxAttempts <number>',
      ],
    ]);
    const diff = await rpc<provider.DiffResponse>(client, "diffConfig", diffRequest({ apiUrl: "http://a" }, { apiUrl: "http://b" }));
    expect(diff.getChanges()).toBe(provider.DiffResponse.DiffChanges.DIFF_SOME);
    expect(diff.getReplacesList()).toEqual([]);
  });

  test("Diff sends a detailed diff: what changes, and what replaces", async () => {
    const olds = { ...identity, activated: true, archived: false, onDelete: "keep" };
    const diff = await rpc<provider.DiffResponse>(
      client,
      "diff",
      diffRequest(olds, { ...olds, configurationId: "000099_sales_aggregate_DEV", activated: false }),
    );
    expect(diff.getReplacesList()).toEqual(["configurationId"]);
    expect(diff.getHasdetaileddiff()).toBe(true);
    const detailed: Record<string, number> = {};
    diff.getDetaileddiffMap().forEach((change, key) => {
      detailed[key] = change.getKind();
    });
    expect(detailed).toEqual({ configurationId: provider.PropertyDiff.Kind.UPDATE_REPLACE, activated: provider.PropertyDiff.Kind.UPDATE });
  });

  test("secret inputs come back wrapped from check", async () => {
    const checked = await rpc<provider.CheckResponse>(
      client,
      "check",
      checkRequest({ ...identity, configurationId: secret("000099_sales_load_DEV") }),
    );
    expect(checked.getFailuresList()).toEqual([]);
    expect(checked.getInputs()?.toJavaScript()).toMatchObject({ configurationId: secret("000099_sales_load_DEV"), activated: true });
  });
});
