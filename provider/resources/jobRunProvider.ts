/**
 * The TailerJobRun provider: a run launched on deploy, modelled as an immutable resource. Create
 * launches (or adopts a run already in progress) and waits for a terminal status; any change of what
 * the run is (identity, job, execution date, triggers) replaces it, which launches a new run.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { LaunchResult } from "../client";
import { defaultJobId, isTerminalRunStatus, parseDurationMs, type Run, type RunStatus } from "../client/schemas";
import { ErrorCodes, hasErrorCode, TailerError } from "../core/errors";
import {
  apiIdentity,
  changedKeys,
  defined,
  formatElapsed,
  IDENTITY_FIELDS,
  IdentityState,
  isGone,
  PartialFailure,
  parseState,
  stripProvider,
} from "./common";
import { clearJournal, journalKey, readJournal, writeJournal } from "./journal";
import { expectedDurationMs, PollSchedule } from "./polling";
import { client, configurationKey, knownConfigurationState, log, type ProviderImplementation } from "./runtime";
import { checkIdentity, IDENTITY_INPUTS, InputChecker, rules, Triggers } from "./validation";

/** When a TailerJobRun relaunches besides replacements: never, or on every `pulumi up`. */
export const RERUN_ON = ["never", "every-deploy"] as const;

/** Defaults of the waiting behaviour, in one place. */
export const JOB_RUN_DEFAULTS = Object.freeze({
  wait: true,
  timeoutSeconds: 3600,
  pollIntervalSeconds: 2,
  rerunOn: "never" as const,
  relaunchOnFailure: true,
  adoptRunning: true,
  /** Progress lines at most this often while the status does not change. */
  progressEveryMs: 10_000,
});

const INPUTS = [
  ...IDENTITY_INPUTS,
  "jobId",
  "executionDate",
  "wait",
  "timeoutSeconds",
  "pollIntervalSeconds",
  "expectedDurationSeconds",
  "triggers",
  "rerunOn",
  "relaunchOnFailure",
  "adoptRunning",
  // Set by the TailerJobRun class: the resource's URN, so the launch journal never confuses two resources.
  "__urn",
] as const;

/** Inputs whose change means another run: a replacement, which launches. */
const RUN_DEFINING = [...IDENTITY_FIELDS, "executionDate", "triggers"] as const;
/** Inputs whose change only changes how we wait or relaunch: an update, which does not launch. */
const SETTINGS = [
  "wait",
  "timeoutSeconds",
  "pollIntervalSeconds",
  "expectedDurationSeconds",
  "rerunOn",
  "relaunchOnFailure",
  "adoptRunning",
] as const;

/** The resource's state: inputs with defaults, and the run. */
export const JobRunState = IdentityState.extend({
  jobId: z.string().optional(),
  executionDate: z.string().optional(),
  wait: z.boolean().default(JOB_RUN_DEFAULTS.wait),
  timeoutSeconds: z.number().default(JOB_RUN_DEFAULTS.timeoutSeconds),
  pollIntervalSeconds: z.number().default(JOB_RUN_DEFAULTS.pollIntervalSeconds),
  expectedDurationSeconds: z.number().optional(),
  triggers: Triggers.optional(),
  rerunOn: z.enum(RERUN_ON).default(JOB_RUN_DEFAULTS.rerunOn),
  relaunchOnFailure: z.boolean().default(JOB_RUN_DEFAULTS.relaunchOnFailure),
  adoptRunning: z.boolean().default(JOB_RUN_DEFAULTS.adoptRunning),
  __urn: z.string().optional(),
  runId: z.string().optional(),
  status: z.string().optional(),
  startExecutionDate: z.string().optional(),
  lastUpdateDate: z.string().optional(),
  duration: z.string().optional(),
  adopted: z.boolean().optional(),
});
/** The resource's state. */
export type JobRunState = z.infer<typeof JobRunState>;

const KIND = "TailerJobRun";

/** Statuses that count as the run having done its job. */
const SUCCEEDED: readonly string[] = ["SUCCESS", "CHECKED"];

