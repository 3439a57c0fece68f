/** latest.md: the targets, then each item's table, the machine and the versions. */

import { round } from "./lib/stats";
import type { BenchResults, SectionName } from "./results";
import type { ProfileResult } from "./sections/profile";
import type { RunsResult } from "./sections/runs";

/** One target of the issue, evaluated. */
export interface TargetVerdict {
  item: number;
  what: string;
  measured: string;
  target: string;
  met: boolean | null;
}

const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : "not timed");
const x = (ratio: number) => `${ratio.toFixed(2)}x`;
const mb = (kib: number | undefined) => (kib === undefined ? "n/a" : `${((kib * 1024) / 1e6).toFixed(0)} MB`);
const n0 = (v: number) => Math.round(v).toLocaleString("en-US");
const k2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "n/a");

/** Ours against the floor, at every N (issue 7's item 1, issue 17 at N = 500). */
const RATIO_TARGET = 1.2;

/** A geometric schedule without the cap: what "grows with the log of the duration" allows. */
function uncappedCalls(duration: number, policy: RunsResult["pollPolicy"]): number {
  let t = 0;
  let interval = policy.pollIntervalSeconds;
  let calls = 1;
  while (t < duration) {
    t += interval;
    interval *= policy.pollBackoffFactor;
    calls++;
  }
  return calls;
}

const HISTORY_LABELS = {
  none: "the job's first run",
  stated: "the job's first run, expectedDurationSeconds stated",
  usual: "its usual duration",
} as const;

/** The targets of the sections a run left out (`--only`), each named as not measured rather than dropped. */
const SECTION_TARGETS = [
  { section: "curl", item: 4, what: "up vs the docs' curl recipe", target: ">= 3x faster" },
  { section: "client", item: 5, what: "TailerClient / raw undici calls per second", target: ">= 80 %" },
  { section: "emulator", item: 6, what: "emulator requests per second, file database", target: ">= 3,000 req/s" },
  { section: "runs", item: 8, what: "up returns after the end of a run; status calls while waiting", target: "<= 1 s; log growth" },
] as const;

/** The largest N issue 17 asks the scale rows to reach. */
const SCALE_TARGET_N = 2000;

function unmeasured(r: BenchResults): TargetVerdict[] {
  const out: TargetVerdict[] = SECTION_TARGETS.filter(({ section }) => r[section] === undefined).map(({ item, what, target }) => ({
    item,
    what,
    measured: "not measured in this run (section left out)",
    target,
    met: null,
  }));
  const largest = Math.max(0, ...(r.native?.sizes.map((z) => z.n) ?? []));
  if (largest < SCALE_TARGET_N)
    out.push({
      item: 17,
      what: `scale rows (time, state size, peak RSS) at N = ${SCALE_TARGET_N.toLocaleString("en-US")}`,
      measured: `not measured in this run (largest N = ${largest.toLocaleString("en-US")})`,
      target: "measured, with growth exponents (issue 17)",
      met: null,
    });
  return out;
}

