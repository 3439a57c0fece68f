/**
 * A user's own Pulumi program outside this repository: the packed tarball installed into a fresh project (from the
 * tarball, and the npm cache or registry), then `pulumi up`. This is where closure serialization of code in
 * node_modules, missing files and wrong exports would show. The project's `@pulumi/pulumi`, TypeScript and tsconfig
 * are the CI matrix's combination (test/helpers/userProject.ts): the repository's pins, or the newest SDK and TypeScript.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import * as semver from "semver";
import { type RunningEmulator, startEmulator } from "../helpers/emulator";
import { WORLD_SEED } from "../helpers/provider";
import { offlineEnv, PULUMI_VERSION, pulumiBinDir, REPO } from "../helpers/pulumi";
import { advisedTsconfig, userDependencies } from "../helpers/userProject";

jest.setTimeout(600_000);

let env: RunningEmulator;
const scratch = mkdtempSync(join(tmpdir(), "tailer-consumer-"));
const project = join(scratch, "my-data-platform");

beforeAll(async () => {
  env = await startEmulator({ seed: WORLD_SEED, clockSpeed: 600 });
  execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", scratch], { cwd: REPO, stdio: "ignore" });
  const tarball = join(scratch, readdirSync(scratch).find((f) => f.endsWith(".tgz")) as string);
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({
      name: "my-data-platform",
      private: true,
      dependencies: { "pulumi-tailer": `file:${tarball}`, ...userDependencies() },
    }),
  );
  writeFileSync(join(project, "Pulumi.yaml"), "name: my-data-platform\nruntime: nodejs\nmain: index.ts\n");
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify(advisedTsconfig()));
  writeFileSync(
    join(project, "index.ts"),
    [
      'import { TailerConfigurationStatus, TailerJobRun, getLastStatus } from "pulumi-tailer";',
      'const identity = { account: "000099", environment: "DEV" as const, configurationType: "table-to-table" as const };',
      'const status = new TailerConfigurationStatus("load", { ...identity, configurationId: "000099_sales_load", appendEnvironmentSuffix: true });',
      'const run = new TailerJobRun("load-run", { ...identity, configurationId: status.configurationId, pollIntervalSeconds: 0.2 }, { dependsOn: [status] });',
      "export const runStatus = run.status;",
      'export const lastRuns = getLastStatus({ ...identity, configurationId: "000099_sales_load_DEV" }).then((r) => r.runs.length);',
      "",
    ].join("\n"),
  );
  // The npm cache first: the repository's install put the baseline's packages there; the matrix's TypeScript may be new.
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project, stdio: "inherit" });
});

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await env?.close();
});

test("the project runs the combination's @pulumi/pulumi and TypeScript", () => {
  const installed = (name: string) => JSON.parse(readFileSync(join(project, "node_modules", name, "package.json"), "utf8")).version;
  const wanted = userDependencies();
  expect({ sdk: installed("@pulumi/pulumi"), typescript: installed("typescript") }).toEqual({
    sdk: wanted["@pulumi/pulumi"],
    typescript: wanted.typescript,
  });
});

test("pulumi up runs the installed package's resources, the state points at node_modules, not at this repository, and refresh and destroy work once the project folder moved", async () => {
  mkdirSync(join(scratch, "state"));
  mkdirSync(join(scratch, "home"));
  const envVars = offlineEnv(join(scratch, "state"), join(scratch, "home"));
  const pulumiCommand = await PulumiCommand.get({
    root: resolve(pulumiBinDir(), ".."),
    version: semver.parse(PULUMI_VERSION) ?? undefined,
  });
  const stack = await LocalWorkspace.createOrSelectStack({ stackName: "dev", workDir: project }, { envVars, pulumiCommand });
  await stack.setAllConfig({
    "tailer:apiUrl": { value: env.url },
    "tailer:credentials": { value: JSON.stringify(env.emulator.devServiceAccountKey), secret: true },
  });
  const up = await stack.up();
  expect(up.outputs.runStatus?.value).toBe("SUCCESS");
  expect(up.outputs.lastRuns?.value).toBe(0);
  const exported = JSON.stringify((await stack.exportStack()).deployment);
  expect(exported).toContain("node_modules/pulumi-tailer/dist/provider/resources/providerKinds.js");
  expect(exported).not.toContain(REPO);
  await stack.preview({ expectNoChanges: true, refresh: true });

  // The state names the old folder's node_modules; the package is loaded from where the program now runs.
  const moved = join(scratch, "renamed", "my-data-platform");
  mkdirSync(join(scratch, "renamed"));
  renameSync(project, moved);
  try {
    const there = await LocalWorkspace.selectStack({ stackName: "dev", workDir: moved }, { envVars, pulumiCommand });
    await there.preview({ expectNoChanges: true, refresh: true });
    const destroyed = await there.destroy();
    expect(destroyed.summary.resourceChanges?.delete).toBe(3);
  } finally {
    renameSync(moved, project); // the installed project stays where the file's other test looks for it (any order)
  }
});
