/**
 * A stack deployed with the dynamic resources moves to the native ones by changing the import and adding
 * aliases (migrateFromDynamic): the next up keeps every resource, launches nothing and calls no API.
 */
import { createNodeStack, fileEmulator, installPlugin, writeProgram } from "../helpers/native";
import { calls } from "../helpers/provider";

jest.setTimeout(600_000);

const file = fileEmulator();

const DYNAMIC = `
import { TailerConfigurationStatus, TailerJobRun, TailerWorkflowReset } from "pulumi-tailer";

const identity = { account: "000099", environment: "DEV", configurationType: "table-to-table" } as const;
const status = new TailerConfigurationStatus("load", { ...identity, configurationId: "000099_sales_load", appendEnvironmentSuffix: true });
const run = new TailerJobRun("load-run", { ...identity, configurationId: status.configurationId, pollIntervalSeconds: 0.2, triggers: { release: "1" } }, { dependsOn: [status] });
new TailerWorkflowReset("reset", { account: "000099", environment: "DEV", configurationId: "000099-jt-workflow", triggers: { release: "1" } });
export const runId = run.runId;
`;

const NATIVE = `
import * as tailer from "pulumi-tailer-native";
import { migrateFromDynamic } from "pulumi-tailer";

migrateFromDynamic();
const identity = { account: "000099", environment: "DEV", configurationType: "table-to-table" } as const;
const status = new tailer.ConfigurationStatus("load", { ...identity, configurationId: "000099_sales_load", appendEnvironmentSuffix: true });
const run = new tailer.JobRun("load-run", { ...identity, configurationId: status.configurationId, pollIntervalSeconds: 0.2, triggers: { release: "1" } }, { dependsOn: [status] });
new tailer.WorkflowReset("reset", { account: "000099", environment: "DEV", configurationId: "000099-jt-workflow", triggers: { release: "1" } });
export const runId = run.runId;
`;

test("a dynamic stack moved to the native resources keeps every resource: no replacement, no launch, no API call", async () => {
  const e2e = await createNodeStack(file.env, DYNAMIC);
  try {
    installPlugin(e2e);
    const first = await e2e.stack.up();
    const runId = first.outputs.runId?.value;
    expect(runId).toMatch(/^\d{8}-\d{6}-/);
    expect(await e2e.exportText()).toContain("pulumi-nodejs:dynamic/tailer:JobRun");

    writeProgram(e2e, NATIVE);
    await file.env.admin.clearRequests();
    const ops: Record<string, string> = {};
    const moved = await e2e.stack.up({
      onEvent: (event) => {
        const metadata = event.resOutputsEvent?.metadata;
        if (metadata) ops[metadata.urn.split("::").pop() as string] = `${metadata.type} ${metadata.op}`;
      },
    });
    expect(ops).toMatchObject({
      load: "tailer:index:ConfigurationStatus same",
      "load-run": "tailer:index:JobRun same",
      reset: "tailer:index:WorkflowReset same",
    });
    expect(moved.summary.resourceChanges?.replace).toBeUndefined();
    expect(moved.outputs.runId?.value).toBe(runId);
    expect(await calls(file.env)).toEqual([]);

    const { deployment } = JSON.parse(await e2e.exportText());
    const types = (deployment.resources as { type: string }[]).map((r) => r.type);
    expect(types.filter((t) => t.startsWith("pulumi-nodejs:dynamic"))).toEqual([]);
    expect(types.filter((t) => t.startsWith("tailer:index:")).sort()).toEqual([
      "tailer:index:ConfigurationStatus",
      "tailer:index:JobRun",
      "tailer:index:WorkflowReset",
    ]);
    await e2e.stack.preview({ expectNoChanges: true, refresh: true });
    await e2e.stack.destroy();
  } finally {
    await e2e.dispose();
  }
});
