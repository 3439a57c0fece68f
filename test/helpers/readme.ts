/**
 * The code blocks of the project's Markdown (README.md, the examples' READMEs) and a shell that runs them as a
 * user types them: one bash per block, in the folder the previous block left, each command's exit code and output
 * kept apart. What the published world provides, the tests provide from this checkout, and only that is
 * rewritten in a block: the emulator's URL (`http://127.0.0.1:8080`, a free port here, since other test files
 * run at the same time), the template's GitHub address (this checkout's template folder), where a user cloned this
 * repository (`/path/to/pulumi-tailer`) and the plugin tarball a build names by its digest.
 *
 * A block that cannot run as written is marked by an HTML comment on the line before it, which Markdown does not
 * show: `<!-- readme-test: skip (why, and which test covers it) -->`, or `<!-- readme-test: background -->` for a
 * command that serves until stopped (the emulator).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pluginVersion } from "../../scripts/plugin-tarball";
import { packageTarball } from "./native";
import { REPO } from "./pulumi";

/** A fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The file, relative to the repository. */
  file: string;
  /** The `##` section it is in, and the `###` one if any ("Use it in your project", "Provider configuration > Authentication"). */
  section: string;
  /** Its line in the file (of the opening fence), for messages. */
  line: number;
  /** The fence's language (`bash`, `typescript`, `yaml`, `python`; "" without one). */
  lang: string;
  /** The code, without the fences and without the indentation of a block inside a list. */
  code: string;
  /** The marker on the line before it: `skip` (with its reason) or `background`. */
  marker?: { mode: "skip" | "background"; reason: string };
  /** The file of a project it is, when its first line is a comment naming one (`# Pulumi.yaml`, `# __main__.py`). */
  fileName?: string;
}

/** The template's address as the README gives it to `pulumi new`. */
export const TEMPLATE_URL = "https://github.com/tailer/pulumi-tailer/tree/main/templates/typescript";

/** Where the README's user cloned this repository. */
export const REPOSITORY_PLACEHOLDER = "/path/to/pulumi-tailer";

/** The plugin tarball as the README names it: `npm run plugin-tarball` names it by the digest of what it bundles. */
export const PLUGIN_TARBALL_PLACEHOLDER = `pulumi-resource-tailer-v${pluginVersion()}-<digest>.tgz`;

/** The emulator's address as the README gives it. */
export const README_EMULATOR_URL = "http://127.0.0.1:8080";

const MARKER = /^<!--\s*readme-test:\s*(skip|background)\b\s*(.*?)\s*-->$/;

/** A first line that names the file a block is: `# Pulumi.yaml`, `# requirements.txt`, `// index.ts`. */
const FILE_NAME = /^(?:#|\/\/)\s*([\w-]+(?:\.[\w-]+)+)\s*$/;

/** Every fenced code block of `file` (a path relative to the repository), in order. */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(REPO, file), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  let h2 = "";
  let h3 = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith("## ")) [h2, h3] = [line.slice(3).trim(), ""];
    else if (line.startsWith("### ")) h3 = line.slice(4).trim();
    const fence = /^(\s*)```(\w*)\s*$/.exec(line);
    if (!fence) continue;
    const indent = fence[1]?.length ?? 0;
    const end = lines.findIndex((l, j) => j > i && l.trim() === "```");
    if (end < 0) throw new Error(`${file}:${i + 1}: a code fence is never closed`);
    const marker = MARKER.exec(lines[i - 1]?.trim() ?? "");
    const fileName = FILE_NAME.exec(lines[i + 1]?.trim() ?? "")?.[1];
    blocks.push({
      file,
      section: h3 ? `${h2} > ${h3}` : h2,
      line: i + 1,
      lang: fence[2] ?? "",
      code: `${lines
        .slice(i + 1, end)
        .map((l) => l.slice(indent))
        .join("\n")}\n`,
      ...(marker ? { marker: { mode: marker[1] as "skip" | "background", reason: (marker[2] ?? "").replace(/^\((.*)\)$/, "$1") } } : {}),
      ...(fileName ? { fileName } : {}),
    });
    i = end;
  }
  return blocks;
}

/** Where a block is, for test names and messages: `README.md:42 (Use it in your project)`. */
export function whereIs(block: CodeBlock): string {
  return `${block.file}:${block.line} (${block.section})`;
}

