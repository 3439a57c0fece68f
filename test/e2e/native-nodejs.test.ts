/**
 * A TypeScript program on the generated Node.js SDK (typed classes), with the plugin launched from the
 * installed npm package (Pulumi.yaml's plugins.providers path): up, the run's progress at the default
 * verbosity, an invoke, a refreshed preview without changes, state without a serialized provider, destroy.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createNodeStack, fileEmulator } from "../helpers/native";

jest.setTimeout(600_000);

const file = fileEmulator();

/** The plugin from the installed package: node_modules/.bin/pulumi-resource-tailer (npm links the package's bin there). */
const FROM_NPM_PACKAGE = "plugins:\n  providers:\n    - name: tailer\n      path: ../../node_modules/.bin\n";

const PROGRAM = `
import * as tailer from "pulumi-tailer-native";

const identity = { account: "000099", environment: "DEV", configurationType: "table-to-table" } as const;
const status = new tailer.ConfigurationStatus("load", { ...identity, configurationId: "000099_sales_load", appendEnvironmentSuffix: true });
const run = new tailer.JobRun("load-run", { ...identity, configurationId: status.configurationId, pollIntervalSeconds: 0.2 }, { dependsOn: [status] });
export const configurationId: tailer.ConfigurationStatus["configurationId"] = status.configurationId;
export const runStatus = run.status;
export const lastRuns = tailer.getLastStatusOutput({ ...identity, configurationId: "000099_sales_load_DEV" }).runs.apply((runs) => runs.length);
`;

test("a TypeScript program's typed resources run on the plugin of the installed npm package, progress lines shown at the default verbosity", async () => {
  const e2e = await createNodeStack(file.env, PROGRAM, FROM_NPM_PACKAGE);
  try {
    // The SDK's types are real: the program type-checks, and a wrong environment does not.
    const tsc = join(e2e.dir, "..", "..", "node_modules", ".bin", "tsc");
    execFileSync(tsc, ["--noEmit", "-p", e2e.dir], { stdio: "inherit" });
    writeFileSync(join(e2e.dir, "wrong.ts"), PROGRAM.replace('environment: "DEV"', 'environment: "dev"'));
    // A project file, not a file on the command line: TypeScript 6 refuses that next to a tsconfig.json (TS5112).
    writeFileSync(join(e2e.dir, "wrong.tsconfig.json"), JSON.stringify({ extends: "./tsconfig.json", files: ["wrong.ts"] }));
    const refused = spawnSync(tsc, ["--noEmit", "-p", join(e2e.dir, "wrong.tsconfig.json")], { encoding: "utf8" });
    expect(refused.status).not.toBe(0);
    expect(refused.stdout).toMatch(/Type '"dev"' is not assignable/);
    rmSync(join(e2e.dir, "wrong.ts"));
    rmSync(join(e2e.dir, "wrong.tsconfig.json"));

    let output = "";
    const up = await e2e.stack.up({ onOutput: (text) => (output += text) });
    expect(up.outputs.configurationId?.value).toBe("000099_sales_load_DEV");
    expect(up.outputs.runStatus?.value).toBe("SUCCESS");
    expect(up.outputs.lastRuns?.value).toBe(0);
    expect(output).toMatch(/tailer: launched run \d{8}-\d{6}-[0-9a-f-]+ of 000099_sales_load_DEV/);
    expect(output).toMatch(/tailer: run \d{8}-\d{6}-[0-9a-f-]+ of 000099_sales_load_DEV: SUCCESS, \d+s elapsed/);
    const [configuration] = await file.env.admin.listConfigurations({
      account: "000099",
      environment: "DEV",
      configuration_type: "table-to-table",
      configuration_id: "000099_sales_load_DEV",
    });
    expect(configuration?.activated).toBe(true);

    await e2e.stack.preview({ expectNoChanges: true, refresh: true });
    const state = await e2e.exportText();
    expect(state).toContain('"type": "tailer:index:JobRun"');
    expect(state).not.toContain("__provider");
    expect(state).not.toContain("pulumi-nodejs:dynamic");
    await e2e.stack.destroy();
  } finally {
    await e2e.dispose();
  }
});
