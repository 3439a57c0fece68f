/**
 * Every code block of README.md and of the examples' READMEs runs as a user would run it, against the emulator's
 * default world, with the real CLI, in projects that installed this package's packed tarball:
 *
 * - programs (TypeScript, YAML, Python) in a fresh project each: `pulumi up` must succeed, then `destroy`;
 * - blocks whose first line names a file (`# Pulumi.yaml`, `# requirements.txt`, `# __main__.py`) are the files of
 *   their section's project, written into the folder its shell blocks run in;
 * - shell blocks in order, per README section, in a user's folder: the section's project files if it has some, else
 *   for the README a project made from the template (as "Use it in your project" leaves it), for an example a copy of
 *   its folder at `examples/<name>` in a checkout (`../../dist` built, `../../sdk` generated). The user's shell holds
 *   what the blocks name as theirs: a key file (`deployer-key.json`, `tailer-deployer.json`), `token.txt`, the CI
 *   variable `TAILER_SA_KEY_JSON`, `TAILER_API_URL` pointing at the emulator, and a `yes` to Pulumi's confirmations;
 *   pip is held to the CLI's version of PyPI's `pulumi` (`PIP_CONSTRAINT`), as the CLI here is 3.248.0.
 *
 * "Use it in your project" is the walkthrough of first-hour.test.ts. Blocks marked `skip` say why, and stay few.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { createEmulator, type Emulator } from "../../emulator";
import { pluginTarball } from "../../scripts/plugin-tarball";
import { type RunningEmulator, startEmulator } from "../helpers/emulator";
import { createNodeStack, createYamlStack, installPlugin, nodeProject } from "../helpers/native";
import { npmInstallEnv } from "../helpers/npm-install";
import { createProgramStack } from "../helpers/programs";
import { offlineEnv, PULUMI_VERSION, REPO } from "../helpers/pulumi";
import { createPythonVirtualenv, pythonProject } from "../helpers/python";
import {
  type CodeBlock,
  codeBlocks,
  exampleReadmes,
  expectSucceeded,
  freeLocalUrl,
  PLUGIN_TARBALL_PLACEHOLDER,
  README_EMULATOR_URL,
  REPOSITORY_PLACEHOLDER,
  ShellSession,
  whereIs,
} from "../helpers/readme";

jest.setTimeout(900_000);

/** Run by test/e2e/first-hour.test.ts, block after block with the API calls between. */
const WALKTHROUGH = "Use it in your project";
const RUNNABLE = ["bash", "typescript", "yaml", "python"];

const blocks = ["README.md", ...exampleReadmes()].flatMap((file) => codeBlocks(file));
const run = blocks.filter((b) => b.marker?.mode !== "skip" && !(b.file === "README.md" && b.section === WALKTHROUGH));
const programs = run.filter((b) => b.lang !== "bash" && b.fileName === undefined);
const sectionOf = (block: CodeBlock) => `${block.file} > ${block.section}`;
/** Shell blocks by file and section, in order: a user's session each. */
const sessions = new Map<string, CodeBlock[]>();
for (const block of run.filter((b) => b.lang === "bash"))
  sessions.set(sectionOf(block), [...(sessions.get(sectionOf(block)) ?? []), block]);
/** The project files each section shows, by section. */
const projectFiles = new Map<string, CodeBlock[]>();
for (const block of run.filter((b) => b.fileName !== undefined))
  projectFiles.set(sectionOf(block), [...(projectFiles.get(sectionOf(block)) ?? []), block]);

describe("the blocks", () => {
  it("are programs, project files or shell commands, and the few that cannot run as written say why", () => {
    const unrunnable = blocks.filter((b) => !RUNNABLE.includes(b.lang) && b.fileName === undefined && b.marker?.mode !== "skip");
    expect(unrunnable.map(whereIs)).toEqual([]);
    expect([...projectFiles.keys()].filter((where) => !sessions.has(where))).toEqual([]); // files are for commands to run
    const skipped = blocks.filter((b) => b.marker?.mode === "skip");
    expect(skipped.filter((b) => b.marker?.reason === "").map(whereIs)).toEqual([]);
    expect(skipped.length).toBeLessThanOrEqual(7);
  });
});

describe.each(programs.map((b) => [whereIs(b), b] as const))("the program at %s", (_where, block) => {
  let env: RunningEmulator | undefined;
  afterEach(async () => {
    await env?.close();
  });

  it("deploys against the emulator, and is destroyed", async () => {
    env = await startEmulator({ clockSpeed: 600 });
    const stack = await programStack(block, env);
    try {
      const up = await stack.pulumi(["up", "--yes"]);
      expect({ code: up.code, output: up.code === 0 ? "" : up.stdout + up.stderr }).toEqual({ code: 0, output: "" });
      expect((await stack.pulumi(["destroy", "--yes"])).code).toBe(0);
    } finally {
      stack.dispose();
    }
  });
});

/** A project of the block's program, in its language, with a stack wired to `env` and the plugin installed. */
async function programStack(block: CodeBlock, env: RunningEmulator) {
  const credentials = JSON.stringify(env.emulator.devServiceAccountKey);
  if (block.lang === "typescript") {
    const stack = await createNodeStack(env, block.code);
    installPlugin(stack); // for programs on the generated SDK
    return { pulumi: (args: string[]) => stack.cli(args), dispose: () => void stack.dispose() };
  }
  if (block.lang === "yaml") return createYamlStack(env, block.code);
  const stack = await createProgramStack(pythonProject("readme-python", block.code), {
    config: { "tailer:apiUrl": env.url },
    secretConfig: { "tailer:credentials": credentials },
  });
  await createPythonVirtualenv(join(stack.dir, "venv"), [join(REPO, "sdk", "python")]);
  installPlugin(stack);
  return stack;
}

