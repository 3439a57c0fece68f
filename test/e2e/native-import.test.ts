/**
 * `pulumi import` of a configuration's status and of a run launched outside Pulumi, with the plugin
 * installed from its tarball (`pulumi plugin install --file`): read returns inputs and outputs, so the
 * program that declares them then previews, refreshed, without a change.
 */
import { launchOutsidePulumi } from "../helpers/emulator";
import { createNodeStack, fileEmulator, installPlugin } from "../helpers/native";

jest.setTimeout(600_000);

const file = fileEmulator();

const PROGRAM = `
import * as tailer from "pulumi-tailer-native";

const identity = { account: "000099", environment: "DEV", configurationType: "table-to-table" } as const;
new tailer.ConfigurationStatus("sales-aggregate", { ...identity, configurationId: "000099_sales_aggregate_DEV" });
const run = new tailer.JobRun("nightly-load", { ...identity, configurationId: "000099_sales_load_DEV" });
export const runStatus = run.status;
`;

test("imported statuses and runs match the program that declares them: preview --refresh --expect-no-changes passes", async () => {
  const runId = await launchOutsidePulumi(file.env, {
    account: "000099",
    environment: "DEV",
    configuration_type: "table-to-table",
    configuration_id: "000099_sales_load_DEV",
  });
  await file.env.admin.advanceClock(600); // the run is over
  const e2e = await createNodeStack(file.env, PROGRAM);
  try {
    installPlugin(e2e);
    const flags = ["--yes", "--protect=false"];
    const status = await e2e.cli([
      "import",
      "tailer:index:ConfigurationStatus",
      "sales-aggregate",
      "000099/DEV/table-to-table/000099_sales_aggregate_DEV",
      ...flags,
    ]);
    expect(status.stderr).toBe("");
    expect(status.code).toBe(0);
    // The code to paste into the program, in the project's language (the Node.js host's GenerateProgram).
    expect(status.stdout).toContain('import * as tailer from "pulumi-tailer-native";');
    expect(status.stdout).toMatch(
      /new tailer\.ConfigurationStatus\("sales-aggregate", \{[^}]*configurationId: "000099_sales_aggregate_DEV"/,
    );
    expect(status.stdout).not.toMatch(/Ctrl-C/); // regression: the engine's cancel at the end of an import is no interruption
    const run = await e2e.cli([
      "import",
      "tailer:index:JobRun",
      "nightly-load",
      `000099/DEV/table-to-table/000099_sales_load_DEV/${runId}`,
      ...flags,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/new tailer\.JobRun\("nightly-load", \{[^}]*configurationId: "000099_sales_load_DEV"/);

    const { deployment } = JSON.parse(await e2e.exportText());
    const imported = (
      deployment.resources as { type: string; id: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }[]
    )
      .filter((r) => r.type.startsWith("tailer:index:"))
      .sort((a, b) => a.type.localeCompare(b.type));
    expect(imported.map((r) => [r.type, r.id])).toEqual([
      ["tailer:index:ConfigurationStatus", "000099/DEV/table-to-table/000099_sales_aggregate_DEV"],
      ["tailer:index:JobRun", runId],
    ]);
    expect(imported[0]?.inputs).toMatchObject({ configurationId: "000099_sales_aggregate_DEV", activated: true, archived: false });
    expect(imported[1]?.inputs).toMatchObject({ configurationId: "000099_sales_load_DEV", wait: true });
    expect(imported[1]?.outputs).toMatchObject({ runId, status: "SUCCESS" });

    await e2e.stack.preview({ expectNoChanges: true, refresh: true });
    const up = await e2e.stack.up();
    expect(up.outputs.runStatus?.value).toBe("SUCCESS");
    expect(up.summary.resourceChanges).toMatchObject({ same: 3 });
    await e2e.stack.destroy();
  } finally {
    await e2e.dispose();
  }
});

test("an import id in the wrong form is refused with the form and an example", async () => {
  const e2e = await createNodeStack(file.env, PROGRAM);
  try {
    installPlugin(e2e);
    const result = await e2e.cli([
      "import",
      "tailer:index:JobRun",
      "nightly-load",
      "000099/DEV/table-to-table/000099_sales_load_DEV",
      "--yes",
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain(
      'cannot import JobRun "000099/DEV/table-to-table/000099_sales_load_DEV": the id is <account>/<environment>/<configurationType>/<configurationId>/<runId>',
    );
  } finally {
    await e2e.dispose();
  }
});
