/**
 * scripts/ensure-node.sh: a Node.js release from the npm registry, installed once per machine. The version is the
 * CI matrix's first (.ci/run), which CI fetches anyway; the cache is this test's own.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../helpers/pulumi";

jest.setTimeout(300_000);

const VERSION = /^MATRIX_NODES="(\S+)/m.exec(readFileSync(join(REPO, ".ci", "run"), "utf8"))?.[1] as string;
const cache = mkdtempSync(join(tmpdir(), "tailer-ensure-node-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function ensureNode(args: string[], env: Record<string, string> = {}) {
  return spawnSync("bash", [join(REPO, "scripts", "ensure-node.sh"), ...args], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_TAILER_CACHE: cache, ...env },
  });
}

test("a version that is not an exact release is refused, naming the form it needs", () => {
  const result = ensureNode(["22"]);
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain("is not an exact Node.js version (MAJOR.MINOR.PATCH, e.g. 22.23.5)");
});

test("a release is installed with its headers and its bin folder printed last; then it is found without the registry", () => {
  expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  const first = ensureNode([VERSION]);
  expect(first.status).toBe(0);
  const bin = first.stdout.trim().split("\n").pop() as string;
  expect(bin).toBe(join(cache, "node", VERSION, "bin"));
  expect(spawnSync(join(bin, "node"), ["--version"], { encoding: "utf8" }).stdout.trim()).toBe(`v${VERSION}`);
  expect(existsSync(join(cache, "node", VERSION, "include", "node", "node_api.h"))).toBe(true);

  // An unreachable registry and an empty npm cache: only an installed release can answer.
  const offline = ensureNode([VERSION], { npm_config_registry: "http://127.0.0.1:9/", npm_config_cache: join(cache, "empty-npm-cache") });
  expect({ status: offline.status, stderr: offline.stderr }).toEqual({ status: 0, stderr: expect.stringContaining("already installed") });
  expect(offline.stdout.trim()).toBe(bin);
});