/** Evaluates every target the issue sets against the results present. */
export function evaluateTargets(r: BenchResults): TargetVerdict[] {
  const out: TargetVerdict[] = [];
  const e = r.engine;
  if (e) {
    for (const size of e.sizes)
      out.push({
        item: 1,
        what: `ours / floor at N = ${size.n} (up, preview --refresh, destroy)`,
        measured: `${x(size.ratio.up)}, ${x(size.ratio.refresh)}, ${x(size.ratio.destroy)}`,
        target: `<= ${x(RATIO_TARGET)} each (issues 7, 17)`,
        met: Math.max(size.ratio.up, size.ratio.refresh, size.ratio.destroy) <= RATIO_TARGET,
      });
    const big = e.sizes[e.sizes.length - 1];
    if (big) {
      out.push({
        item: 2,
        what: `calls per configuration status, up (N = ${big.n})`,
        measured: String(round(big.callsPerResource.up, 3)),
        target: "1",
        met: big.callsPerResource.up <= 1,
      });
      out.push({
        item: 2,
        what: `calls per configuration status, no-change refresh (N = ${big.n})`,
        measured: String(round(big.callsPerResource.refresh, 3)),
        target: "1",
        met: big.callsPerResource.refresh <= 1,
      });
      const tokens = Math.max(...e.sizes.flatMap((z) => z.tokensPerUp));
      const longest = Math.max(...e.sizes.map((z) => z.ms.ours.up.median));
      const allowed = Math.max(1, Math.ceil(longest / 3_600_000));
      out.push({
        item: 2,
        what: "tokens minted per up (every N, every repetition: the most)",
        measured: String(tokens),
        target: `1 per hour of run time (${allowed} here)`,
        met: tokens <= allowed,
      });
      const rss = big.peakRssKb.ours.dynamicProvider;
      out.push({
        item: 7,
        what: `peak RSS of the dynamic-provider process, N = ${big.n}`,
        measured: mb(rss),
        target: "< 200 MB",
        met: rss === undefined ? null : (rss * 1024) / 1e6 < 200,
      });
      const floorRss = big.peakRssKb.floor.dynamicProvider;
      out.push({
        item: 7,
        what: `peak RSS of the dynamic-provider process over the floor's, N = ${big.n}`,
        measured: rss === undefined || floorRss === undefined ? "n/a" : `+${mb(rss - floorRss)} (${mb(rss)} vs ${mb(floorRss)})`,
        target: "<= +25 MB (issue 17)",
        met: rss === undefined || floorRss === undefined ? null : ((rss - floorRss) * 1024) / 1e6 <= 25,
      });
    }
    const defaultParallel = e.latency.find((l) => l.parallel === null);
    if (defaultParallel)
      out.push({
        item: 3,
        what: `up at N = ${defaultParallel.n}: +${defaultParallel.latencyMs} ms per call costs (default --parallel)`,
        measured: `+${s(defaultParallel.addedMs)}`,
        target: "<= +1.50 s",
        met: defaultParallel.addedMs <= 1500,
      });
  }
  const native = r.native?.sizes[r.native.sizes.length - 1];
  if (native)
    out.push({
      item: 13,
      what: `native up at N = ${native.n} against the dynamic floor`,
      measured: `${s(native.ms.native.up.median)} vs ${s(native.ms.floor.up.median)} (${x(native.ratioToFloor.up)})`,
      target: "<= the floor",
      met: native.ms.native.up.median <= native.ms.floor.up.median,
    });
  if (r.curl)
    out.push({
      item: 4,
      what: `up vs the docs' curl recipe, N = ${r.curl.n}, +${r.curl.latencyMs} ms`,
      measured: `${x(r.curl.speedup)} faster`,
      target: ">= 3x faster",
      met: r.curl.speedup >= 3,
    });
  if (r.client)
    for (const p of r.client.protocols)
      out.push({
        item: 5,
        what: `TailerClient / raw undici calls per second, ${p.protocol}`,
        measured: `${(p.ratio * 100).toFixed(0)} %`,
        target: ">= 80 %",
        met: p.ratio >= 0.8,
      });
  if (r.emulator)
    out.push({
      item: 6,
      what: `emulator at ${r.emulator.connections} connections, file database (p99 ${r.emulator.latencyMs.p99.toFixed(1)} ms)`,
      measured: `${n0(r.emulator.requestsPerSecond)} req/s`,
      target: ">= 3,000 req/s",
      met: r.emulator.requestsPerSecond >= 3000 && r.emulator.errors === 0,
    });
  if (r.runs)
    for (const c of r.runs.cases) {
      const label = `a ${c.durationSeconds} s run (${HISTORY_LABELS[c.history]})`;
      out.push({
        item: 8,
        what: `up returns after the end of ${label}`,
        measured: `${c.median.endToReturnSeconds.toFixed(2)} s`,
        target: "<= 1 s",
        met: c.median.endToReturnSeconds <= 1,
      });
      const allowed = uncappedCalls(c.durationSeconds, r.runs.pollPolicy) + 1;
      out.push({
        item: 8,
        what: `status calls for ${label}`,
        measured: String(c.median.statusCalls),
        target: `log growth (<= ${allowed}: x${r.runs.pollPolicy.pollBackoffFactor} from ${r.runs.pollPolicy.pollIntervalSeconds} s, uncapped)`,
        met: c.median.statusCalls <= allowed,
      });
    }
  if (!r.quick) out.push(...unmeasured(r));
  if (!r.quick && r.native)
    out.push({
      item: 17,
      what: `the benchmark's run time (\`${r.command}\`, scale rows to N = ${Math.max(...r.native.sizes.map((z) => z.n))})`,
      measured: `${(r.durationSeconds / 60).toFixed(1)} min${runTimeShares(r)}`,
      target: "<= 30 min (issue 17)",
      met: r.durationSeconds <= 1800,
    });
  return out;
}

