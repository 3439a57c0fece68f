/**
 * Who owns which run: the adopt policy's memory. A run that another resource launched, adopted or
 * recorded is never taken as this resource's own (a sibling TailerJobRun for another date, a second
 * stack's run), unless it was launched for the very same definition at the same time, where one run
 * serves both. Sources: this process, the journal (the machines sharing its folder), and the stack's
 * state when it was read (interruptedLaunches.ts).
 */
import type { RunOwnership } from "../client/launch";
import type { LaunchDefinition, LaunchJournal } from "./journal";
import { digest } from "./journal";

/** A run's owner: the resource, what it launched, and since when it says so (epoch ms). */
export interface RunOwner {
  urn: string;
  definition?: LaunchDefinition;
  sinceMs?: number;
  /** The API URL the journal recorded the launch through (a journal entry's; this process's own runs have none). */
  apiUrl?: string;
}

const ownedInProcess = new Map<string, RunOwner>();

/** Records that `owner` launched or adopted `runId` (in this process). */
export function recordRunOwner(runId: string, owner: RunOwner): void {
  ownedInProcess.set(runId, { sinceMs: Date.now(), ...owner });
}

/** Forgets what this process recorded (tests). */
export function forgetRunOwners(): void {
  ownedInProcess.clear();
}

/** The owners of runs, as this process, a journal and (when read) the stack's state know them. */
export class RunOwners {
  readonly #owners = new Map<string, RunOwner>();
  readonly #recorded: ReadonlySet<string>;

  constructor(journal: LaunchJournal, recordedInState: ReadonlyMap<string, string> = new Map()) {
    this.#recorded = new Set(recordedInState.keys());
    for (const [runId, urn] of recordedInState) this.#owners.set(runId, { urn });
    for (const entry of journal.list())
      if (entry.runId)
        this.#owners.set(entry.runId, {
          urn: entry.urn,
          definition: entry.definition,
          sinceMs: Date.parse(entry.writtenAt),
          apiUrl: entry.apiUrl,
        });
    for (const [runId, owner] of ownedInProcess) this.#owners.set(runId, owner);
  }

  /** The owner of `runId`, if any source knows one. */
  ownerOf(runId: string): RunOwner | undefined {
    return this.#owners.get(runId);
  }

  /**
   * Runs reconciliation must never take for `urn` launching `definition`: every run the stack's state
   * records (this resource's own earlier runs included: a replacement launches anew), and runs other
   * resources own for another definition (one launched for the same definition is the same work).
   */
  excludedFor(urn: string, definition: LaunchDefinition): RunOwnership {
    return (runId) => {
      const owner = this.#owners.get(runId);
      if (this.#recorded.has(runId)) return true;
      if (owner === undefined || owner.urn === urn) return false;
      return owner.definition === undefined || digest(owner.definition) !== digest(definition);
    };
  }

  /** True when another resource launched `runId` for exactly `definition`: one run may serve both. */
  launchedForSameDefinition(runId: string, urn: string, definition: LaunchDefinition): boolean {
    const owner = this.#owners.get(runId);
    return owner?.definition !== undefined && owner.urn !== urn && digest(owner.definition) === digest(definition);
  }

  /** Runs other resources launched for exactly `definition` (the journal's and this process's records). */
  launchedElsewhereFor(urn: string, definition: LaunchDefinition): string[] {
    return [...this.#owners.keys()].filter((runId) => this.launchedForSameDefinition(runId, urn, definition));
  }
}
