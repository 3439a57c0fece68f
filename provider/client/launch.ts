/**
 * The reconcile policy of launch_job, written once: which runs an uncertain launch may have started,
 * and when one of them is taken as ours. Tailer has no idempotency key and its runs do not show the
 * execution date they were launched for, so the evidence is the job, the time the attempt began (on
 * the server's clock) and the runs that existed before it.
 */
import { z } from "zod";
import { ErrorCodes, TailerError } from "../core/errors";
import type { Run } from "./schemas";

/** What the server's Date header loses: it has one-second resolution. */
const SERVER_DATE_RESOLUTION_MS = 1_000;

/** The defaults of reconciliation, in one place. */
export const RECONCILE_DEFAULTS = Object.freeze({
  /** Runs read to find an uncertain launch's run (a job's newest first). */
  runsRead: 20,
  /** After the reconcile window (request timeout + this margin), a launch that left no run launched nothing. */
  windowMarginMs: 30_000,
  /** First wait between two reads while the window is open; it doubles up to the next value. */
  firstPollMs: 500,
  /** Longest wait between two reads while the window is open. */
  maxPollMs: 5_000,
  /** Candidates listed in a LAUNCH_UNCERTAIN message. */
  listed: 5,
});

/** The evidence of one launch attempt: enough to tell, later and on any machine, which runs it may have started. */
export const LaunchAttempt = z.object({
  /** When the attempt began, on the server's clock (ISO, a lower bound): a run that started before is never ours. */
  startedAt: z.string(),
  /** When its answer was known lost (ISO, server clock), if it was: a run that started in between is the request's own. */
  failedAt: z.string().optional(),
  /** When a run it started would surely be visible (ISO, the clock of the machine that made it): the reconcile window's end. */
  settlesAt: z.string(),
  /** The job's runs visible just before the attempt: none of them is ours. */
  runsBefore: z.array(z.string()),
  /** The job the launch targets; undefined when the configuration's job has no name we know. */
  jobId: z.string().optional(),
  /** Why the outcome is uncertain (the failure, redacted), when it is. */
  reason: z.string().optional(),
});
/** The evidence of one launch attempt. */
export type LaunchAttempt = z.infer<typeof LaunchAttempt>;

/** Who else owns runs: a run another resource recorded (or a sibling launched) is never adopted. */
export type RunOwnership = (runId: string) => boolean;

/** The runs `attempt` may have started: of its job, new since it began, and owned by nobody else. */
export function launchCandidates(runs: readonly Run[], attempt: LaunchAttempt, ownedElsewhere: RunOwnership = () => false): Run[] {
  const before = new Set(attempt.runsBefore);
  const notBeforeMs = Date.parse(attempt.startedAt);
  return runs.filter(
    (run) =>
      !before.has(run.run_id) &&
      (attempt.jobId === undefined || run.job_id === attempt.jobId) &&
      Date.parse(run.start_execution_date) >= notBeforeMs &&
      !ownedElsewhere(run.run_id),
  );
}

/** What to do about an attempt, given its candidates. */
export type LaunchDecision =
  | { kind: "adopt"; run: Run; because: string }
  | { kind: "launch"; because: string }
  | { kind: "wait" }
  | { kind: "uncertain"; candidates: Run[]; because: string };

/**
 * The decision for `attempt` at `nowMs` (server clock). A candidate that started while the request was
 * in flight is the request's own run: adopted at once. Otherwise the decision waits for the window to
 * close (late processing, visibility delay), then: one candidate is adopted; none means nothing was
 * launched, unless `noneIsUncertain` (the up that saw the failure stops rather than launch again); more
 * than one cannot be told apart.
 */
export function decideLaunch(
  candidates: readonly Run[],
  attempt: LaunchAttempt,
  { nowMs, noneIsUncertain }: { nowMs: number; noneIsUncertain: boolean },
): LaunchDecision {
  const inFlight = attempt.failedAt === undefined ? [] : candidates.filter((run) => startedBy(run, attempt.failedAt as string));
  if (inFlight.length === 1 && candidates.length === 1)
    return { kind: "adopt", run: inFlight[0] as Run, because: "it started while the launch was in flight" };
  if (nowMs < Date.parse(attempt.settlesAt)) return { kind: "wait" };
  const window = windowText(attempt);
  const [only] = candidates;
  if (only && candidates.length === 1)
    return { kind: "adopt", run: only, because: "it is the only new run of the job since the launch began" };
  if (candidates.length > 1)
    return {
      kind: "uncertain",
      candidates: [...candidates],
      because: `${candidates.length} new runs of the job started since the launch began`,
    };
  if (noneIsUncertain) return { kind: "uncertain", candidates: [], because: `no new run of the job appeared ${window}` };
  return { kind: "launch", because: `no run of the job appeared ${window}, so it launched nothing` };
}

function windowText(attempt: LaunchAttempt): string {
  return `by ${attempt.settlesAt} (the reconcile window after the launch began at ${attempt.startedAt})`;
}

function startedBy(run: Run, failedAt: string): boolean {
  return Date.parse(run.start_execution_date) <= Date.parse(failedAt) + SERVER_DATE_RESOLUTION_MS;
}

const kLaunchUncertain = Symbol.for("pulumi-tailer.error.launch-uncertain");

/** LAUNCH_UNCERTAIN, with the evidence: the attempt and the runs it may have started. */
export class LaunchUncertainError extends TailerError {
  /** The attempt whose outcome is not known. */
  readonly attempt: LaunchAttempt;
  /** The runs that could be its run (none, or several that cannot be told apart). */
  readonly candidates: Run[];

  constructor(message: string, attempt: LaunchAttempt, candidates: readonly Run[], hint: string, cause?: unknown) {
    super(ErrorCodes.LAUNCH_UNCERTAIN, `${message} ${describeCandidates(candidates)}`, { action: "launch_job", hint, cause });
    this.name = "LaunchUncertainError";
    this.attempt = attempt;
    this.candidates = [...candidates];
  }

  get [kLaunchUncertain](): true {
    return true;
  }

  /** Brand check, across module copies. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[kLaunchUncertain] === true;
  }
}

/** "Candidates: none." or "Candidates: <id> (RUNNING, started <date>), ..." for messages. */
export function describeCandidates(candidates: readonly Run[]): string {
  if (candidates.length === 0) return "Candidates: none.";
  const listed = candidates
    .slice(0, RECONCILE_DEFAULTS.listed)
    .map((run) => `${run.run_id} (${run.status}, started ${run.start_execution_date})`);
  const more = candidates.length > listed.length ? `, and ${candidates.length - listed.length} more` : "";
  return `Candidates: ${listed.join(", ")}${more}.`;
}