/** Checks the inputs and applies defaults. */
export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  const checker = new InputChecker(news, INPUTS);
  const configurationId = checkIdentity(checker, news);
  checker.optional("jobId", rules.jobId);
  checker.optional("executionDate", rules.executionDate);
  checker.optional("wait", (v) => rules.boolean("wait", v));
  checker.optional("timeoutSeconds", (v) => rules.positiveNumber("timeoutSeconds", v));
  checker.optional("pollIntervalSeconds", (v) => rules.positiveNumber("pollIntervalSeconds", v));
  checker.optional("expectedDurationSeconds", (v) => rules.positiveNumber("expectedDurationSeconds", v));
  checker.optional("triggers", rules.triggers);
  checker.optional("rerunOn", (v) => rules.oneOf("rerunOn", v, RERUN_ON));
  checker.optional("relaunchOnFailure", (v) => rules.boolean("relaunchOnFailure", v));
  checker.optional("adoptRunning", (v) => rules.boolean("adoptRunning", v));
  if (checker.failures.length > 0) return { failures: checker.failures };
  const triggers = news.triggers && checker.known("triggers") ? Triggers.parse(news.triggers) : news.triggers;
  return {
    inputs: defined({
      ...news,
      configurationType: news.configurationType === "gbq-to-gbq" ? "table-to-table" : news.configurationType,
      configurationId,
      triggers,
      wait: news.wait ?? JOB_RUN_DEFAULTS.wait,
      timeoutSeconds: news.timeoutSeconds ?? JOB_RUN_DEFAULTS.timeoutSeconds,
      pollIntervalSeconds: news.pollIntervalSeconds ?? JOB_RUN_DEFAULTS.pollIntervalSeconds,
      rerunOn: news.rerunOn ?? JOB_RUN_DEFAULTS.rerunOn,
      relaunchOnFailure: news.relaunchOnFailure ?? JOB_RUN_DEFAULTS.relaunchOnFailure,
      adoptRunning: news.adoptRunning ?? JOB_RUN_DEFAULTS.adoptRunning,
    }),
  };
}

/**
 * Replaces (relaunches) when the run's definition changed, on every deploy with rerunOn "every-deploy",
 * and after a failed run unless relaunchOnFailure is false. Updates (waits, without launching) when a
 * run is still in progress or only settings changed.
 */
export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  forgetJournaled(olds);
  const replaces = changedKeys(olds, news, RUN_DEFINING);
  // jobId is an output too (the run's job): only a jobId the user sets, and that differs, is another run.
  if (news.jobId !== undefined && changedKeys(olds, news, ["jobId"]).length > 0) replaces.push("jobId");
  if (news.rerunOn === "every-deploy") replaces.push("rerunOn");
  const status = typeof olds.status === "string" ? olds.status : undefined;
  const failed = status !== undefined && isTerminalRunStatus(status as RunStatus) && !SUCCEEDED.includes(status);
  if (failed && news.relaunchOnFailure !== false) replaces.push("status");
  const inProgress = status !== undefined && !isTerminalRunStatus(status as RunStatus);
  const changes = replaces.length > 0 || changedKeys(olds, news, SETTINGS).length > 0 || (inProgress && news.wait !== false);
  return { changes, replaces: [...new Set(replaces)], deleteBeforeReplace: false };
}

/** Launches the run (or adopts one in progress), then waits for it unless `wait` is false. */
export async function create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const state = parseState(JobRunState, news, KIND);
  failFastIfDisabled(state);
  const jobId = state.jobId ?? defaultJobId(state.configurationType, state.account, state.configurationId, state.environment);
  const key = launchJournalKey(state);
  const runsBefore = await client().getLastStatus({
    ...apiIdentity(state),
    ...(state.jobId ? { job_id: state.jobId } : {}),
    limit: 20,
  });
  const { runId, adopted } = await startRun(state, jobId, runsBefore, key);
  // The journal entry stays until an operation sees the run in state (forgetJournaled): the engine may be
  // gone by the time this returns (a killed pulumi up leaves this process running to the end).
  return { id: runId, outs: await settle({ ...stripProvider(news), ...state, runId, adopted }, jobId, news.__provider, runsBefore) };
}

/** Drops the journal entry of a run that state records (every later diff, read, update or delete sees it). */
function forgetJournaled(olds: Record<string, unknown>): void {
  const parsed = JobRunState.safeParse(olds);
  if (!parsed.success || !parsed.data.runId) return;
  // State's jobId is the run's job: the launch was keyed by it when the user gave it, else by none.
  for (const jobId of [parsed.data.jobId, undefined]) {
    const key = launchJournalKey(parsed.data, { jobId });
    if (readJournal(key)?.runId === parsed.data.runId) clearJournal(key);
  }
}

/** The journal key of a run: the API, the resource (URN), and everything that makes it another run. */
export function launchJournalKey(state: JobRunState, { jobId }: { jobId: string | undefined } = { jobId: state.jobId }): string {
  return journalKey({
    apiUrl: client().apiUrl,
    project: process.env.PULUMI_PROJECT,
    urn: state.__urn,
    ...apiIdentity(state),
    jobId,
    executionDate: state.executionDate,
    triggers: state.triggers,
  });
}