type NativeSize = NonNullable<BenchResults["native"]>["sizes"][number];

/** The scale rows' share of the run, and the largest N's, for the run-time target's row (empty in older results). */
function runTimeShares(r: BenchResults): string {
  const native = r.sectionSeconds?.native;
  const largest = r.native?.sizes.at(-1);
  if (native === undefined || largest?.seconds === undefined) return "";
  const min = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;
  return ` (scale rows ${min(native)}, of which N = ${largest.n.toLocaleString("en-US")} ${min(largest.seconds)})`;
}

/** What each section measures, as the run-time table names it. */
const SECTION_LABELS: Record<SectionName, string> = {
  emulator: "6. the emulator itself",
  client: "5. the client against the limit",
  engine: "1 to 3 and 7. the provider against the floor, latency hiding, memory",
  profile: "where the time goes (the profile at N = 500)",
  native: "the native provider and the scale rows",
  curl: "4. against the docs' curl recipe",
  runs: "8. waiting for runs",
};

/** The run-time table: each section's wall time and share of the run, and each scale size's. */
function runTimeLines(r: BenchResults): string[] {
  const sections = Object.entries(r.sectionSeconds ?? {}) as [SectionName, number][];
  if (sections.length === 0) return [];
  const share = (seconds: number) => `${Math.round((100 * seconds) / r.durationSeconds)} %`;
  const row = (what: string, seconds: number) => `| ${what} | ${(seconds / 60).toFixed(1)} min | ${share(seconds)} |`;
  return [
    "## Where the run's time goes",
    "",
    "| section | wall time | share of the run |",
    "|---|---|---|",
    ...sections.map(([name, seconds]) => row(SECTION_LABELS[name], seconds)),
    ...(r.native?.sizes ?? []).map((z) => row(`scale rows at N = ${z.n.toLocaleString("en-US")} (three programs)`, z.seconds)),
    "",
  ];
}

/** The N a growth exponent was fitted over (from 100 up, except in the smoke run), as a list. */
function fittedSizes(sizes: NativeSize[], quick: boolean, timed: (z: NativeSize) => boolean): string {
  return sizes
    .filter((z) => (quick || z.n >= 100) && timed(z))
    .map((z) => z.n.toLocaleString("en-US"))
    .join(", ");
}

/** Why destroy reads "not timed" at the largest N (empty when every destroy was timed). */
function untimedDestroyNote(sizes: NativeSize[]): string {
  const untimed = sizes.filter((z) => !Number.isFinite(z.ms.floor.destroy.median)).map((z) => z.n.toLocaleString("en-US"));
  if (untimed.length === 0) return "";
  return `Destroy is not timed at N = ${untimed.join(", ")}: timing it takes about as long as up (the engine's checkpoints), about 13 min for the three programs at N = 2,000; the stack is emptied by a destroy that saves the state once at the end (PULUMI_SKIP_CHECKPOINTS). bench/results/partial/native-2747d7c.md has it timed once.\n`;
}