/** The shell commands of a block: lines joined at trailing backslashes, without blank and comment-only lines. */
export function commandsOf(code: string): string[] {
  const commands: string[] = [];
  let current = "";
  for (const line of code.split("\n")) {
    if (current === "" && (line.trim() === "" || line.trim().startsWith("#"))) continue;
    current += line;
    if (line.endsWith("\\")) current += "\n";
    else {
      commands.push(current);
      current = "";
    }
  }
  if (current !== "") commands.push(current);
  return commands;
}

/** One command of a block, as it ran. */
export interface CommandRun {
  command: string;
  code: number;
  /** Its stdout and stderr, interleaved as a terminal shows them. */
  output: string;
}

/** A user's shell: a folder and an environment that blocks run in, one after another. */
export class ShellSession {
  private readonly scratch = mkdtempSync(join(tmpdir(), "readme-shell-"));
  private readonly background: ChildProcess[] = [];

  /** `cwd`: where the first block runs; `env`: added to this process's; `rewrites`: [as written, as run here]. */
  constructor(
    public cwd: string,
    private readonly env: Record<string, string>,
    private readonly rewrites: ReadonlyArray<readonly [string, string]> = [],
  ) {}

  /** The block as it runs here: its text with the rewrites applied. */
  rewrite(code: string): string {
    return this.rewrites.reduce((text, [from, to]) => text.split(from).join(to), code);
  }

  /** Runs every command of `code` in one bash, going on after a failure; resolves with each command's run. */
  run(code: string): Promise<CommandRun[]> {
    const commands = commandsOf(this.rewrite(code));
    const cwdFile = join(this.scratch, "cwd");
    const script = [
      `cd ${JSON.stringify(this.cwd)}`,
      // The marker starts on a line of its own even after output without a final newline (curl's).
      ...commands.flatMap((command, n) => [`{ ${command}\n} 2>&1`, `printf '\\n@@readme-test %s ${n}\\n' "$?"`]),
      `pwd > ${JSON.stringify(cwdFile)}`,
    ].join("\n");
    return new Promise((done, fail) => {
      const child = spawn("bash", ["-c", script], { env: { ...process.env, ...this.env }, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      child.on("error", fail);
      child.on("close", () => {
        this.cwd = readFileSync(cwdFile, "utf8").trim();
        const runs: CommandRun[] = [];
        let rest = output;
        for (const command of commands) {
          const marker = /\n@@readme-test (\d+) \d+\n/.exec(rest);
          if (!marker) throw new Error(`the block stopped before "${command}":\n${output}`);
          runs.push({ command, code: Number(marker[1]), output: rest.slice(0, marker.index) });
          rest = rest.slice(marker.index + marker[0].length);
        }
        done(runs);
      });
    });
  }

  /** Starts a block that serves until stopped (in its own process group) and resolves once it printed `ready`. */
  start(code: string, ready: RegExp): Promise<string> {
    const child = spawn("bash", ["-c", `cd ${JSON.stringify(this.cwd)}\n${this.rewrite(code)}`], {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.background.push(child);
    let output = "";
    return new Promise((done, fail) => {
      const look = (d: Buffer) => {
        output += d;
        if (ready.test(output)) done(output);
      };
      child.stdout?.on("data", look);
      child.stderr?.on("data", look);
      child.on("close", (code) => fail(new Error(`the background block ended (${code}) before it was ready:\n${output}`)));
    });
  }

  /** Stops what `start` started (SIGTERM to each one's process group, then waits) and removes the scratch folder. */
  async close(): Promise<void> {
    await Promise.all(
      this.background.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("close", () => done());
            if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
          }),
      ),
    );
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** The examples' READMEs, relative to the repository (`examples/<name>/README.md`). */
export function exampleReadmes(): string[] {
  return readdirSync(join(REPO, "examples"))
    .map((name) => join("examples", name, "README.md"))
    .filter((file) => existsSync(join(REPO, file)))
    .sort();
}

/** A URL on a port that was free a moment ago (the README's emulator is told to listen there). */
export async function freeLocalUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return `http://127.0.0.1:${port}`;
}

/** The template as it would be published: this checkout's folder, with the packed tarball as its pulumi-tailer. */
export function publishedTemplate(into: string): string {
  const template = join(into, "template");
  cpSync(join(REPO, "templates", "typescript"), template, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(template, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  manifest.dependencies["pulumi-tailer"] = `file:${packageTarball()}`;
  writeFileSync(join(template, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return template;
}

/** Fails listing each command of `runs` that did not exit 0, with what it printed. */
export function expectSucceeded(runs: CommandRun[]): void {
  expect(runs.filter((r) => r.code !== 0).map((r) => `${r.command}: exit ${r.code}\n${r.output}`)).toEqual([]);
}
