/**
 * What a user's Node.js project is made of in the tests that install the packed package into one: its dependencies
 * and its tsconfig.json. The CI matrix (.ci/run) runs these tests in a copy of the repository that installed the
 * newest `@pulumi/pulumi`, on other Nodes, with another TypeScript: so the versions come from what this repository
 * runs on, and from `$TAILER_TEST_TYPESCRIPT`, never from literals here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./pulumi";

/** The version of a package installed in this repository's node_modules. */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(REPO, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
}

/** The TypeScript a user's program is compiled with: `$TAILER_TEST_TYPESCRIPT` (the matrix's), else the repository's. */
export function userTypeScriptVersion(): string {
  return process.env.TAILER_TEST_TYPESCRIPT?.trim() || installedVersion("typescript");
}

/** A user's dependencies beside this package: the `@pulumi/pulumi` this repository runs on, the TypeScript above, and the running Node's types. */
export function userDependencies(): Record<string, string> {
  return {
    "@pulumi/pulumi": installedVersion("@pulumi/pulumi"),
    typescript: userTypeScriptVersion(),
    "@types/node": `^${process.versions.node.split(".")[0]}`,
  };
}

/** The tsconfig.json the README advises (section "TypeScript"), read from the README so the advice is what the tests compile with. */
export function advisedTsconfig(): { compilerOptions: Record<string, unknown>; files?: string[] } {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const block = /<!-- advised tsconfig -->\s*(?:<!--[^\n]*-->\s*)?```json\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no tsconfig.json block after "<!-- advised tsconfig -->"');
  return JSON.parse(block);
}
