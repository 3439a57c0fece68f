/**
 * Peak memory of processes, from Linux /proc: VmHWM is a process's own high-water mark of resident
 * memory, so sampling it now and then during a run catches the peak whatever the sampling rate.
 */
import { readdirSync, readFileSync } from "node:fs";

/** VmHWM (peak resident set) of `pid` in KiB, or undefined when the process is gone. */
export function peakRssKb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The command line of `pid` as argv, or undefined when the process is gone. */
export function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((s) => s.length > 0);
  } catch {
    return undefined;
  }
}

/** Every descendant of `root` alive now (children, grandchildren...). */
export function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name may contain spaces and parentheses: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(name), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop() as number;
    for (const [pid, ppid] of parents) {
      if (ppid === parent) {
        found.push(pid);
        frontier.push(pid);
      }
    }
  }
  return found;
}

/** Which processes to watch, by their command line. */
export type ProcessMatcher = (argv: string[]) => string | undefined;

/**
 * Samples the peak RSS of the descendants of `root` that `match` names, every `intervalMs`, until
 * stopped. Returns the largest peak seen per name, in KiB.
 */
export function watchPeakRss(root: number, match: ProcessMatcher, intervalMs = 100): { stop(): Record<string, number> } {
  const peaks: Record<string, number> = {};
  const names = new Map<number, string | null>();
  const sample = () => {
    for (const pid of descendants(root)) {
      let name = names.get(pid);
      if (name === undefined) {
        const argv = commandLine(pid);
        if (!argv) continue;
        name = match(argv) ?? null;
        names.set(pid, name);
      }
      if (name === null) continue;
      const kb = peakRssKb(pid);
      if (kb !== undefined) peaks[name] = Math.max(peaks[name] ?? 0, kb);
    }
  };
  const timer = setInterval(sample, intervalMs);
  sample();
  return {
    stop() {
      clearInterval(timer);
      return peaks;
    },
  };
}

/** The Pulumi processes whose memory the benchmark reports: the dynamic-provider process, the native provider's, and the program's. */
export const pulumiProcesses: ProcessMatcher = (argv) => {
  if (!/(^|\/)node$/.test(argv[0] ?? "") || argv.includes("-e")) return undefined;
  if (argv.some((a) => /(^|\/)pulumi-resource-tailer$/.test(a))) return "nativeProvider";
  if (argv.some((a) => /\/cmd\/dynamic-provider(\/index\.js)?$/.test(a))) return "dynamicProvider";
  if (argv.some((a) => /\/cmd\/run(\/index\.js)?$/.test(a))) return "program";
  return undefined;
};
