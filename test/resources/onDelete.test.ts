/** What `pulumi destroy` does to a configuration, said per onDelete, as users read it. */
import { configurationStatusProvider as provider } from "../../provider/resources/configurationStatusProvider";
import type { RunningEmulator } from "../helpers/emulator";
import { calls, checkedInputs, providerLog, resetWorld, startProviderEnvironment, stopProviderEnvironment } from "../helpers/provider";

const identity = { account: "000099", environment: "DEV", configurationType: "table-to-table", configurationId: "000099_sales_load_DEV" };

let env: RunningEmulator;
beforeAll(async () => {
  env = await startProviderEnvironment();
});
afterAll(() => stopProviderEnvironment(env));
beforeEach(() => resetWorld(env));

test.each([
  ["keep", /^tailer: 000099_sales_load_DEV \(DEV\) left as it is in Tailer \(onDelete: keep\)/, true, 0],
  ["disable", /^tailer: 000099_sales_load_DEV \(DEV\) disabled in Tailer \(onDelete: disable\)$/, false, 1],
  ["archive", /^tailer: 000099_sales_load_DEV \(DEV\) archived in Tailer \(onDelete: archive\)$/, false, 1],
])("onDelete %s: delete says what it did, and did it", async (onDelete, line, activated, changes) => {
  const created = await provider.create(await checkedInputs(provider, { ...identity, onDelete }));
  await env.admin.clearRequests();
  providerLog.length = 0;
  await provider.delete(String(created.id), created.outs);
  expect(providerLog).toEqual([expect.stringMatching(line)]);
  expect((await calls(env)).filter((a) => a === "set_configuration_status")).toHaveLength(changes);
  const [configuration] = await env.admin.listConfigurations({
    account: "000099",
    environment: "DEV",
    configuration_type: "table-to-table",
    configuration_id: "000099_sales_load_DEV",
  });
  expect(configuration?.activated).toBe(activated);
});

test("a configuration already gone from Tailer: delete says there was nothing to do", async () => {
  const created = await provider.create(await checkedInputs(provider, { ...identity, onDelete: "archive" }));
  await env.admin.deleteConfiguration({
    account: "000099",
    environment: "DEV",
    configuration_type: "table-to-table",
    configuration_id: "000099_sales_load_DEV",
  });
  providerLog.length = 0;
  await provider.delete(String(created.id), created.outs);
  expect(providerLog).toEqual(["tailer: 000099_sales_load_DEV (DEV) is gone from Tailer already: nothing to archive"]);
});
