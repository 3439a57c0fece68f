/**
 * Issue 17: where the milliseconds go, ours against the floor at N = 500. One up, one no-change
 * `preview --refresh` and one destroy of each program with a CPU profile of the dynamic-provider process
 * and of the program (bench/lib/profile-hook.ts) and of the CLI itself (`pulumi --profiling`); the
 * state's size per resource and the part of it that is the serialized provider (`__provider`).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pulumiBinDir } from "../../scripts/pulumi-cli";
import type { BenchContext } from "../lib/context";
import { benchWorld, startEmulatorProcess } from "../lib/emulator";
import { type EngineProfileSummary, type NodeProfileSummary, summarizeEngineProfile, summarizeNodeProfiles } from "../lib/profiles";
import { BenchStack } from "../lib/pulumi";

const PHASES = {
  up: ["up", "--yes", "--skip-preview"],
  refresh: ["preview", "--refresh", "--expect-no-changes"],
  destroy: ["destroy", "--yes", "--skip-preview"],
} as const;
type Phase = keyof typeof PHASES;
const PROGRAMS = { ours: "tailer", floor: "floor" } as const;
type Program = keyof typeof PROGRAMS;

/** One profiled command. */
export interface ProfiledPhase {
  ms: number;
  engine: EngineProfileSummary | undefined;
  /** By role: dynamicProvider, program. */
  node: Record<string, NodeProfileSummary>;
}

/** One program's profile. */
export interface ProgramProfile {
  phases: Record<Phase, ProfiledPhase>;
  /** Bytes of `pulumi stack export` after up, per resource. */
  stateBytesPerResource: number;
  /** Bytes of `__provider` (inputs and outputs) per resource. */
  providerBytesPerResource: number;
}

/** The section's results. */
export interface ProfileResult {
  n: number;
  programs: Record<Program, ProgramProfile>;
}

interface ExportedResource {
  type: string;
  inputs?: { __provider?: string };
  outputs?: { __provider?: string };
}

/** Runs the section. */
export async function runProfile(ctx: BenchContext): Promise<ProfileResult> {
  const n = ctx.quick ? 5 : 500;
  const emulator = await startEmulatorProcess({ stateDir: ctx.tempDir("profile-emulator"), seed: benchWorld(n) });
  const hook = join(__dirname, "..", "lib", "profile-hook.js");
  const programs = {} as Record<Program, ProgramProfile>;
  try {
    for (const program of Object.keys(PROGRAMS) as Program[]) {
      const stack =
        program === "ours"
          ? await BenchStack.create("tailer", { "tailer:apiUrl": emulator.url }, { "tailer:credentials": emulator.devKeyJson })
          : await BenchStack.create("floor", {});
      try {
        await stack.must(["config", "set", "bench:count", String(n)]);
        const phases = {} as Record<Phase, ProfiledPhase>;
        let bytes = { state: 0, provider: 0 };
        for (const phase of Object.keys(PHASES) as Phase[]) {
          ctx.log(`profile: N=${n} ${program} ${phase}`);
          const dir = ctx.tempDir(`profile-${program}-${phase}`);
          const result = await stack.must([...PHASES[phase], "--profiling", join(dir, "cli")], {
            env: { NODE_OPTIONS: `--require ${hook}`, TAILER_BENCH_CPU_PROFILE_DIR: dir },
          });
          const cpu = readdirSync(dir).find((f) => /^cli\.\d+\.cpu$/.test(f));
          phases[phase] = {
            ms: result.ms,
            engine: cpu ? summarizeEngineProfile(join(pulumiBinDir(), "pulumi"), join(dir, cpu)) : undefined,
            node: summarizeNodeProfiles(dir),
          };
          if (phase === "up") bytes = stateBytes((await stack.must(["stack", "export"])).stdout);
        }
        programs[program] = { phases, stateBytesPerResource: bytes.state / n, providerBytesPerResource: bytes.provider / n };
      } finally {
        stack.dispose();
      }
    }
  } finally {
    await emulator.stop();
  }
  return { n, programs };
}

/** The export's size, and the bytes of `__provider` in it. */
function stateBytes(exported: string): { state: number; provider: number } {
  const resources: ExportedResource[] = JSON.parse(exported).deployment?.resources ?? [];
  let provider = 0;
  for (const r of resources) provider += (r.inputs?.__provider?.length ?? 0) + (r.outputs?.__provider?.length ?? 0);
  return { state: exported.length, provider };
}
