/**
 * README.md's "Tested with" table, package.json's `engines` and peer range say what CI runs: the combinations are
 * read from .ci/run (its MATRIX_ variables) and from the repository's pins, never written twice by hand.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as semver from "semver";
import { REPO } from "../helpers/pulumi";

const read = (path: string) => readFileSync(join(REPO, path), "utf8");

/** A `NAME=value` or `NAME="value"` assignment of .ci/run. */
function ciVariable(name: string): string {
  const value = new RegExp(`^${name}="?([^"\\n#]*?)"?\\s*(#.*)?$`, "m").exec(read(".ci/run"))?.[1]?.trim();
  if (!value) throw new Error(`.ci/run does not set ${name}`);
  return value;
}

/** The entries of .ci/run's MATRIX_TESTS array. */
function matrixTests(): string[] {
  const body = /^MATRIX_TESTS=\(\n([\s\S]*?)\n\)/m.exec(read(".ci/run"))?.[1];
  if (!body) throw new Error(".ci/run does not set MATRIX_TESTS=( ... )");
  return body
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter(Boolean);
}

/** The default of `NAME` in scripts/ensure-pulumi.sh (`${NAME:-x}`) or scripts/pulumi-cli.ts (`|| "x"`). */
function pinnedCli(): { script: string; module: string } {
  return {
    script: /VERSION="\$\{PULUMI_VERSION:-([^}]+)\}"/.exec(read("scripts/ensure-pulumi.sh"))?.[1] ?? "",
    module: /PULUMI_VERSION = process\.env\.PULUMI_VERSION[^\n]*?\|\| "([^"]+)"/.exec(read("scripts/pulumi-cli.ts"))?.[1] ?? "",
  };
}

const packageJson = JSON.parse(read("package.json"));
const lockedTypeScript: string = JSON.parse(read("package-lock.json")).packages["node_modules/typescript"].version;
const MATRIX_TESTS_ROW = "those listed below";

/** The rows CI runs: Node, @pulumi/pulumi, CLI, TypeScript, pulumi (PyPI), which tests. */
function ciCombinations(): string[][] {
  const cli = pinnedCli().script;
  const base = [ciVariable("BASE_NODE_MAJOR"), packageJson.devDependencies["@pulumi/pulumi"], cli, lockedTypeScript, cli, "all"];
  const matrix = ciVariable("MATRIX_NODES")
    .split(/\s+/)
    .map((node) => [
      node,
      ciVariable("MATRIX_PULUMI_SDK"),
      ciVariable("MATRIX_PULUMI_CLI"),
      ciVariable("MATRIX_TYPESCRIPT"),
      ciVariable("MATRIX_PULUMI_PYTHON"),
      MATRIX_TESTS_ROW,
    ]);
  return [base, ...matrix];
}

/** The rows of the README's table under `<!-- tested-with`, cells trimmed, without the header and its rule. */
function readmeCombinations(): string[][] {
  const table = /<!-- tested-with[^\n]*-->\n((?:\|.*\n)+)/.exec(read("README.md"))?.[1];
  if (!table) throw new Error('README.md has no table after "<!-- tested-with"');
  return table
    .trim()
    .split("\n")
    .slice(2)
    .map((row) =>
      row
        .replace(/^\||\|$/g, "")
        .split("|")
        .map((cell) => cell.trim()),
    );
}

test("the README's Tested with table names exactly the combinations .ci/run runs", () => {
  expect(readmeCombinations()).toEqual(ciCombinations());
});

test("the repository pins one CLI version, in scripts/ensure-pulumi.sh and scripts/pulumi-cli.ts, the same as its @pulumi/pulumi", () => {
  const { script, module } = pinnedCli();
  expect({ script, module }).toEqual({
    script: packageJson.devDependencies["@pulumi/pulumi"],
    module: packageJson.devDependencies["@pulumi/pulumi"],
  });
});

/** The test paths the README lists under `<!-- matrix tests -->`: each item's leading code span. */
function readmeMatrixTests(): string[] {
  const list = /<!-- matrix tests -->\n((?:(?:- | {2}).*\n)+)/.exec(read("README.md"))?.[1];
  if (!list) throw new Error('README.md has no list after "<!-- matrix tests -->"');
  return [...list.matchAll(/^- `([^`]+)`/gm)].map((match) => match[1] as string);
}

test("the README lists exactly the tests .ci/run runs on the newer combinations, in its order", () => {
  expect(readmeMatrixTests()).toEqual(matrixTests());
});

test("every entry of MATRIX_TESTS exists", () => {
  const missing = matrixTests().filter((path) => !existsSync(join(REPO, path)));
  expect(matrixTests().length).toBeGreaterThan(0);
  expect(missing).toEqual([]);
});

test("engines admits exactly the Node.js majors CI tests, from Node 20's oldest the runtime dependencies accept", () => {
  const tested = new Set(ciCombinations().map(([node]) => semver.coerce(node)?.major));
  const engines: string = packageJson.engines.node;
  for (let major = 18; major <= 30; major++)
    expect({ major, admitted: semver.satisfies(`${major}.99.0`, engines) }).toEqual({ major, admitted: tested.has(major) });
  expect(semver.minVersion(engines)?.version).toBe(JSON.parse(read("node_modules/undici/package.json")).engines.node.replace(">=", ""));
});

test("the @pulumi/pulumi peer range starts at the SDK pinned here and admits the matrix's", () => {
  const peer: string = packageJson.peerDependencies["@pulumi/pulumi"];
  expect(semver.minVersion(peer)?.version).toBe(packageJson.devDependencies["@pulumi/pulumi"]);
  expect(semver.satisfies(ciVariable("MATRIX_PULUMI_SDK"), peer)).toBe(true);
});
