/** What `npm install pulumi-tailer` gives a user: what they need and nothing else (no tests, fixtures or secrets). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../helpers/pulumi";

interface PackedFile {
  path: string;
}

function packedFiles(): string[] {
  // --ignore-scripts: never rebuild dist/ under the other tests' feet; npm test built it already.
  const json = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO, encoding: "utf8" });
  return (JSON.parse(json)[0].files as PackedFile[]).map((f) => f.path).sort();
}

test("the tarball holds the compiled package, its types and source maps, the emulator, and the docs", () => {
  const files = packedFiles();
  for (const needed of [
    "package.json",
    "README.md",
    "CHANGELOG.md",
    "LICENSE",
    "emulator/README.md",
    "dist/provider/index.js",
    "dist/provider/index.d.ts",
    "dist/provider/index.js.map",
    "dist/provider/client/index.js",
    "dist/provider/resources/providerKinds.js",
    "dist/emulator/index.js",
    "dist/emulator/cli.js",
    "dist/emulator/seeds/docs.json",
    "dist/emulator/seeds/examples.json",
    "dist/emulator/seeds/history.json",
  ])
    expect(files).toContain(needed);
});

test("and nothing else: no sources, tests, fixtures, scripts, benchmarks, examples or build tools", () => {
  const unexpected = packedFiles().filter(
    (path) =>
      !/^(package\.json|README\.md|CHANGELOG\.md|LICENSE|emulator\/README\.md|dist\/(provider|emulator)\/.+\.(js|d\.ts|js\.map|d\.ts\.map|json))$/.test(
        path,
      ),
  );
  expect(unexpected).toEqual([]);
  expect(packedFiles().filter((path) => /test|fixture|\.e2e|\.pem$|\.key$|service-account\.json|\.env/.test(path))).toEqual([]);
});

test("no file in the tarball carries a private key or a token", () => {
  const destination = mkdtempSync(join(tmpdir(), "tailer-pack-"));
  execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", destination], { cwd: REPO, stdio: "ignore" });
  const tarball = readdirSync(destination).find((f) => f.endsWith(".tgz")) as string;
  execFileSync("tar", ["-xzf", join(destination, tarball), "-C", destination]);
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
  for (const file of walk(join(destination, "package"))) {
    const text = readFileSync(file, "utf8");
    expect({ file, key: /-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/]{40}/.test(text) }).toEqual({ file, key: false });
    expect({ file, jwt: /eyJ[A-Za-z0-9_-]{20,}\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/.test(text) }).toEqual({ file, jwt: false });
  }
});

test("the emulator command starts with a shebang, as npm's bin needs", () => {
  expect(readFileSync(join(REPO, "dist", "emulator", "cli.js"), "utf8").startsWith("#!/usr/bin/env node")).toBe(true);
});
