/**
 * A provider process runs V8 with the settings that keep its peak memory near the no-op floor's (bench, issue 17):
 * WebAssembly (undici's HTTP parser) on the baseline tier, and no allocation-site pretenuring. A program's process
 * keeps V8's defaults.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "../helpers/pulumi";

const DYNAMIC_PROVIDER = "/x/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js";
const PROGRAM = "/work/program/index.js";

// (module (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add))
const WASM = [
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 9, 1, 7, 0, 32, 0, 65, 1, 106, 11,
];

/** Runs `workload` in a node process started as `script`, after the provider's `configure`; returns its stdout. */
function afterConfigure(script: string, workload: readonly string[], nodeFlags: readonly string[]): string {
  const clients = join(REPO, "dist", "provider", "resources", "clients.js");
  const program = [
    `process.argv[1] = ${JSON.stringify(script)};`,
    `require(${JSON.stringify(clients)}).configure({ get: (key) => ({ "tailer:apiUrl": "http://127.0.0.1:1", "tailer:token": "t" })[key] });`,
    ...workload,
  ].join("\n");
  const child = spawnSync(process.execPath, [...nodeFlags, "-e", program], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(child.stderr);
  return child.stdout;
}

/** Makes a WebAssembly function hot and says which tier runs it. */
function wasmTier(script: string): string {
  const workload = [
    `const f = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(${JSON.stringify(WASM)}))).exports.f;`,
    // Hot until V8 would have tiered it up (dynamic tiering), then ask which code runs it.
    "for (let i = 0; i < 2e6; i++) f(i);",
    "let n = 0; while (%IsLiftoffFunction(f) && n++ < 2e7) f(n);",
    'console.log(%IsLiftoffFunction(f) ? "baseline" : "optimized");',
  ];
  return afterConfigure(script, workload, ["--allow-natives-syntax"]).trim();
}

/**
 * Keeps every object of one allocation site alive across young collections, with the young generation at its
 * maximum size from the start (where V8 turns "maybe tenure" into "tenure"), and counts V8's decisions to
 * pretenure a site made after `configure`. The marker goes through V8's own stdout buffer, as its trace does.
 */
function tenureDecisions(script: string): number {
  const workload = [
    '%DebugPrint("-configured-");',
    "function make(i) { return { i, list: [i] }; }",
    "const kept = [];",
    "for (let round = 0; round < 100; round++) { for (let i = 0; i < 5e4; i++) kept.push(make(i)); if (kept.length > 1e6) kept.length = 0; }",
  ];
  const trace = afterConfigure(script, workload, ["--allow-natives-syntax", "--max-semi-space-size=1", "--trace-pretenuring-statistics"]);
  const marker = trace.indexOf("-configured-");
  if (marker < 0) throw new Error(`no marker in V8's output: the workload did not run after configure\n${trace.slice(0, 2000)}`);
  const afterConfigureLines = trace.slice(marker).split("\n");
  return afterConfigureLines.filter((line) => line.endsWith("=> tenure")).length;
}

// V8 13 (Node 24) freezes its flags once the process started: there the settings cannot apply, and change nothing.
const flagsFrozen = Number(process.versions.v8.split(".")[0]) >= 13;

test("the dynamic-provider process, once configured, keeps a hot WebAssembly function on the baseline tier (up to Node 22)", () => {
  expect(wasmTier(DYNAMIC_PROVIDER)).toBe(flagsFrozen ? "optimized" : "baseline");
});

test("a program's process (calling the read functions) keeps V8's default: a hot WebAssembly function is optimized", () => {
  expect(wasmTier(PROGRAM)).toBe("optimized");
});

test("the dynamic-provider process, once configured, never pretenures an allocation site whose objects survive (up to Node 22)", () => {
  const decisions = tenureDecisions(DYNAMIC_PROVIDER);
  if (flagsFrozen) expect(decisions).toBeGreaterThan(0);
  else expect(decisions).toBe(0);
});

test("a program's process keeps V8's default: an allocation site whose objects survive is pretenured", () => {
  expect(tenureDecisions(PROGRAM)).toBeGreaterThan(0);
});
