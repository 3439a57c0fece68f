/** The processes a stack's CLI runs started (language hosts, programs, providers), for tests that kill or interrupt it. */
import { readdirSync, readFileSync } from "node:fs";

/** The live processes started for a stack (they inherit its private PULUMI_HOME) whose command line matches `kind`. */
export function stackProcesses(stack: { env: Record<string, string> }, kind: RegExp): number[] {
  const marker = `PULUMI_HOME=${stack.env.PULUMI_HOME}`;
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(marker) &&
          kind.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"))
        );
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    });
}

/** Polls `probe` every 100 ms until it answers something other than undefined; fails, naming `what`, after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Ctrl-C to a process group (SIGINT), then, 1.5 s later, as an impatient user or a CI timeout does, SIGKILL. */
export async function interruptGroup(leader: number): Promise<void> {
  process.kill(-leader, "SIGINT");
  await new Promise((resolve) => setTimeout(resolve, 1500));
  try {
    process.kill(-leader, "SIGKILL");
  } catch {
    // already gone
  }
}

/** The process group of `pid` (field 5 of /proc/<pid>/stat), or undefined once it is gone. */
export function processGroup(pid: number): number | undefined {
  try {
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return undefined;
  }
}