/** The profile section: per program and command, where the CPU went. */
function profileLines(p: ProfileResult): string[] {
  const phases = ["up", "refresh", "destroy"] as const;
  const row = (program: "ours" | "floor") => {
    const prof = p.programs[program];
    return phases.map((phase) => {
      const ph = prof.phases[phase];
      const provider = ph.node.dynamicProvider;
      const prog = ph.node.program;
      return `| ${program} | ${phase} | ${s(ph.ms)} | ${ph.engine ? `${s(ph.engine.cpuMs)} (${s(ph.engine.snapshotMs)})` : "n/a"} | ${provider ? `${s(provider.busyMs)} (${s(provider.oursInclusiveMs)})` : "-"} | ${prog ? `${s(prog.busyMs)} (${s(prog.oursInclusiveMs)}, ${s(prog.stackTraceMs)})` : "-"} |`;
    });
  };
  const owners = (program: "ours" | "floor", role: string) => {
    const total: Record<string, number> = {};
    for (const phase of phases)
      for (const [k, v] of Object.entries(p.programs[program].phases[phase].node[role]?.byOwner ?? {})) total[k] = (total[k] ?? 0) + v;
    return Object.entries(total)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([k, v]) => `${k} ${s(v)}`)
      .join(", ");
  };
  return [
    "## Where the time goes (issue 17)",
    "",
    `One up, one no-change preview --refresh and one destroy of N = ${p.n} resources per program, each profiled: the CLI with`,
    "`pulumi --profiling` (Go; its CPU in all and, in brackets, persisting the snapshot), the dynamic-provider process and the program",
    "with a V8 CPU profile (bench/lib/profile-hook.ts; busy time, in brackets the part under pulumi-tailer's code and, for the",
    "program, formatting stack traces). Profiling slows every process; compare within the table, not with section 1.",
    "",
    "| program | command | wall | engine CPU (snapshot) | provider busy (ours) | program busy (ours, stack traces) |",
    "|---|---|---|---|---|---|",
    ...row("ours"),
    ...row("floor"),
    "",
    "| program | state per resource | of which `__provider` |",
    "|---|---|---|",
    ...(["ours", "floor"] as const).map(
      (program) =>
        `| ${program} | ${n0(p.programs[program].stateBytesPerResource)} B | ${n0(p.programs[program].providerBytesPerResource)} B |`,
    ),
    "",
    "Busy time by owner of the sampled frame, the three commands together:",
    "",
    ...(["ours", "floor"] as const).flatMap((program) => [
      `- ${program}, provider process: ${owners(program, "dynamicProvider")}`,
      `- ${program}, program: ${owners(program, "program")}`,
    ]),
    "",
  ];
}

const verdict = (met: boolean | null) => (met === null ? "**not measured**" : met ? "met" : "**missed**");