describe.each([...sessions])("the shell blocks of %s", (_where, group) => {
  const first = group[0] as CodeBlock;
  let scratch: string | undefined;
  let session: ShellSession | undefined;
  let emulator: Emulator | undefined;
  let userCheckout: string | undefined;
  afterEach(async () => {
    await session?.close();
    await emulator?.close();
    for (const dir of [scratch, userCheckout]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("run as written, every command succeeding", async () => {
    scratch = mkdtempSync(join(tmpdir(), "tailer-readme-"));
    for (const folder of ["state", "home", "emulator"]) mkdirSync(join(scratch, folder));
    const url = await freeLocalUrl();
    const { folder, checkout } = userFolder(first, projectFiles.has(sectionOf(first)));
    userCheckout = checkout;
    // The emulator: the README's own when the section starts one, else one of the default world at that URL.
    if (!group.some((b) => b.marker?.mode === "background")) {
      emulator = createEmulator({
        clockSpeed: 600,
        stateDir: first.file === "README.md" ? join(folder, ".tailer-emulator") : join(scratch, "emulator"),
      });
      await emulator.listen({ port: Number(new URL(url).port) });
      writeUserFiles(folder, emulator);
    }
    const constraints = join(scratch, "constraints.txt");
    writeFileSync(constraints, `pulumi==${PULUMI_VERSION}\n`);
    const env = {
      ...offlineEnv(join(scratch, "state"), join(scratch, "home")),
      ...npmInstallEnv(),
      TAILER_API_URL: url,
      TAILER_EMULATOR_URL: url,
      PULUMI_SKIP_CONFIRMATIONS: "true",
      PIP_CONSTRAINT: constraints,
      ...(emulator ? { TAILER_SA_KEY_JSON: JSON.stringify(emulator.devServiceAccountKey) } : {}),
    };
    // The plugin, unless the section installs it itself.
    if (!group.some((b) => b.code.includes("pulumi plugin install"))) installPlugin({ env });
    session = new ShellSession(folder, env, [
      [README_EMULATOR_URL, url],
      [REPOSITORY_PLACEHOLDER, checkout],
      [PLUGIN_TARBALL_PLACEHOLDER, pluginTarball()],
    ]);
    const files = projectFiles.get(sectionOf(first)) ?? [];
    for (const file of files) writeFileSync(join(folder, file.fileName as string), session.rewrite(file.code));
    if (first.file === "README.md" && files.length === 0) await asUseItInYourProjectLeftIt(session);
    for (const block of group) {
      if (block.marker?.mode === "background") await session.start(block.code, /^READY /m);
      else expectSucceeded(await session.run(block.code));
    }
  });
});

/**
 * Where a section's shell blocks start, in a checkout of this repository as a user has it (`dist/` built, `sdk/`
 * generated) under a project that installed the packed tarball: an empty folder for a section that shows its
 * project's files, else the template's project for the README, the example's folder for an example.
 */
function userFolder(block: CodeBlock, hasProjectFiles: boolean): { folder: string; checkout: string } {
  const programs = join(nodeProject(), "programs"); // node_modules above: the packed tarball, installed
  mkdirSync(programs, { recursive: true });
  const checkout = mkdtempSync(join(programs, "readme-"));
  symlinkSync(join(REPO, "dist"), join(checkout, "dist"));
  // pip builds sdk/python where it is: a copy, without what earlier builds left next to the sources.
  cpSync(join(REPO, "sdk", "python"), join(checkout, "sdk", "python"), {
    recursive: true,
    filter: (source) => !/^(build|dist|__pycache__|\.mypy_cache|.*\.egg-info)$/.test(basename(source)),
  });
  const folder = join(checkout, block.file === "README.md" ? "project" : dirname(block.file));
  mkdirSync(folder, { recursive: true });
  if (hasProjectFiles) return { folder, checkout }; // the test writes them, as the README shows them
  if (block.file === "README.md") {
    const template = join(REPO, "templates", "typescript");
    const manifest = readFileSync(join(template, "Pulumi.yaml"), "utf8");
    writeFileSync(
      join(folder, "Pulumi.yaml"),
      manifest.replace(/\$\{PROJECT\}/, "sales-platform").replace(/\$\{DESCRIPTION\}/, "A sales platform"),
    );
    for (const file of ["index.ts", "tsconfig.json"]) cpSync(join(template, file), join(folder, file));
  } else {
    cpSync(join(REPO, dirname(block.file)), folder, { recursive: true });
  }
  return { folder, checkout };
}

/** The stack "Use it in your project" made: `dev`, pointed at the emulator with its key. */
async function asUseItInYourProjectLeftIt(session: ShellSession): Promise<void> {
  const setup = [
    "pulumi stack init dev",
    `pulumi config set tailer:apiUrl ${README_EMULATOR_URL}`,
    "pulumi config set tailer:credentialsFile .tailer-emulator/dev-service-account.json",
  ];
  expectSucceeded(await session.run(setup.join("\n")));
}

/** What a user has at hand: key files and a token in a file, for the emulator's dev account. */
function writeUserFiles(folder: string, emulator: Emulator): void {
  const keyJson = JSON.stringify(emulator.devServiceAccountKey);
  for (const file of ["deployer-key.json", "tailer-deployer.json"]) writeFileSync(join(folder, file), keyJson);
  writeFileSync(join(folder, "token.txt"), `${emulator.mintToken()}\n`);
}
