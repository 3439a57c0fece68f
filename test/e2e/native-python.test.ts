/**
 * Python programs on the generated Python SDK (`pulumi_tailer`, installed into the program's virtualenv from
 * sdk/python next to PyPI's pulumi), run by the offline CLI's Python host against the native plugin (from its
 * tarball): statuses, a job run, a workflow reset and get_last_status; a refreshed preview without changes;
 * drift made through the public API caught and repaired; destroy honouring each onDelete; bad input refused.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launchOutsidePulumi, type WireIdentity } from "../helpers/emulator";
import { SALES_LOAD_DEV } from "../helpers/provider";
import { REPO } from "../helpers/pulumi";
import { pythonProject, pythonTests } from "../helpers/python";

jest.setTimeout(600_000);

const python = pythonTests();

const load: WireIdentity = SALES_LOAD_DEV;
const aggregate: WireIdentity = { ...load, configuration_id: "000099_sales_aggregate_DEV" };
const salesExport: WireIdentity = { ...load, configuration_type: "table-to-storage", configuration_id: "000099_sales_export" };
const ja: WireIdentity = { ...load, configuration_id: "000099_ja_DEV" };
const jc: WireIdentity = { ...load, configuration_id: "000099_jc_DEV" };

/**
 * The complete program of the README's "Use from Python": one configuration status per onDelete, the JT workflow
 * reset per release and then JA run, a read of JA's last success. What users copy is what runs here.
 */
const PROGRAM = /```python\n# __main__\.py\n([\s\S]*?)```/.exec(readFileSync(join(REPO, "README.md"), "utf8"))?.[1] ?? "";

test("the README has the program", () => {
  expect(PROGRAM).toMatch(/^import pulumi\nimport pulumi_tailer as tailer\n/);
});

async function ok(result: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const { code, stdout, stderr } = await result;
  if (code !== 0) throw new Error(`pulumi failed (${code}):\n${stdout}${stderr}`);
  return stdout + stderr;
}

const configuration = async (identity: WireIdentity) => (await python.env.admin.listConfigurations(identity))[0];

async function workflowMarks(): Promise<string[]> {
  const workflow = (await python.env.admin.listWorkflows()).find((w) => w.configuration_id === "000099-jt-workflow");
  return (workflow?.marks ?? []).map((m) => m.job_id).sort();
}

test("a Python program's statuses, job run, workflow reset and get_last_status: up, a refreshed preview without changes, drift made through the public API caught and repaired, destroy honouring each onDelete", async () => {
  const { env } = python;
  // JC succeeded alone before this release: a mark the reset must clear.
  await launchOutsidePulumi(env, jc);
  await env.admin.advanceClock(60);
  expect(await workflowMarks()).toEqual(["gbq-to-gbq|000099_jc_DEV"]);

  const stack = await python.stack(pythonProject("tailer-python", PROGRAM));
  const up = await ok(stack.pulumi(["up", "--yes"]));
  expect(up).toMatch(/tailer: run \d{8}-\d{6}-[0-9a-f-]+ of 000099_ja_DEV: SUCCESS/);
  const outputs = await stack.outputs();
  expect(outputs).toMatchObject({ load_configuration_id: "000099_sales_load_DEV", ja_run_status: "SUCCESS", reset_at: expect.any(String) });
  expect(outputs.ja_last_success).toBe(outputs.ja_run_id);
  expect(await workflowMarks()).toEqual(["gbq-to-gbq|000099_ja_DEV"]); // JC's mark reset, then JA ran
  for (const identity of [load, aggregate, salesExport]) expect(await configuration(identity)).toMatchObject({ activated: true });
  await ok(stack.pulumi(["preview", "--refresh", "--expect-no-changes"]));

  // Someone disables the load in Tailer Studio; the scheduler's next run comes back DEACTIVATED: the evidence.
  await env.admin.advanceClock(5);
  await env.admin.updateConfiguration({ ...load, activated: false });
  const evidence = await launchOutsidePulumi(env, load);
  expect((await env.admin.listRuns(load)).find((run) => run.run_id === evidence)?.status).toBe("DEACTIVATED");
  const drift = await stack.pulumi(["preview", "--refresh", "--expect-no-changes", "--diff"]);
  expect(drift.code).not.toBe(0);
  expect(drift.stdout).toMatch(/sales-load/);
  expect(drift.stdout).toMatch(/~ activated\s*: false => true/);
  await ok(stack.pulumi(["up", "--refresh", "--yes"]));
  expect(await configuration(load)).toMatchObject({ activated: true });
  await ok(stack.pulumi(["preview", "--refresh", "--expect-no-changes"]));
  expect(await env.admin.listRuns(ja)).toHaveLength(1); // neither the drift nor its repair launched JA again

  await ok(stack.pulumi(["destroy", "--yes"]));
  expect(await configuration(load)).toMatchObject({ activated: true, archived: false }); // onDelete keep, the default
  expect(await configuration(aggregate)).toMatchObject({ activated: false, archived: false }); // disable
  expect(await configuration(salesExport)).toMatchObject({ activated: false, archived: true }); // archive
});

test("a Python program's bad input is refused before any call, naming the field and the fix, without a Python traceback", async () => {
  const program = PROGRAM.replace('ACCOUNT = "000099"', "ACCOUNT = str(99)");
  expect(program).not.toBe(PROGRAM);
  const stack = await python.stack(pythonProject("tailer-python", program));
  await python.env.admin.clearRequests();
  const preview = await stack.pulumi(["preview"]);
  const output = preview.stdout + preview.stderr;
  expect(preview.code).not.toBe(0);
  expect(output).toMatch(/property account value .* account must have 6 digits: did you mean "000099"\?/);
  expect(output).not.toMatch(/Traceback/);
  expect(await python.env.admin.requests()).toEqual([]);
});

test("pulumi import in a Python project prints the Python code to paste into the program (the Python host's GenerateProgram)", async () => {
  const stack = await python.stack(pythonProject("tailer-python", "import pulumi_tailer as tailer\n"));
  const imported = await stack.pulumi([
    "import",
    "tailer:index:ConfigurationStatus",
    "sales-aggregate",
    "000099/DEV/table-to-table/000099_sales_aggregate_DEV",
    "--yes",
    "--protect=false",
  ]);
  expect(imported.code).toBe(0);
  expect(imported.stdout).toContain("import pulumi_tailer as tailer");
  expect(imported.stdout).toMatch(/tailer\.ConfigurationStatus\("sales-aggregate",[^)]*configuration_id="000099_sales_aggregate_DEV"/);
  expect(imported.stdout).not.toMatch(/Ctrl-C/);
});