/** Renders latest.md. */
export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  const lines: string[] = [];
  const add = (...l: string[]) => lines.push(...l);
  add(
    `# pulumi-tailer benchmarks${r.quick ? " (quick smoke run: tiny sizes, not figures)" : ""}`,
    "",
    `\`${r.command}\` on ${r.startedAt.slice(0, 10)} (started ${r.startedAt}), ${Math.round(r.durationSeconds)} s in all, at commit ${m.gitCommit}.`,
    "Times are medians of the repetitions stated; ratios are taken within this run, between runs interleaved on the same machine.",
    "",
    `**Machine**: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; 1-minute load average ${m.loadAverageAtStart} at the start${r.loadAverageAtEnd === undefined ? "" : `, ${r.loadAverageAtEnd} at the end`} (a shared machine).`,
    `**Versions**: Node ${m.node}, Pulumi CLI ${m.pulumiCli}, ${Object.entries(m.packages)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
    "",
    "## Targets",
    "",
    "| # | what | measured | target | verdict |",
    "|---|---|---|---|---|",
    ...evaluateTargets(r).map((t) => `| ${t.item} | ${t.what} | ${t.measured} | ${t.target} | ${verdict(t.met)} |`),
    "",
    ...runTimeLines(r),
  );

  const e = r.engine;
  if (e) {
    add(
      "## 1. The provider against the floor",
      "",
      "`pulumi up --yes --skip-preview` creating N `TailerConfigurationStatus`, `pulumi preview --refresh --expect-no-changes`, then",
      "`pulumi destroy --yes --skip-preview` (onDelete keep: no call), beside the same N resources served by a no-op dynamic provider",
      `(bench/programs/floor) in the same CLI and engine. \`--parallel\` is the CLI's default: ${m.pulumiDefaultParallel ?? "?"} here (4 per core).`,
      "",
      "| N | reps | up: ours | floor | ratio | preview --refresh: ours | floor | ratio | destroy: ours | floor | ratio |",
      "|---|---|---|---|---|---|---|---|---|---|---|",
      ...e.sizes.map(
        (z) =>
          `| ${z.n} | ${z.repetitions} | ${s(z.ms.ours.up.median)} | ${s(z.ms.floor.up.median)} | ${x(z.ratio.up)} | ${s(z.ms.ours.refresh.median)} | ${s(z.ms.floor.refresh.median)} | ${x(z.ratio.refresh)} | ${s(z.ms.ours.destroy.median)} | ${s(z.ms.floor.destroy.median)} | ${x(z.ratio.destroy)} |`,
      ),
      "",
      "## 2. Calls per resource (the emulator's request log)",
      "",
      "| N | up: calls / resource | actions of one up | refresh: calls / resource | destroy: calls / resource | distinct tokens per up |",
      "|---|---|---|---|---|---|",
      ...e.sizes.map(
        (z) =>
          `| ${z.n} | ${round(z.callsPerResource.up, 3)} | ${Object.entries(z.upActions)
            .map(([k, v]) => `${k} ${v}`)
            .join(
              ", ",
            )} | ${round(z.callsPerResource.refresh, 3)} | ${round(z.callsPerResource.destroy, 3)} | ${z.tokensPerUp.join(", ")} |`,
      ),
      "",
      "## 3. Latency hiding",
      "",
      "The same up with the emulator adding 150 ms to every call (a `latency` fault), against 0 ms: pairs of ups, interleaved, each",
      `followed by a destroy; the CLI's default --parallel (${m.pulumiDefaultParallel ?? "?"}).`,
      "",
      "| N | --parallel | up at 0 ms | up at +150 ms | added |",
      "|---|---|---|---|---|",
      ...e.latency.map(
        (l) =>
          `| ${l.n} | ${l.parallel ?? `default (${m.pulumiDefaultParallel ?? "?"})`} | ${s(l.upMs0.median)} (${l.upMs0.samples.length}) | ${s(l.upMsLatency.median)} (${l.upMsLatency.samples.length}) | +${s(l.addedMs)} |`,
      ),
      "",
    );
  }
  const nat = r.native;
  if (nat) {
    const kb = (rss: Record<string, number>) => mb(rss.nativeProvider ?? rss.dynamicProvider);
    const size = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(0)} kB`);
    add(
      "## The native provider (issue 13)",
      "",
      "The same N configuration statuses through the native plugin (`pulumi-resource-tailer` from its tarball, as YAML, Python and Go",
      "users run it), through the dynamic resources, and N no-op dynamic resources (the floor); `up`, `preview --refresh",
      "--expect-no-changes`, `destroy` as above; the state's size after up; the provider process's peak memory.",
      "",
      "| N | reps | up: native | dynamic | floor | native / floor | preview --refresh: native | dynamic | floor | destroy: native | dynamic | floor |",
      "|---|---|---|---|---|---|---|---|---|---|---|---|",
      ...nat.sizes.map(
        (z) =>
          `| ${z.n} | ${z.repetitions} | ${s(z.ms.native.up.median)} | ${s(z.ms.dynamic.up.median)} | ${s(z.ms.floor.up.median)} | ${x(z.ratioToFloor.up)} | ${s(z.ms.native.refresh.median)} | ${s(z.ms.dynamic.refresh.median)} | ${s(z.ms.floor.refresh.median)} | ${s(z.ms.native.destroy.median)} | ${s(z.ms.dynamic.destroy.median)} | ${s(z.ms.floor.destroy.median)} |`,
      ),
      "",
      "| N | state: native | dynamic | floor | provider peak RSS: native | dynamic | floor |",
      "|---|---|---|---|---|---|---|",
      ...nat.sizes.map(
        (z) =>
          `| ${z.n} | ${size(z.stateBytes.native)} | ${size(z.stateBytes.dynamic)} | ${size(z.stateBytes.floor)} | ${kb(z.peakRssKb.native)} | ${kb(z.peakRssKb.dynamic)} | ${kb(z.peakRssKb.floor)} |`,
      ),
      "",
      `Growth exponents k (time or bytes ~ N^k, least squares over N = ${fittedSizes(nat.sizes, r.quick, () => true)}; destroy over N = ${fittedSizes(
        nat.sizes,
        r.quick,
        (z) => Number.isFinite(z.ms.floor.destroy.median),
      )}; 1 is linear, 2 quadratic):`,
      "",
      "| program | up | preview --refresh | destroy | state size |",
      "|---|---|---|---|---|",
      ...(["native", "dynamic", "floor"] as const).map(
        (p) =>
          `| ${p} | ${k2(nat.growth[p].up)} | ${k2(nat.growth[p].refresh)} | ${k2(nat.growth[p].destroy)} | ${k2(nat.growth[p].stateBytes)} |`,
      ),
      "",
      untimedDestroyNote(nat.sizes),
      "The engine persists the whole state after every step (twice per resource: the step's start and its end), serializing it, taking",
      "its MD5 and writing it with a backup copy (file backend): an up or destroy of N resources writes O(N^2) bytes. That, not any",
      "provider, is what bends up and destroy above 1; a no-change preview persists nothing and stays near linear.",
      "",
    );
  }
  if (r.profile) add(...profileLines(r.profile));
  if (r.curl) {
    const c = r.curl;
    add(
      "## 4. Against the docs' curl recipe",
      "",
      `bench/curl-recipe.sh: for each of N = ${c.n} configurations, a fresh token (here \`tailer-emulator token\`, a node process: ${s(c.tokenCommandMs)} each) then one`,
      `\`curl --http2\` set_configuration_status, sequentially; beside \`pulumi up\` of the same N, both at +${c.latencyMs} ms per call, ${c.repetitions} repetition(s) each, interleaved.`,
      "",
      "| N | curl script | pulumi up | up is faster by | script's calls (200 OK) | token commands | distinct tokens |",
      "|---|---|---|---|---|---|---|",
      `| ${c.n} | ${s(c.scriptMs.median)} | ${s(c.upMs.median)} | ${x(c.speedup)} | ${c.scriptCalls} (${c.scriptOk}) | ${c.scriptTokenCommands} | ${c.scriptDistinctTokens} |`,
      "",
      "The script keeps no state, detects no drift, and does not notice a failed call (no `--fail`, as in the docs).",
      "",
    );
  }
  if (r.client) {
    add(
      "## 5. The client against the limit",
      "",
      `\`TailerClient.getLastStatus\` against the emulator (its own process) beside raw undici \`Agent.request\` with the same body, headers and`,
      `connection settings (allowH2, 16 connections, 30 s keep-alive), reading the body and nothing else; ${r.client.protocols[0]?.concurrency ?? 16} callers in a closed loop,`,
      `${r.client.protocols[0]?.rounds ?? 0} rounds of ${r.client.protocols[0]?.secondsPerRound ?? 0} s each, interleaved. CPU is the calling process's, per call.`,
      "",
      "| protocol | negotiated | raw calls/s | TailerClient calls/s | ratio | raw CPU/call | TailerClient CPU/call | CPU ratio | errors |",
      "|---|---|---|---|---|---|---|---|---|",
      ...r.client.protocols.map(
        (p) =>
          `| ${p.protocol} | ${p.negotiated} | ${n0(p.raw.callsPerSecond.median)} | ${n0(p.client.callsPerSecond.median)} | ${(p.ratio * 100).toFixed(0)} % | ${n0(p.raw.cpuUsPerCall.median)} µs | ${n0(p.client.cpuUsPerCall.median)} µs | ${x(p.cpuRatio)} | ${p.raw.errors + p.client.errors} |`,
      ),
      "",
    );
  }
  if (r.emulator) {
    const em = r.emulator;
    add(
      "## 6. The emulator itself",
      "",
      `The emulator in its own process, SQLite database file, ${em.connections} connections from an undici pool in the benchmark's process, ${em.mix}, ${em.seconds} s.`,
      "",
      "| requests/s | p50 | p90 | p99 | max | requests | errors | internal errors | peak RSS |",
      "|---|---|---|---|---|---|---|---|---|",
      `| ${n0(em.requestsPerSecond)} | ${em.latencyMs.p50.toFixed(1)} ms | ${em.latencyMs.p90.toFixed(1)} ms | ${em.latencyMs.p99.toFixed(1)} ms | ${em.latencyMs.max.toFixed(1)} ms | ${n0(em.requests)} | ${em.errors} | ${em.internalErrors} | ${mb(em.peakRssKb)} |`,
      "",
    );
  }
  if (e) {
    add(
      "## 7. Memory",
      "",
      "Peak RSS (VmHWM from /proc, sampled every 100 ms) over up, preview --refresh and destroy.",
      "",
      "| N | dynamic provider: ours | floor | program: ours | floor |",
      "|---|---|---|---|---|",
      ...e.sizes.map(
        (z) =>
          `| ${z.n} | ${mb(z.peakRssKb.ours.dynamicProvider)} | ${mb(z.peakRssKb.floor.dynamicProvider)} | ${mb(z.peakRssKb.ours.program)} | ${mb(z.peakRssKb.floor.program)} |`,
      ),
      "",
      `The emulator process: ${mb(e.emulatorPeakRssKb)} at most over section 1 to 3${r.emulator ? `, ${mb(r.emulator.peakRssKb)} under the load of section 6` : ""}.`,
      "",
    );
  }
  if (r.runs) {
    const p = r.runs.pollPolicy;
    add(
      "## 8. Waiting for runs",
      "",
      `\`pulumi up\` of one TailerJobRun (default pollIntervalSeconds ${p.pollIntervalSeconds} s; without history the checks slow down x${p.pollBackoffFactor} up to`,
      `${p.maxPollIntervalSeconds} s) whose run has a scripted duration, for the job's first run (history: none), the same with`,
      "`expectedDurationSeconds` set to the run's duration (history: stated), and for a job whose last five runs took as long (history: usual). The long runs use an accelerated emulator clock and the provider's timers are accelerated by",
      'the same factor (bench/lib/time-scale.ts), so its schedule on the emulated clock is the one it follows at real speed. "Detection" is',
      "the end of the run to the status call that saw it, at real speed (the raw figure on the emulated clock, where each call's own round",
      'trip counts clock-speed times, is in brackets); "finish" is that call to `up` returning (real time: the engine\'s own work).',
      "",
      "| run | history | clock speed | reps | up returns after the end | detection (raw, emulated clock) | finish | status calls | model: calls, detection |",
      "|---|---|---|---|---|---|---|---|---|",
      ...r.runs.cases.map(
        (c) =>
          `| ${c.durationSeconds} s | ${c.history} | ${c.clockSpeed}x | ${c.samples.length} | ${c.median.endToReturnSeconds.toFixed(2)} s | ${c.median.detectionSeconds.toFixed(2)} s (${c.median.detectionEmulatedSeconds.toFixed(2)} s) | ${s(c.median.finishMs)} | ${c.median.statusCalls} | ${c.model ? `${c.model.statusCalls}, ${c.model.detectionSeconds.toFixed(2)} s` : "-"} |`,
      ),
      "",
      "Without history, the provider's schedule replayed without latency (the model), for longer runs; the detection delay depends on where the",
      "run's end falls between two checks, up to the interval in force then (the worst case):",
      "",
      "| run | status calls | detection delay | worst case |",
      "|---|---|---|---|",
      ...r.runs.modelByDuration.map(
        (d) => `| ${d.durationSeconds} s | ${d.statusCalls} | ${d.detectionSeconds.toFixed(2)} s | ${d.worstCaseSeconds.toFixed(2)} s |`,
      ),
      "",
    );
  }
  add("Raw samples, per-phase figures and the machine description are in latest.json beside this file.", "");
  return lines.join("\n");
}
