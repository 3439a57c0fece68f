/**
 * Launches of one job are serialized: two resources, stacks or runners sharing a journal folder never
 * launch the same job at the same moment. Tailer has no idempotency key and no lock of its own, so the
 * lock is a file created exclusively (O_EXCL) in the journal's folder; whoever holds it reads the job's
 * runs, launches and records the run, so the next holder sees that run and adopts it rather than
 * launching a duplicate. A holder that died (same host, its pid gone) or held it past the longest launch
 * loses it. Machines that share no folder share no lock: see the README's residual risk.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { digest, syncFolder } from "./journal";

/** The defaults of the lock, in one place. */
const LAUNCH_LOCK_DEFAULTS = Object.freeze({
  /** How often a waiting launch looks at the lock again. */
  pollMs: 100,
});

const Holder = z.object({ pid: z.number(), host: z.string(), urn: z.string(), acquiredAt: z.string() });
type Holder = z.infer<typeof Holder>;

/** A held lock: release it once the run is journaled (or the launch failed). */
export interface HeldLock {
  /** Releases the lock (idempotent). */
  release(): void;
  /** How long the launch waited for it. */
  waitedMs: number;
  /** Who held it before, when someone did. */
  waitedFor?: string;
}

/** What a launch needs to take the lock. */
export interface LockRequest {
  /** The journal's folder. */
  dir: string;
  /** The job: account, environment, configuration, job id. */
  job: Record<string, string | undefined>;
  /** The resource taking it. */
  urn: string;
  /** A holder older than this is taken as dead; waiting stops after it too. */
  maxHoldMs: number;
  /** How to wait (tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** Takes the job's launch lock, waiting while a live holder has it; breaks a dead or overdue holder's. */
export async function acquireLaunchLock({ dir, job, urn, maxHoldMs, sleep = delay }: LockRequest): Promise<HeldLock> {
  const folder = join(dir, "locks");
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${digest(job)}.lock`);
  const started = Date.now();
  let waitedFor: string | undefined;
  for (;;) {
    const me: Holder = { pid: process.pid, host: hostname(), urn, acquiredAt: new Date().toISOString() };
    if (tryCreate(path, me)) {
      syncFolder(folder);
      return { release: once(() => releaseIfMine(path, me)), waitedMs: Date.now() - started, ...(waitedFor ? { waitedFor } : {}) };
    }
    const holder = readHolder(path);
    if (holder === "gone") continue; // released between our two looks
    if ((holder && isDead(holder)) || ageMs(path, holder) > maxHoldMs) {
      rmSync(path, { force: true }); // a dead holder's lock: the next round takes it (or loses to a faster waiter)
      continue;
    }
    waitedFor ??= holder?.urn ?? "another launch";
    await sleep(LAUNCH_LOCK_DEFAULTS.pollMs);
  }
}

function tryCreate(path: string, holder: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The holder, "gone" when the lock was released meanwhile, undefined while it is unreadable (being written). */
function readHolder(path: string): Holder | "gone" | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  const parsed = Holder.safeParse(safeJson(text));
  return parsed.success ? parsed.data : undefined;
}

/** How long the lock has been held: from its holder's word, else (a holder killed mid-write) from the file's age. */
function ageMs(path: string, holder: Holder | undefined): number {
  if (holder) return Date.now() - Date.parse(holder.acquiredAt);
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A holder on this host whose process is gone (kill -9) holds nothing. Other hosts: only time tells. */
function isDead(holder: Holder): boolean {
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function releaseIfMine(path: string, me: Holder): void {
  const holder = readHolder(path);
  if (holder && holder !== "gone" && holder.pid === me.pid && holder.host === me.host && holder.acquiredAt === me.acquiredAt)
    rmSync(path, { force: true });
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
