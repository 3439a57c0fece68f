/**
 * End-to-end tests of the native provider: the plugin installed from its tarball into a stack's Pulumi
 * home (`pulumi plugin install --file`), and Node.js programs in a project that installed the packed
 * packages (pulumi-tailer, and the generated SDK pulumi-tailer-native) offline, as a user's would.
 * Everything built here depends only on the sources it comes from, and is kept in node_modules/.cache.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR, digestOf, filesUnder } from "../../scripts/gen-sdk";
import { pluginTarball, pluginVersion } from "../../scripts/plugin-tarball";
import { type RunningEmulator, startEmulator } from "./emulator";
import { npmInstallEnv } from "./npm-install";
import { createProgramStack, type ProgramStack } from "./programs";
import { WORLD_SEED } from "./provider";
import { createE2EStack, type E2EStack, type EmulatorTarget, pulumiBinDir, REPO } from "./pulumi";
import { userDependencies } from "./userProject";

/** Builds `target` once: `make` fills a private folder, which then takes the target's name (a concurrent build's result wins). */
function once(target: string, make: (stage: string) => void): string {
  if (existsSync(target)) return target;
  const stage = mkdtempSync(`${target}.tmp-`);
  try {
    make(stage);
    renameSync(stage, target);
  } catch (error) {
    rmSync(stage, { recursive: true, force: true });
    if (!existsSync(target)) throw error;
  }
  return target;
}

function packInto(dir: string, packageDir: string): string {
  execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: packageDir, stdio: "ignore" });
  return join(dir, readdirSync(dir).find((f) => f.endsWith(".tgz")) as string);
}

/** The generated Node.js SDK (sdk/nodejs), compiled with the repository's TypeScript and packed. */
export function nodeSdkTarball(): string {
  const sources = join(REPO, "sdk", "nodejs");
  mkdirSync(CACHE_DIR, { recursive: true });
  const dir = once(join(CACHE_DIR, `sdk-nodejs-${digestOf(filesUnder(sources))}`), (stage) => {
    cpSync(sources, join(stage, "src"), { recursive: true });
    execFileSync(join(REPO, "node_modules", ".bin", "tsc"), ["-p", join(stage, "src", "tsconfig.json")], { stdio: "inherit" });
    cpSync(join(sources, "package.json"), join(stage, "src", "bin", "package.json"));
    mkdirSync(join(stage, "pack"));
    packInto(join(stage, "pack"), join(stage, "src", "bin"));
  });
  return join(dir, "pack", readdirSync(join(dir, "pack"))[0] as string);
}

/** This package as npm would publish it (from dist/: npm test built it). */
export function packageTarball(): string {
  const built = filesUnder(join(REPO, "dist")).filter((file) => /dist\/(provider|emulator)\//.test(file));
  mkdirSync(CACHE_DIR, { recursive: true });
  const dir = once(join(CACHE_DIR, `package-${digestOf([...built, join(REPO, "package.json")])}`), (stage) => {
    packInto(stage, REPO);
  });
  return join(dir, readdirSync(dir).find((f) => f.endsWith(".tgz")) as string);
}

/** Where installed projects are kept: outside node_modules, which npm would take for part of a package tree. */
const PROJECTS_DIR = join(REPO, ".e2e", "projects");

/** A Node.js project with both packages installed offline, and a user's dependencies (userProject.ts); programs live in its programs/ folder. */
export function nodeProject(): string {
  const packages = { "pulumi-tailer": packageTarball(), "pulumi-tailer-native": nodeSdkTarball() };
  const dependencies = userDependencies();
  const key = `${digestOf(Object.values(packages))}-${createHash("sha256").update(JSON.stringify(dependencies)).digest("hex").slice(0, 8)}`;
  mkdirSync(PROJECTS_DIR, { recursive: true });
  return once(join(PROJECTS_DIR, `project-${key}`), (stage) => {
    writeFileSync(
      join(stage, "package.json"),
      JSON.stringify({
        name: "my-data-platform",
        private: true,
        dependencies: {
          ...Object.fromEntries(Object.entries(packages).map(([name, tgz]) => [name, `file:${tgz}`])),
          ...dependencies,
        },
      }),
    );
    execFileSync("npm", ["install", "--loglevel=error"], { cwd: stage, stdio: "inherit", env: { ...process.env, ...npmInstallEnv() } });
  });
}

/** The tsconfig of test programs: strict, as a user's would be. */
const TSCONFIG = {
  compilerOptions: { strict: true, target: "ES2022", module: "nodenext", moduleResolution: "nodenext" },
  files: ["index.ts"],
};

/** A Node.js program (`index.ts`, and more Pulumi.yaml lines) in the project, with a stack for `emulator`. */
export async function createNodeStack(emulator: EmulatorTarget, index: string, pulumiYaml = ""): Promise<E2EStack> {
  const project = nodeProject();
  const source = mkdtempSync(join(CACHE_DIR, "program-"));
  writeFileSync(join(source, "Pulumi.yaml"), `name: my-data-platform\nruntime: nodejs\nmain: index.ts\n${pulumiYaml}`);
  writeFileSync(join(source, "tsconfig.json"), JSON.stringify(TSCONFIG));
  writeFileSync(join(source, "index.ts"), index);
  try {
    return await createE2EStack(source, emulator, {}, {}, join(project, "programs"));
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
}

/** Installs the plugin tarball in the stack's Pulumi home, as `pulumi plugin install --file` does for users. */
export function installPlugin(stack: { env: Record<string, string> }): void {
  execFileSync(join(pulumiBinDir(), "pulumi"), ["plugin", "install", "resource", "tailer", pluginVersion(), "--file", pluginTarball()], {
    env: { ...process.env, ...stack.env },
    stdio: "pipe",
  });
}

/** Replaces the program's index.ts (a new version of the user's program). */
export function writeProgram(stack: E2EStack, index: string): void {
  writeFileSync(join(stack.dir, "index.ts"), index);
}

/** The test file's emulator (the examples' world, 600 emulated seconds per second), started before its tests and closed after. */
export function fileEmulator(): { readonly env: RunningEmulator } {
  const holder: { env: RunningEmulator } = { env: undefined as unknown as RunningEmulator };
  beforeAll(async () => {
    holder.env = await startEmulator({ seed: WORLD_SEED, clockSpeed: 600 });
  });
  afterAll(async () => {
    await holder.env?.close();
  });
  return holder;
}

/** A YAML program of one TailerJobRun of 000099_sales_load_DEV (the examples' world), named `name`. */
export function jobRunYamlProgram(name: string): string {
  return `name: ${name}
runtime: yaml
resources:
  loadRun:
    type: tailer:index:JobRun
    properties:
      account: "000099"
      environment: DEV
      configurationType: table-to-table
      configurationId: 000099_sales_load_DEV
      pollIntervalSeconds: 0.5
outputs:
  runId: \${loadRun.runId}
  status: \${loadRun.status}
`;
}

/** A YAML project's stack wired to `emulator` (its URL, the dev service account as secret credentials), with the plugin installed. */
export async function createYamlStack(emulator: RunningEmulator, program: string): Promise<ProgramStack> {
  const stack = await createProgramStack(
    { "Pulumi.yaml": program },
    {
      config: { "tailer:apiUrl": emulator.url },
      secretConfig: { "tailer:credentials": JSON.stringify(emulator.emulator.devServiceAccountKey) },
    },
  );
  installPlugin(stack);
  return stack;
}
