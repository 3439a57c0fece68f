/**
 * scripts/ensure-node.sh: a Node.js release from the npm registry, installed once per machine. The version is the
 * CI matrix's first (.ci/run), which CI fetches anyway; the cache is this test's own.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

/** A project whose node_modules hold `tiny-addon` (built on Node's own C++ API: one binary per Node version) and `napi-addon` (Node-API). */
function projectWithAddons(): string {
  const dir = mkdtempSync(join(cache, "project-"));
  const addon = (name: string, pkg: object) => {
    const folder = join(dir, "node_modules", name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "package.json"), JSON.stringify({ name, version: "1.0.0", main: "build/Release/addon.node", ...pkg }));
    writeFileSync(join(folder, "binding.gyp"), JSON.stringify({ targets: [{ target_name: "addon", sources: ["addon.cc"] }] }));
    writeFileSync(
      join(folder, "addon.cc"),
      "#include <node.h>\nstatic void Init(v8::Local<v8::Object> exports) {}\nNODE_MODULE(NODE_GYP_MODULE_NAME, Init)\n",
    );
  };
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "project", version: "1.0.0", private: true }));
  addon("tiny-addon", {});
  addon("napi-addon", { dependencies: { "node-addon-api": "^7.0.0" } });
  return dir;
}

/** What `require(name)` in `dir` does on the given node: "loads" or its error. */
function requireWith(node: string, dir: string, name: string): string {
  const result = spawnSync(node, ["-e", `require(${JSON.stringify(name)}); console.log("loads")`], { cwd: dir, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : result.stderr;
}

test("--rebuild builds a native module against that Node's headers once per machine, and leaves Node-API modules alone", () => {
  const first = projectWithAddons();
  const built = ensureNode([VERSION, "--rebuild", first]);
  expect(built.status).toBe(0);
  const node = join(built.stdout.trim().split("\n").pop() as string, "node");
  expect(built.stderr).toContain(`building tiny-addon@1.0.0 in ${first} for Node.js v${VERSION}`);
  expect(built.stderr).not.toContain("napi-addon");
  expect(existsSync(join(first, "node_modules", "napi-addon", "build"))).toBe(false);
  expect(requireWith(node, first, "tiny-addon")).toBe("loads");
  // Built for that Node only: the machine's own Node (another major) refuses it.
  expect(requireWith(process.execPath, first, "tiny-addon")).toContain("compiled against a different Node.js version");

  // Another project (a fresh copy, sources only) gets the same binary without a compiler run.
  const second = mkdtempSync(join(cache, "project-"));
  cpSync(first, second, { recursive: true, filter: (path) => !path.includes("/build") });
  const again = ensureNode([VERSION, "--rebuild", second]);
  expect(again.status).toBe(0);
  expect(again.stderr).toContain(`tiny-addon@1.0.0 for Node.js v${VERSION}: built earlier on this machine`);
  expect(again.stderr).not.toContain("building");
  expect(requireWith(node, second, "tiny-addon")).toBe("loads");
});
