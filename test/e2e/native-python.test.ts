/**
 * A Python program on the generated Python SDK (pulumi_tailer, pip-installed from sdk/python next to
 * PyPI's pulumi), run by the offline CLI's Python host against the native plugin (from its tarball):
 * a status, a job run waited for, an invoke, a refreshed preview without changes, destroy.
 */
import { join } from "node:path";
import { fileEmulator, installPlugin } from "../helpers/native";
import { createProgramStack, type ProgramStack } from "../helpers/programs";
import { REPO } from "../helpers/pulumi";
import { createPythonVirtualenv, pythonProject } from "../helpers/python";

jest.setTimeout(600_000);

const file = fileEmulator();
let stack: ProgramStack | undefined;
afterEach(() => stack?.dispose());

const MAIN = `
import pulumi
import pulumi_tailer as tailer

DEV = tailer.Environment.DEV
T2T = tailer.ConfigurationType.TABLE_TO_TABLE

load = tailer.ConfigurationStatus("load", account="000099", environment=DEV, configuration_type=T2T,
                                  configuration_id="000099_sales_load", append_environment_suffix=True)
run = tailer.JobRun("load-run", account="000099", environment=DEV, configuration_type=T2T,
                    configuration_id=load.configuration_id, poll_interval_seconds=0.5,
                    triggers={"release": "2026.11.1"}, opts=pulumi.ResourceOptions(depends_on=[load]))
aggregate = tailer.get_last_status_output(account="000099", environment=DEV, configuration_type=T2T,
                                          configuration_id="000099_sales_aggregate_DEV", limit=5)

pulumi.export("configuration_id", load.configuration_id)
pulumi.export("run_status", run.status)
pulumi.export("aggregate_runs", aggregate.runs.apply(len))
`;

test("a Python program's typed resources run on the native plugin: up, progress lines, invoke, a refreshed preview without changes, destroy", async () => {
  const env = file.env;
  stack = await createProgramStack(pythonProject("tailer-python", MAIN), {
    config: { "tailer:apiUrl": env.url },
    secretConfig: { "tailer:credentials": JSON.stringify(env.emulator.devServiceAccountKey) },
  });
  await createPythonVirtualenv(join(stack.dir, "venv"), [join(REPO, "sdk", "python")]);
  installPlugin(stack);

  const up = await stack.pulumi(["up", "--yes"]);
  expect(up.stdout + up.stderr).toMatch(/tailer: run \d{8}-\d{6}-[0-9a-f-]+ of 000099_sales_load_DEV: SUCCESS/);
  expect(up.code).toBe(0);
  expect(await stack.outputs()).toEqual({ configuration_id: "000099_sales_load_DEV", run_status: "SUCCESS", aggregate_runs: 0 });
  expect((await stack.pulumi(["preview", "--refresh", "--expect-no-changes"])).code).toBe(0);
  expect((await stack.pulumi(["destroy", "--yes"])).code).toBe(0);
});
