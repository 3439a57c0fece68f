/** The shape of latest.json. */
import type { MachineInfo } from "./lib/machine";
import type { TargetVerdict } from "./report";
import type { ClientResult } from "./sections/client";
import type { CurlResult } from "./sections/curl";
import type { EmulatorLoadResult } from "./sections/emulator-load";
import type { EngineResult } from "./sections/engine";
import type { NativeResult } from "./sections/native";
import type { ProfileResult } from "./sections/profile";
import type { RunsResult } from "./sections/runs";

/** The sections, in the order they run. */
export const SECTIONS = ["emulator", "client", "engine", "profile", "native", "curl", "runs"] as const;
/** A section's name. */
export type SectionName = (typeof SECTIONS)[number];

/** Everything one run measured. */
export interface BenchResults {
  schema: "pulumi-tailer-bench/1";
  quick: boolean;
  startedAt: string;
  durationSeconds: number;
  command: string;
  machine: MachineInfo;
  /** Wall time of each section that ran, in seconds, in the order they ran (where the run's time goes). */
  sectionSeconds?: Partial<Record<SectionName, number>>;
  /** 1-minute load average when the run ended. */
  loadAverageAtEnd?: number;
  emulator?: EmulatorLoadResult;
  client?: ClientResult;
  engine?: EngineResult;
  profile?: ProfileResult;
  native?: NativeResult;
  curl?: CurlResult;
  runs?: RunsResult;
  /** Each target of the issue, evaluated (null: reported, no target). */
  targets?: TargetVerdict[];
}
