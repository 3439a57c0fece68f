/**
 * Where the milliseconds go: V8 CPU profiles of Pulumi's node processes (profile-hook.ts), summed by
 * role and by what the sampled frame belongs to, and the Go CPU profile of the CLI (`pulumi --profiling`),
 * read with `go tool pprof` for the engine's own work (the snapshot it persists after every step).
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Busy time of one role's processes (all its processes and chunks summed), ms, by what the leaf frame belongs to. */
export interface NodeProfileSummary {
  busyMs: number;
  /** Time under a frame of pulumi-tailer's compiled code (inclusive). */
  oursInclusiveMs: number;
  /** Time spent formatting stack traces (Pulumi records where each resource is declared; ts-node maps it through source maps). */
  stackTraceMs: number;
  byOwner: Record<string, number>;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** What a frame belongs to, by its script's URL. */
export function frameOwner(url: string, functionName: string): string {
  if (!url) return functionName === "(garbage collector)" ? "garbage collector" : "V8 and native code";
  if (/\/dist\/provider\/|node_modules\/pulumi-tailer\//.test(url)) return "pulumi-tailer";
  if (url.startsWith("node:")) return "Node.js core";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg === "@pulumi/pulumi") return /\/vendor\//.test(url) ? "@pulumi/pulumi (vendored ts-node)" : "@pulumi/pulumi";
  if (pkg === "@grpc/grpc-js" || pkg === "google-protobuf") return "gRPC and protobuf";
  return pkg ?? "the program";
}

/** Sums the profiles in `dir` by role (the file name's first part). */
export function summarizeNodeProfiles(dir: string): Record<string, NodeProfileSummary> {
  const out: Record<string, NodeProfileSummary> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
    const role = file.split(".")[0] as string;
    const summary = out[role] ?? { busyMs: 0, oursInclusiveMs: 0, stackTraceMs: 0, byOwner: {} };
    out[role] = summary;
    addProfile(summary, JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile);
  }
  return out;
}

function addProfile(summary: NodeProfileSummary, profile: CpuProfile): void {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  profile.samples.forEach((id, i) => {
    const leaf = nodes.get(id);
    if (!leaf || leaf.callFrame.functionName === "(idle)" || leaf.callFrame.functionName === "(program)") return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    summary.busyMs += ms;
    const owner = frameOwner(leaf.callFrame.url, leaf.callFrame.functionName);
    summary.byOwner[owner] = (summary.byOwner[owner] ?? 0) + ms;
    let ours = false;
    let stack = false;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at)?.callFrame;
      if (frame && frameOwner(frame.url, frame.functionName) === "pulumi-tailer") ours = true;
      if (frame?.functionName === "prepareStackTrace") stack = true;
    }
    if (ours) summary.oursInclusiveMs += ms;
    if (stack) summary.stackTraceMs += ms;
  });
}

/** The engine's CPU (the `pulumi` process), ms: in all, and persisting the snapshot (serialize, checksum, write, backup). */
export interface EngineProfileSummary {
  cpuMs: number;
  snapshotMs: number;
}

const seconds = (text: string) => (text.endsWith("ms") ? Number(text.slice(0, -2)) : Number(text.slice(0, -1)) * 1000);

/** Reads a `pulumi --profiling` CPU profile with `go tool pprof`; undefined when Go is not installed. */
export function summarizeEngineProfile(binary: string, cpuFile: string): EngineProfileSummary | undefined {
  let top: string;
  try {
    top = execFileSync("go", ["tool", "pprof", "-top", "-cum", "-nodecount=400", binary, cpuFile], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return undefined;
  }
  const total = /Total samples = ([\d.]+m?s)/.exec(top)?.[1];
  const save = /\s([\d.]+m?s)\s+[\d.]+%\s+\S*\(\*SnapshotManager\)\.saveSnapshot$/m.exec(top)?.[1];
  return { cpuMs: total ? seconds(total) : 0, snapshotMs: save ? seconds(save) : 0 };
}
