/**
 * YAML programs on the native provider (plugin installed from its tarball), through pulumi-yaml's
 * language host: the example's statuses, job run and invoke; progress lines; a refreshed preview without
 * changes; drift made in Tailer Studio caught by preview --refresh and repaired; destroy honouring
 * onDelete; and `pulumi import` writing YAML that then previews without a change.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchOutsidePulumi, type RunningEmulator, startEmulator } from "../helpers/emulator";
import { createYamlStack, jobRunYamlProgram } from "../helpers/native";
import type { ProgramStack } from "../helpers/programs";
import { SALES_LOAD_DEV, WORLD_SEED } from "../helpers/provider";
import { REPO } from "../helpers/pulumi";

jest.setTimeout(600_000);

let env: RunningEmulator;
let stack: ProgramStack | undefined;
// Each test has its own emulator and stack: none reads what another left.
beforeEach(async () => {
  env = await startEmulator({ seed: WORLD_SEED, clockSpeed: 600 });
});
afterEach(async () => {
  stack?.dispose();
  stack = undefined;
  await env?.close();
});

const load = SALES_LOAD_DEV;
const aggregate = { ...load, configuration_id: "000099_sales_aggregate_DEV" };

async function ok(result: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const { code, stdout, stderr } = await result;
  if (code !== 0) throw new Error(`pulumi failed (${code}):\n${stdout}${stderr}`);
  return stdout + stderr;
}

test("examples/yaml: statuses, a job run and an invoke; drift caught by preview --refresh and repaired; destroy honours onDelete", async () => {
  stack = await createYamlStack(env, readFileSync(join(REPO, "examples", "yaml", "Pulumi.yaml"), "utf8"));
  const up = await ok(stack.pulumi(["up", "--yes"]));
  expect(up).toMatch(/tailer: launched run \d{8}-\d{6}-[0-9a-f-]+ of 000099_sales_load_DEV/);
  expect(up).toMatch(/tailer: run \d{8}-\d{6}-[0-9a-f-]+ of 000099_sales_load_DEV: SUCCESS/);
  const outputs = await stack.outputs();
  expect(outputs).toMatchObject({ loadConfigurationId: "000099_sales_load_DEV", loadRunStatus: "SUCCESS", aggregateRuns: [] });
  expect((await env.admin.listConfigurations(load))[0]?.activated).toBe(true);
  await ok(stack.pulumi(["preview", "--refresh", "--expect-no-changes"]));

  // Someone disables the load in Tailer Studio; the scheduler's next run comes back DEACTIVATED: the evidence.
  await env.admin.advanceClock(5);
  await env.admin.updateConfiguration({ ...load, activated: false });
  await launchOutsidePulumi(env, load);
  const drift = await stack.pulumi(["preview", "--refresh", "--expect-no-changes", "--diff"]);
  expect(drift.code).not.toBe(0);
  expect(drift.stdout).toMatch(/salesLoad/);
  expect(drift.stdout).toMatch(/~ activated\s*: false => true/);
  await ok(stack.pulumi(["up", "--refresh", "--yes"]));
  expect((await env.admin.listConfigurations(load))[0]?.activated).toBe(true);
  await ok(stack.pulumi(["preview", "--refresh", "--expect-no-changes"]));

  // The service-account key reached the provider as a secret: state holds it encrypted only, no output shows it.
  const state = await ok(stack.pulumi(["stack", "export"]));
  const key = env.emulator.devServiceAccountKey as { private_key: string; private_key_id: string };
  for (const text of [state, up, drift.stdout + drift.stderr])
    expect({ privateKey: text.includes(key.private_key.slice(40, 80)), keyId: text.includes(key.private_key_id) }).toEqual({
      privateKey: false,
      keyId: false,
    });

  await ok(stack.pulumi(["destroy", "--yes"]));
  expect((await env.admin.listConfigurations(aggregate))[0]?.activated).toBe(false);
  expect((await env.admin.listConfigurations(load))[0]?.activated).toBe(true);
});

test("a run that ends FAILED fails the up yet stays in state; the next up relaunches it once, never twice", async () => {
  stack = await createYamlStack(env, jobRunYamlProgram("runs"));
  await env.admin.scriptLaunches(load, [{ duration: 30, outcome: "FAILED" }]);
  const failed = await stack.pulumi(["up", "--yes"]);
  expect(failed.code).not.toBe(0);
  expect(failed.stdout).toMatch(/run (\d{8}-\d{6}-[0-9a-f-]+) of 000099_sales_load_DEV \(DEV\) ended FAILED after/);
  const failedRun = /run (\d{8}-\d{6}-[0-9a-f-]+) of 000099_sales_load_DEV/.exec(failed.stdout)?.[1];
  const { deployment } = JSON.parse(await ok(stack.pulumi(["stack", "export"])));
  const recorded = (deployment.resources as { type: string; id: string; outputs: { status?: string } }[]).find(
    (r) => r.type === "tailer:index:JobRun",
  );
  expect(recorded).toMatchObject({ id: failedRun, outputs: { status: "FAILED" } });

  const before = (await env.admin.listRuns(load)).length;
  await ok(stack.pulumi(["up", "--yes"]));
  expect(await stack.outputs()).toMatchObject({ status: "SUCCESS" });
  expect((await stack.outputs()).runId).not.toBe(failedRun);
  expect((await env.admin.listRuns(load)).length).toBe(before + 1);
  await ok(stack.pulumi(["preview", "--expect-no-changes"]));
});

test("pulumi import writes YAML for an existing configuration, and the program made of it previews without a change", async () => {
  const header = "name: imported\nruntime: yaml\n";
  stack = await createYamlStack(env, header);
  const file = join(stack.dir, "imported.yaml");
  await ok(
    stack.pulumi([
      "import",
      "tailer:index:ConfigurationStatus",
      "salesAggregate",
      "000099/DEV/table-to-table/000099_sales_aggregate_DEV",
      "--yes",
      "--protect=false",
      "--out",
      file,
    ]),
  );
  const generated = readFileSync(file, "utf8");
  expect(generated).toContain("type: tailer:ConfigurationStatus"); // pulumi-yaml writes the short form of tailer:index:ConfigurationStatus
  expect(generated).toContain("configurationId: 000099_sales_aggregate_DEV");
  writeFileSync(join(stack.dir, "Pulumi.yaml"), `${header}${generated}`);
  await ok(stack.pulumi(["preview", "--refresh", "--expect-no-changes"]));
  await ok(stack.pulumi(["destroy", "--yes"]));
});