/**
 * Adopts the run a killed `pulumi up` launched (from the journal), or one in progress; otherwise
 * launches, journaling before and after so a crash in between cannot lead to a second launch.
 */
async function startRun(
  state: JobRunState,
  jobId: string | undefined,
  runsBefore: Run[],
  key: string,
): Promise<{ runId: string; adopted: boolean }> {
  const entry = readJournal(key);
  if (entry?.runId) {
    log("info", `tailer: run ${entry.runId} of ${state.configurationId} was launched by an interrupted pulumi up: adopting it`);
    return { runId: entry.runId, adopted: true };
  }
  if (entry) {
    // The process died before the launch answered: a run absent from the runs seen before is that launch.
    const seen = new Set(entry.runsBefore);
    const launched = runsBefore.filter((run) => !seen.has(run.run_id) && (!jobId || run.job_id === jobId)).pop();
    if (launched) {
      log("info", `tailer: run ${launched.run_id} of ${state.configurationId} was launched by an interrupted pulumi up: adopting it`);
      return { runId: launched.run_id, adopted: true };
    }
  }
  const inProgress = state.adoptRunning
    ? runsBefore.find((run) => !isTerminalRunStatus(run.status) && (!jobId || run.job_id === jobId))
    : undefined;
  if (inProgress) {
    log(
      "info",
      `tailer: run ${inProgress.run_id} of ${state.configurationId} is already ${inProgress.status}: adopting it instead of launching a duplicate`,
    );
    return { runId: inProgress.run_id, adopted: true };
  }
  const startedAt = new Date().toISOString();
  const before = entry?.runsBefore ?? runsBefore.map((run) => run.run_id);
  writeJournal(key, { startedAt, runsBefore: before });
  let launch: LaunchResult;
  try {
    launch = await client().launchJob(defined({ ...apiIdentity(state), job_id: state.jobId, execution_date: state.executionDate }), {
      runsBefore,
    });
  } catch (error) {
    // Nothing was launched unless the outcome is uncertain: then the entry lets the next up find out.
    if (!hasErrorCode(error, ErrorCodes.LAUNCH_UNCERTAIN)) clearJournal(key);
    throw error;
  }
  writeJournal(key, { startedAt, runsBefore: before, runId: launch.runId });
  log("info", `tailer: launched run ${launch.runId} of ${state.configurationId}`);
  return { runId: launch.runId, adopted: launch.adopted };
}

/** Waits for a run left in progress by an interrupted or timed-out up; otherwise records new settings. */
export async function update(
  id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.UpdateResult> {
  forgetJournaled(olds);
  const previous = parseState(JobRunState, olds, KIND);
  const next = parseState(JobRunState, news, KIND);
  const run = pickRun(previous);
  const base = { ...stripProvider(news), ...next, ...run, runId: previous.runId ?? id };
  const inProgress = previous.status !== undefined && !isTerminalRunStatus(previous.status as RunStatus);
  if (inProgress && next.wait) return { outs: await settle(base, previous.jobId, news.__provider) };
  return { outs: defined(base) };
}

/** Reads the run's current status (check_run_status); a run or configuration that is gone leaves state. */
export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  forgetJournaled(props);
  const state = parseState(JobRunState, props, KIND);
  const runId = state.runId ?? id;
  let run: Run | undefined;
  try {
    run = await lookupRun(state, runId, state.jobId);
  } catch (error) {
    if (isGone(error)) return {};
    throw error;
  }
  if (!run) return {};
  return { id, props: defined({ ...stripProvider(props), ...runOutputs(run) }) };
}

/** Runs are history: deleting the resource only forgets it. */
export async function remove(_id: string, props: Record<string, unknown>): Promise<void> {
  forgetJournaled(props);
}

function failFastIfDisabled(state: JobRunState): void {
  const known = knownConfigurationState(configurationKey(state.account, state.environment, state.configurationType, state.configurationId));
  if (!known || (known.activated && !known.archived)) return;
  throw new TailerError(
    ErrorCodes.INVALID_REQUEST,
    `configuration ${state.configurationId} (${state.environment}) is ${known.archived ? "archived" : "disabled"} by a TailerConfigurationStatus in this deployment, so a run would end DEACTIVATED; nothing was launched.`,
    { action: "launch_job", hint: "Activate the configuration (activated: true), or remove this TailerJobRun." },
  );
}

/**
 * Waits for the run to end when `wait` is set, and returns the outputs. A run that ends badly, or
 * outlives the timeout, fails the deploy yet stays in state (PartialFailure), so the next up sees it.
 */
