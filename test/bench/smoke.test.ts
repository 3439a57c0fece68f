/**
 * The benchmark's smoke run (`node dist/bench/run.js --quick`: N = 5, one repetition, short runs), so
 * `npm run bench` cannot rot. It asserts that every section ran and wrote well-formed results; it sets
 * no timing threshold (the figures of a smoke run on a shared machine mean nothing). The call counts
 * from the request log are exact, not timings, and are asserted.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BenchResults } from "../../bench/results";

// Generous: the smoke run is ~3 min on a quiet machine and twice that on a contended one; no figure is bounded.
jest.setTimeout(900_000);

const REPO = resolve(__dirname, "..", "..");
let out: string;
let results: Required<BenchResults>;
let markdown: string;
let stderr = "";

beforeAll(async () => {
  // npm test builds dist/ but not the benchmark: compile it as `npm run bench` does.
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(REPO, "bench")], { stdio: "inherit" });
  out = mkdtempSync(join(tmpdir(), "tailer-bench-smoke-"));
  const code = await new Promise<number>((done) => {
    const child = spawn(process.execPath, [join(REPO, "dist", "bench", "run.js"), "--quick", "--out", out], {
      cwd: REPO,
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (c) => done(c ?? -1));
  });
  if (code !== 0) throw new Error(`the quick benchmark exited ${code}:\n${stderr}`);
  results = JSON.parse(readFileSync(join(out, "latest.json"), "utf8"));
  markdown = readFileSync(join(out, "latest.md"), "utf8");
});

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);

test("the run is described: quick, the command, the machine and the versions", () => {
  expect(results).toMatchObject({ schema: "pulumi-tailer-bench/1", quick: true });
  expect(finite(results.durationSeconds)).toBe(true);
  expect(results.machine.cores).toBeGreaterThan(0);
  expect(results.machine.pulumiCli).toMatch(/^\d+\.\d+\.\d+/);
  expect(results.machine.packages["@pulumi/pulumi"]).toMatch(/^\d+\.\d+\.\d+/);
});

const PHASES = ["up", "refresh", "destroy"] as const;

test("items 1, 3 and 7: both programs timed for up, refresh and destroy, ratios and memory are figures", () => {
  const size = results.engine.sizes[0]!;
  expect(size.n).toBe(5);
  for (const which of ["ours", "floor"] as const) for (const phase of PHASES) expect(finite(size.ms[which][phase].median)).toBe(true);
  for (const phase of PHASES) expect(size.ratio[phase]).toBeGreaterThan(0);
  expect(size.peakRssKb.ours.dynamicProvider).toBeGreaterThan(0);
  expect(size.peakRssKb.floor.dynamicProvider).toBeGreaterThan(0);
  expect(results.engine.emulatorPeakRssKb).toBeGreaterThan(0);
  const latency = results.engine.latency[0]!;
  expect(latency).toMatchObject({ n: 5, latencyMs: 150, parallel: null });
  expect(finite(latency.addedMs)).toBe(true);
});

test("item 2: one call per configuration status on up and on a no-change refresh, none on destroy, one token per up", () => {
  const size = results.engine.sizes[0]!;
  expect(size.callsPerResource).toEqual({ up: 1, refresh: 1, destroy: 0 });
  expect(size.upActions).toEqual({ set_configuration_status: 5 });
  expect(size.tokensPerUp).toEqual([1]);
});

test("item 4: the curl recipe set every configuration, one token command per call", () => {
  expect(results.curl).toMatchObject({ n: 5, scriptCalls: 5, scriptOk: 5, scriptTokenCommands: 5 });
  expect(results.curl.speedup).toBeGreaterThan(0);
});

test("items 5 and 6: client and emulator throughput over both protocols, without errors", () => {
  expect(results.client.protocols.map((p) => p.negotiated)).toEqual(["1.1", "2.0"]);
  for (const p of results.client.protocols) {
    expect(p.raw.callsPerSecond.median).toBeGreaterThan(0);
    expect(p.client.callsPerSecond.median).toBeGreaterThan(0);
    expect(p.raw.errors + p.client.errors).toBe(0);
  }
  expect(results.emulator.requestsPerSecond).toBeGreaterThan(0);
  expect(results.emulator).toMatchObject({ connections: 64, errors: 0, internalErrors: 0 });
  expect(finite(results.emulator.latencyMs.p99)).toBe(true);
});

test("item 8: a first run, a stated duration and a usual run measured; without history the status calls match the provider's schedule", () => {
  expect(results.runs.cases.map((c) => [c.durationSeconds, c.history])).toEqual([
    [1, "none"],
    [60, "stated"],
    [60, "usual"],
  ]);
  for (const c of results.runs.cases) {
    expect(finite(c.median.endToReturnSeconds)).toBe(true);
    expect(c.median.statusCalls).toBeGreaterThan(0);
    // The schedule is deterministic; the calls' own round trips may shift the boundary by a call.
    if (c.model) expect(Math.abs(c.median.statusCalls - c.model.statusCalls)).toBeLessThanOrEqual(2);
  }
});

test("issue 13: the native provider, the dynamic resources and the floor timed; native state carries no serialized provider; the plugin's memory measured", () => {
  const size = results.native.sizes[0]!;
  expect(size.n).toBe(3);
  for (const which of ["native", "dynamic", "floor"] as const)
    for (const phase of PHASES) expect(finite(size.ms[which][phase].median)).toBe(true);
  expect(size.stateBytes.native).toBeLessThan(size.stateBytes.dynamic);
  expect(size.peakRssKb.native.nativeProvider).toBeGreaterThan(0);
  expect(size.peakRssKb.dynamic.dynamicProvider).toBeGreaterThan(0);
  expect(markdown).toContain("## The native provider (issue 13)");
  expect(results.targets.map((t) => t.item)).toContain(13);
});

test("issue 17: the scale rows run at more than one N and fit a growth exponent for every series of every program", () => {
  expect(results.native.sizes.map((z) => z.n)).toEqual([3, 6, 9]);
  for (const program of ["native", "dynamic", "floor"] as const)
    for (const series of ["up", "refresh", "destroy", "stateBytes"] as const)
      expect(finite(results.native.growth[program][series])).toBe(true);
  expect(markdown).toContain("Growth exponents k");
});

test("issue 17: at the largest N destroy is not timed, says so, and is fitted over the N where it was; up and refresh are timed there", () => {
  const largest = results.native.sizes[2]!;
  for (const program of ["native", "dynamic", "floor"] as const) {
    expect(largest.ms[program].destroy.samples).toEqual([]);
    expect(finite(largest.ms[program].up.median)).toBe(true);
    expect(finite(largest.ms[program].refresh.median)).toBe(true);
    expect(largest.stateBytes[program]).toBeGreaterThan(0);
  }
  expect(markdown).toContain("least squares over N = 3, 6, 9; destroy over N = 3, 6;");
  expect(markdown).toContain("Destroy is not timed at N = 9");
});

test("issue 17: the profile splits each command between the engine, the provider process and the program, and sizes what each resource stores", () => {
  const { ours, floor } = results.profile.programs;
  for (const program of [ours, floor])
    for (const phase of PHASES) {
      expect(finite(program.phases[phase].ms)).toBe(true);
      expect(program.phases[phase].engine?.cpuMs).toBeGreaterThan(0);
      expect(program.phases[phase].node.dynamicProvider?.busyMs).toBeGreaterThan(0);
    }
  expect(ours.phases.up.node.program?.busyMs).toBeGreaterThan(0);
  // Only our provider runs pulumi-tailer's code; the floor's never does.
  expect(ours.phases.up.node.dynamicProvider?.oursInclusiveMs).toBeGreaterThan(0);
  expect(floor.phases.up.node.dynamicProvider?.oursInclusiveMs).toBe(0);
  // The loader is stored twice per resource (inputs and outputs), far smaller than a serialized closure.
  expect(ours.providerBytesPerResource).toBeGreaterThan(0);
  expect(ours.providerBytesPerResource).toBeLessThan(1024);
  expect(ours.providerBytesPerResource).toBeLessThan(floor.providerBytesPerResource);
  expect(markdown).toContain("## Where the time goes (issue 17)");
  // Issue 17's targets are in the table with a verdict, never "no target".
  const targets = results.targets.filter((t) => t.target.includes("issue"));
  expect(targets.map((t) => t.what)).toEqual([
    "ours / floor at N = 5 (up, preview --refresh, destroy)",
    "peak RSS of the dynamic-provider process over the floor's, N = 5",
  ]);
  for (const t of targets) expect(typeof t.met).toBe("boolean");
});

test("issue 17: the run's time is split by section, in the order they ran, and by scale size", () => {
  const sections = Object.entries(results.sectionSeconds);
  expect(sections.map(([name]) => name)).toEqual(["emulator", "client", "engine", "profile", "native", "curl", "runs"]);
  for (const [, seconds] of sections) expect(seconds).toBeGreaterThan(0);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  expect(sum(sections.map(([, seconds]) => seconds))).toBeLessThanOrEqual(results.durationSeconds);
  for (const size of results.native.sizes) expect(size.seconds).toBeGreaterThan(0);
  expect(sum(results.native.sizes.map((z) => z.seconds))).toBeLessThanOrEqual(results.sectionSeconds.native ?? 0);
  expect(markdown).toContain("## Where the run's time goes");
  expect(markdown).toMatch(/\| the native provider and the scale rows \| \d+\.\d min \| \d+ % \|/);
  expect(markdown).toMatch(/\| scale rows at N = 9 \(three programs\) \| \d+\.\d min \| \d+ % \|/);
  // A full run's run-time row says how much of it the scale rows and their largest N took.
  const { evaluateTargets } = require(join(REPO, "dist", "bench", "report.js")) as typeof import("../../bench/report");
  const runTime = evaluateTargets({ ...results, quick: false }).find((t) => t.what.startsWith("the benchmark's run time"));
  expect(runTime?.measured).toMatch(/^\d+\.\d min \(scale rows \d+\.\d min, of which N = 9 \d+\.\d min\)$/);
});

test("latest.md has the targets table and a section per item", () => {
  expect(markdown).toMatch(/^# pulumi-tailer benchmarks \(quick smoke run/);
  expect(markdown).toContain("| # | what | measured | target | verdict |");
  for (const heading of ["## 1. ", "## 2. ", "## 3. ", "## 4. ", "## 5. ", "## 6. ", "## 7. ", "## 8. "])
    expect(markdown).toContain(heading);
  expect(results.targets.map((t) => t.item)).toEqual(expect.arrayContaining([1, 2, 3, 4, 5, 6, 7, 8]));
});
