/**
 * A provider process keeps WebAssembly (undici's HTTP parser) on V8's baseline tier: the optimizing tier's
 * recompilation was most of the provider's peak memory over the floor's (bench, issue 17). A program's
 * process keeps V8's defaults.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "../helpers/pulumi";

// (module (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add))
const WASM = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 9, 1, 7, 0, 32, 0, 65, 1, 106, 11,
];

/** Configures the provider in a process started as `script`, makes a WebAssembly function hot and says which tier runs it. */
function tierAfterConfigure(script: string): string {
  const clients = join(REPO, "dist", "provider", "resources", "clients.js");
  const program = [
    `process.argv[1] = ${JSON.stringify(script)};`,
    `require(${JSON.stringify(clients)}).configure({ get: (key) => ({ "tailer:apiUrl": "http://127.0.0.1:1", "tailer:token": "t" })[key] });`,
    `const f = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(${JSON.stringify(WASM)}))).exports.f;`,
    // Hot until V8 would have tiered it up (dynamic tiering), then ask which code runs it.
    "for (let i = 0; i < 2e6; i++) f(i);",
    "let n = 0; while (%IsLiftoffFunction(f) && n++ < 2e7) f(n);",
    'console.log(%IsLiftoffFunction(f) ? "baseline" : "optimized");',
  ].join("\n");
  const child = spawnSync(process.execPath, ["--allow-natives-syntax", "-e", program], { encoding: "utf8" });
  if (child.status !== 0) throw new Error(child.stderr);
  return child.stdout.trim();
}

// V8 13 (Node 24) freezes its flags once the process started: there the setting cannot apply, and changes nothing.
const flagsFrozen = Number(process.versions.v8.split(".")[0]) >= 13;

test("the dynamic-provider process, once configured, keeps a hot WebAssembly function on the baseline tier (up to Node 22)", () => {
  expect(tierAfterConfigure("/x/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js")).toBe(flagsFrozen ? "optimized" : "baseline");
});

test("a program's process (calling the read functions) keeps V8's default: a hot WebAssembly function is optimized", () => {
  expect(tierAfterConfigure("/work/program/index.js")).toBe("optimized");
});