async function settle(
  base: JobRunState,
  jobId: string | undefined,
  provider: unknown,
  history: readonly Run[] = [],
): Promise<Record<string, unknown>> {
  const runId = base.runId as string;
  let run: Run | undefined;
  try {
    run = base.wait ? await waitForRun(base, runId, jobId, history) : await lookupRun(base, runId, jobId);
  } catch (error) {
    // The run exists: whatever went wrong while watching it, it must be recorded, as still in progress.
    const status = base.status && !isTerminalRunStatus(base.status as RunStatus) ? base.status : "WAITING";
    throw new PartialFailure(
      `watching run ${runId} of ${base.configurationId} (${base.environment}) failed: ${(error as Error).message} The run is recorded in state: the next pulumi up waits for it rather than launching another.`,
      runId,
      { ...defined(base), status, __provider: provider },
    );
  }
  const outs = defined({ ...base, ...(run ? runOutputs(run) : { status: "WAITING" }) });
  const status = outs.status ?? "WAITING";
  if (!base.wait || SUCCEEDED.includes(status)) return outs;
  const properties = { ...outs, __provider: provider };
  const identity = `run ${runId} of ${base.configurationId} (${base.environment})`;
  if (!isTerminalRunStatus(status as RunStatus))
    throw new PartialFailure(
      `${identity} is still ${status} after ${base.timeoutSeconds} s (timeoutSeconds). It is recorded in state: the next pulumi up waits for it again rather than launching another; raise timeoutSeconds if runs take longer.`,
      runId,
      properties,
    );
  const next =
    status === "DEACTIVATED"
      ? "The configuration is disabled: activate it (a TailerConfigurationStatus with activated: true, ordered before this run with dependsOn), then run pulumi up."
      : base.relaunchOnFailure
        ? "Fix the cause (see the run in Tailer Studio), then run pulumi up: the run is relaunched once."
        : "relaunchOnFailure is false: the run stays recorded as failed; replace it (change triggers) to launch again.";
  throw new PartialFailure(`${identity} ended ${status} after ${outs.duration ?? "an unknown time"}. ${next}`, runId, properties);
}

async function waitForRun(state: JobRunState, runId: string, jobId: string | undefined, history: readonly Run[]): Promise<Run | undefined> {
  const started = Date.now();
  const deadline = started + state.timeoutSeconds * 1000;
  // The job's own history says best how long it takes; the user's estimate covers its first runs.
  const stated = state.expectedDurationSeconds === undefined ? undefined : state.expectedDurationSeconds * 1000;
  const schedule = new PollSchedule(state.pollIntervalSeconds * 1000, expectedDurationMs(history, jobId) ?? stated);
  let lastStatus: string | undefined;
  let lastReportMs = 0;
  for (;;) {
    const run = await lookupRun(state, runId, jobId);
    const now = Date.now();
    const status = run?.status ?? "WAITING";
    if (status !== lastStatus || now - lastReportMs >= JOB_RUN_DEFAULTS.progressEveryMs) {
      log("info", `tailer: run ${runId} of ${state.configurationId}: ${status}, ${formatElapsed(now - started)} elapsed`);
      lastStatus = status;
      lastReportMs = now;
    }
    if (run && isTerminalRunStatus(run.status)) return run;
    if (now >= deadline) return run;
    const runningForMs = run?.status === "RUNNING" ? parseDurationMs(run.duration) : undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(schedule.next(runningForMs), Math.max(0, deadline - now))));
  }
}

/** Finds one run: check_run_status when the job id is known, otherwise among the last runs. */
async function lookupRun(state: IdentityState, runId: string, jobId: string | undefined): Promise<Run | undefined> {
  const job = jobId ?? defaultJobId(state.configurationType, state.account, state.configurationId, state.environment);
  if (job) return client().checkRunStatus({ ...apiIdentity(state), job_id: job, run_id: runId });
  const runs = await client().getLastStatus({ ...apiIdentity(state), limit: 50 });
  return runs.find((run) => run.run_id === runId);
}

function runOutputs(run: Run): Partial<JobRunState> {
  return defined({
    runId: run.run_id,
    jobId: run.job_id,
    status: run.status,
    startExecutionDate: run.start_execution_date,
    lastUpdateDate: run.last_update_date,
    duration: run.duration,
  });
}

function pickRun(state: JobRunState): Partial<JobRunState> {
  return defined({
    runId: state.runId,
    jobId: state.jobId,
    status: state.status,
    startExecutionDate: state.startExecutionDate,
    lastUpdateDate: state.lastUpdateDate,
    duration: state.duration,
    adopted: state.adopted,
  });
}

/** The provider object the shim dispatches to. */
export const jobRunProvider: ProviderImplementation = { check, diff, create, read, update, delete: remove };
