/**
 * The launch journal: a small file per launch in progress, so a `pulumi up` killed between launching a
 * run and recording it in state (SIGKILL, a crashed machine) does not launch it again when it resumes on
 * a machine that sees the same folder.
 *
 * Pulumi's state cannot record anything mid-operation: until create returns, the run id exists only in
 * this process. The journal holds the attempt's evidence on disk before the request is sent, and the run
 * id once the answer comes. An entry is removed once an operation sees the run in state: not when create
 * returns, because a killed `pulumi up` leaves the provider process running to the end, with nobody left
 * to record its result. Its folder is `tailer:journalDir`, `TAILER_JOURNAL_DIR`, else
 * ~/.pulumi-tailer/launches; point it at storage the runners share (a CI workspace volume) and the
 * evidence survives the runner.
 */

import { createHash } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { LaunchAttempt } from "../client/launch";
import { sortedJson } from "../client/wire";

/** The environment variable naming the journal's folder (the `tailer:journalDir` setting wins). */
export const JOURNAL_DIR_ENV = "TAILER_JOURNAL_DIR";

/** The journal's folder when neither the setting nor the variable names one. */
export function defaultJournalDir(): string {
  return join(homedir(), ".pulumi-tailer", "launches");
}

/** Entries older than this are garbage: removed when the journal is written, never read as evidence. */
const JOURNAL_MAX_AGE_MS = 90 * 24 * 3600_000;

/** An entry whose run reached state is kept this long (other stacks of the same deployment may share the run), then removed. */
const RECORDED_ENTRY_AGE_MS = 60 * 60_000;

/** What makes two launches the same run: the job and its inputs (the resource's own URN is the key's other half). */
export const LaunchDefinition = z.object({
  account: z.string(),
  environment: z.string(),
  configurationType: z.string(),
  configurationId: z.string(),
  jobId: z.string().optional(),
  executionDate: z.string().optional(),
  triggers: z.record(z.string(), z.string()).optional(),
});
/** What makes two launches the same run. */
export type LaunchDefinition = z.infer<typeof LaunchDefinition>;

/** One launch in progress. */
export const JournalEntry = z.object({
  /** The resource that launched (its URN). */
  urn: z.string(),
  /** The launch intent of the create that wrote it (the engine's pending operation names the same). */
  intentId: z.string().optional(),
  /** What it launched. */
  definition: LaunchDefinition,
  /** The attempt's evidence, written before the request is sent. */
  attempt: LaunchAttempt,
  /** The run, once the launch answered (or was reconciled). */
  runId: z.string().optional(),
  /** The API the launch went to. */
  apiUrl: z.string(),
  /** When the entry was written (local clock, ISO). */
  writtenAt: z.string(),
  /** When the create returned its result to the engine (which then records the run in state), if it did. */
  returnedAt: z.string().optional(),
});
/** One launch in progress. */
export type JournalEntry = z.infer<typeof JournalEntry>;

/** A digest of JSON with sorted keys: equal values give equal digests. */
export function digest(value: unknown): string {
  return createHash("sha256")
    .update(sortedJson(value, { dropNulls: true }))
    .digest("hex")
    .slice(0, 32);
}

/** The journal of one folder. */
export class LaunchJournal {
  constructor(readonly dir: string) {}

  /** The key of a resource's launch of `definition`. */
  static key(urn: string, definition: LaunchDefinition): string {
    return digest({ urn, definition });
  }

  /** The entry for `key`, if one exists and is readable. */
  read(key: string): JournalEntry | undefined {
    return this.#parse(join(this.dir, `${key}.json`));
  }

  /** Every readable entry (the launches in progress on the machines sharing this folder). */
  list(): JournalEntry[] {
    return safeList(this.dir)
      .map((name) => this.#parse(join(this.dir, name)))
      .filter((entry): entry is JournalEntry => entry !== undefined);
  }

  /** Writes the entry durably: the file is synced before it replaces the old one, the folder after. */
  write(key: string, entry: JournalEntry): void {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, `${key}.json`);
    const temporary = `${path}.${process.pid}.tmp`;
    const fd = openSync(temporary, "w");
    try {
      writeSync(fd, JSON.stringify(entry));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    syncFolder(this.dir);
    this.#collectGarbage();
  }

  /** Removes entries past their age: recorded ones after RECORDED_ENTRY_AGE_MS, the rest after JOURNAL_MAX_AGE_MS. */
  #collectGarbage(): void {
    for (const name of safeList(this.dir)) {
      const entry = this.#parse(join(this.dir, name));
      if (entry?.returnedAt && Date.now() - Date.parse(entry.returnedAt) > RECORDED_ENTRY_AGE_MS)
        rmSync(join(this.dir, name), { force: true });
    }
  }

  /** Removes the entry: the run is in state now. */
  clear(key: string): void {
    rmSync(join(this.dir, `${key}.json`), { force: true });
  }

  #parse(path: string): JournalEntry | undefined {
    try {
      const entry = JournalEntry.parse(JSON.parse(readFileSync(path, "utf8")));
      return Date.now() - Date.parse(entry.writtenAt) > JOURNAL_MAX_AGE_MS ? undefined : entry;
    } catch {
      return undefined;
    }
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith(".json"));
  } catch {
    return [];
  }
}

/** Makes a rename in `dir` durable (the folder's entry list), where the platform allows syncing a folder. */
export function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Windows cannot open a folder for syncing; the rename is as durable as the platform makes it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
