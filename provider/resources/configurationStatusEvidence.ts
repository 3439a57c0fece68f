/**
 * What a refresh of a TailerConfigurationStatus can prove, and how it says so. The API has no call that
 * reads a configuration's status: runs started after the provider set it are the only evidence. A run
 * that came back DEACTIVATED proves the configuration was disabled when it started, any other run that
 * it was active, and any run at all that it was not archived (an archived configuration never runs).
 * Without such a run nothing is proven: the recorded status stands and the refresh says it could not
 * verify it. Pure: the provider passes what it read and prints what these functions return.
 */
import type { Run } from "../client/schemas";
import { formatElapsed, type LogSeverity } from "./providerLog";
import type { UnverifiedStatusGate } from "./settings";
import type { StatusClock, StatusEvidence } from "./vocabulary";

/** What state records of the last time the provider set the status (the fields this module reads). */
export interface RecordedStatus {
  configurationId: string;
  activated: boolean;
  archived: boolean;
  /** When the provider set it: the server's Date header, or the local clock (statusSetClock says which). */
  statusSetAt?: string | undefined;
  statusSetClock?: StatusClock | undefined;
  /** With the local clock only: the run that was newest when the status was set ("" when there was none). */
  newestRunAtStatusSet?: string | undefined;
}

/** The status a refresh observed and what it rests on: the state's evidence outputs (undefined clears an old value). */
export interface Observation {
  activated: boolean;
  archived: boolean;
  statusEvidence: Exclude<StatusEvidence, "set">;
  evidenceRunId: string | undefined;
  evidenceRunStatus: string | undefined;
  evidenceRunStartDate: string | undefined;
  /** When the status was last proven: the evidence run's start, or the provider's own call (ISO 8601). */
  statusVerifiedAt: string | undefined;
}

/** A line for the user of `pulumi preview --refresh`. */
export interface StatusLine {
  severity: LogSeverity;
  message: string;
}

/** The Date header has second resolution: the status was set within the second it names, so only runs from the next second on surely came later. */
const DATE_RESOLUTION_MS = 1000;

/** The runs (newest first) that surely started after the provider last set the status. */
export function runsSinceStatusSet(recorded: RecordedStatus, runs: readonly Run[]): Run[] {
  if (recorded.statusSetClock === "local" && recorded.newestRunAtStatusSet !== undefined) {
    // statusSetAt is on this machine's clock, which may be minutes off the runs' dates: the run that was
    // newest when the status was set is the boundary instead (not in the list: every run listed is later).
    const boundary = runs.findIndex((run) => run.run_id === recorded.newestRunAtStatusSet);
    return boundary === -1 ? [...runs] : runs.slice(0, boundary);
  }
  if (recorded.statusSetAt === undefined) return [...runs];
  const after = Date.parse(recorded.statusSetAt) + DATE_RESOLUTION_MS;
  return runs.filter((run) => Date.parse(run.start_execution_date) >= after);
}

const isoOf = (date: string) => new Date(Date.parse(date)).toISOString();

/** The status the runs prove, or the recorded one when no run started since the provider set it. */
export function observe(recorded: RecordedStatus, runs: readonly Run[]): Observation {
  const run = runsSinceStatusSet(recorded, runs)[0];
  if (!run)
    return {
      activated: recorded.activated,
      archived: recorded.archived,
      statusEvidence: "none",
      evidenceRunId: undefined,
      evidenceRunStatus: undefined,
      evidenceRunStartDate: undefined,
      statusVerifiedAt: recorded.statusSetAt,
    };
  return {
    activated: run.status !== "DEACTIVATED",
    archived: false, // it ran
    statusEvidence: "run",
    evidenceRunId: run.run_id,
    evidenceRunStatus: run.status,
    evidenceRunStartDate: run.start_execution_date,
    statusVerifiedAt: isoOf(run.start_execution_date),
  };
}

/** What changed outside Pulumi, in words ("un-archived and enabled"), or undefined when nothing did. */
function changes(recorded: RecordedStatus, observed: Observation): string | undefined {
  const words: string[] = [];
  if (recorded.archived && !observed.archived) words.push("un-archived");
  if (recorded.activated !== observed.activated) words.push(observed.activated ? "enabled" : "disabled");
  return words.length > 0 ? words.join(" and ") : undefined;
}

/** The line a refresh prints: a status changed outside Pulumi (warning), or one it could not verify; none when runs confirm it. */
export function observationLine(recorded: RecordedStatus, observed: Observation): StatusLine | undefined {
  const name = `tailer: ${recorded.configurationId}`;
  if (observed.statusEvidence === "none") {
    const since = recorded.statusSetAt ? `no run since the status was set at ${recorded.statusSetAt}` : "no run to read its status from";
    const why = recorded.archived ? " (an archived configuration never runs)" : "";
    return { severity: "info", message: `${name} not verifiable: ${since}${why}` };
  }
  const changed = changes(recorded, observed);
  if (!changed) return undefined;
  const outcome = observed.evidenceRunStatus === "DEACTIVATED" ? "came back DEACTIVATED" : `started (now ${observed.evidenceRunStatus})`;
  return {
    severity: "warn",
    message: `${name} ${changed} outside Pulumi: run ${observed.evidenceRunId} ${outcome} at ${observed.evidenceRunStartDate}`,
  };
}

/** The gate's complaint when the status has gone without evidence for longer than it allows at `nowMs`, else undefined. */
export function unverifiedComplaint(
  recorded: RecordedStatus,
  observed: Observation,
  nowMs: number,
  gate: UnverifiedStatusGate,
): string | undefined {
  const limit = `limit ${formatElapsed(gate.maxSeconds * 1000)}`;
  const name = `tailer: ${recorded.configurationId}`;
  if (observed.statusVerifiedAt === undefined) return `${name} status never verified (${limit})`;
  const ageMs = nowMs - Date.parse(observed.statusVerifiedAt);
  if (ageMs <= gate.maxSeconds * 1000) return undefined;
  const by = observed.statusEvidence === "run" ? `run ${observed.evidenceRunId}` : "the provider setting it";
  return `${name} status unverified for ${formatElapsed(ageMs)} (${limit}): last proven at ${observed.statusVerifiedAt} by ${by}`;
}
