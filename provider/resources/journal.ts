/**
 * The launch journal: a small file per launch in progress, so a `pulumi up` killed between launching
 * a run and recording it in state (SIGKILL, a crashed machine) does not launch it again next time.
 *
 * Pulumi's state cannot record anything mid-operation: until create returns, the run id exists only in
 * this process. The journal holds it on disk (with the runs seen before launching, for the case where
 * the process died before the launch's answer came back). A create that finds an entry for the same
 * run definition adopts that run. The entry is removed once an operation sees the run in state: not when
 * create returns, because a killed `pulumi up` leaves the provider process running to the end, with
 * nobody left to record its result.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

/** Where entries live: `TAILER_JOURNAL_DIR`, else ~/.pulumi-tailer/launches. */
export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TAILER_JOURNAL_DIR ?? join(homedir(), ".pulumi-tailer", "launches");
}

/** Entries older than this are ignored: a recovery happens within days, not weeks. */
export const JOURNAL_MAX_AGE_MS = 7 * 24 * 3600_000;

/** One launch in progress. */
export const JournalEntry = z.object({
  /** When the launch started (local clock). */
  startedAt: z.string(),
  /** The configuration's (or job's) runs just before launching. */
  runsBefore: z.array(z.string()),
  /** The run, once the launch answered. */
  runId: z.string().optional(),
});
/** One launch in progress. */
export type JournalEntry = z.infer<typeof JournalEntry>;

/** The key of a run definition: everything that makes two launches the same run. */
export function journalKey(parts: Record<string, unknown>): string {
  return createHash("sha256").update(canonical(parts)).digest("hex").slice(0, 32);
}

/** JSON with keys sorted at every level, so equal values give equal keys. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

function path(key: string): string {
  return join(journalDir(), `${key}.json`);
}

/** The entry for `key`, if one exists and is recent. Unreadable entries are ignored. */
export function readJournal(key: string, nowMs = Date.now()): JournalEntry | undefined {
  let parsed: JournalEntry;
  try {
    parsed = JournalEntry.parse(JSON.parse(readFileSync(path(key), "utf8")));
  } catch {
    return undefined;
  }
  return nowMs - Date.parse(parsed.startedAt) > JOURNAL_MAX_AGE_MS ? undefined : parsed;
}

/** Writes the entry atomically (a crash leaves the old entry or the new one, never half of one). */
export function writeJournal(key: string, entry: JournalEntry): void {
  mkdirSync(journalDir(), { recursive: true });
  const temporary = `${path(key)}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(entry));
  renameSync(temporary, path(key));
}

/** Removes the entry: the run is in state now. */
export function clearJournal(key: string): void {
  rmSync(path(key), { force: true });
}
