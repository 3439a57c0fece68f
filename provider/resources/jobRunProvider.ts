/**
 * The TailerJobRun provider: a run launched on deploy, modelled as an immutable resource. Create gets
 * the run exactly once (jobRunLaunch.ts) and waits for a terminal status (jobRunWait.ts); any change of
 * what the run is (identity, job, execution date, triggers) replaces it, which launches a new run. A
 * launch whose outcome is not known is recorded in state with its evidence, and the next `pulumi up`
 * (on any machine) finishes it.
 */
import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LaunchAttempt, LaunchUncertainError } from "../client/launch";
import { canonicalConfigurationType, isTerminalRunStatus, RUN_ID_PATTERN, type RunStatus } from "../client/schemas";
import { ErrorCodes, ResourceInitError, TailerError } from "../core/errors";
import { defined } from "../core/objects";
import { declaredStatus } from "./declaredStatuses";
import { LaunchIntent } from "./interruptedLaunches";
import { adoptNamedRun, type LaunchContext, launchContext, lookupRun, markReturned, type StartedRun, startRun } from "./jobRunLaunch";
import { runOutputs, SUCCEEDED, settle, type WaitSettings } from "./jobRunWait";
import { changedKeys, type ProviderImplementation } from "./lifecycle";
import { IDENTITY_FIELDS, IdentityState, isGone, parseState, stripProvider } from "./state";
import { checkIdentity, IDENTITY_INPUTS, InputChecker, rules, Triggers } from "./validation";
import { RERUN_ON } from "./vocabulary";

/** Defaults of the waiting behaviour, in one place. */
export const JOB_RUN_DEFAULTS = Object.freeze({
  wait: true,
  timeoutSeconds: 3600,
  pollIntervalSeconds: 2,
  rerunOn: "never" as const,
  relaunchOnFailure: true,
  adoptRunning: true,
});

/** The status recorded for a launch whose outcome is not known (no run yet): not one of Tailer's. */
export const LAUNCH_UNCERTAIN_STATUS = "LAUNCH_UNCERTAIN";

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
  "adoptRunId",
  // Set by the TailerJobRun class: the resource's URN, so the launch journal never confuses two resources.
  "__urn",
  // Set by check: this create's launch intent, which the engine's pending operation records.
  "__launchIntent",
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

/** The resource's state: inputs with defaults, the run, and the evidence of an uncertain launch. */
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
  adoptRunId: z.string().optional(),
  __urn: z.string().optional(),
  __launchIntent: LaunchIntent.optional(),
  runId: z.string().optional(),
  status: z.string().optional(),
  startExecutionDate: z.string().optional(),
  lastUpdateDate: z.string().optional(),
  duration: z.string().optional(),
  adopted: z.boolean().optional(),
  /** The attempt whose outcome is not known yet (status LAUNCH_UNCERTAIN), with its evidence. */
  launchAttempt: LaunchAttempt.optional(),
  /** Launch intents of killed creates this resource resolved. */
  resolvedIntents: z.array(z.string()).optional(),
});
/** The resource's state. */
export type JobRunState = z.infer<typeof JobRunState>;

const KIND = "TailerJobRun";

/** Checks the inputs, applies defaults, and gives this create its launch intent. */
export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  const given = news;
  const checker = new InputChecker(given, INPUTS);
  const configurationId = checkIdentity(checker, given);
  checker.optional("jobId", rules.jobId);
  checker.optional("executionDate", rules.executionDate);
  for (const flag of ["wait", "relaunchOnFailure", "adoptRunning"]) checker.optional(flag, (v) => rules.boolean(flag, v));
  for (const seconds of ["timeoutSeconds", "pollIntervalSeconds", "expectedDurationSeconds"])
    checker.optional(seconds, (v) => rules.positiveNumber(seconds, v));
  checker.optional("triggers", rules.triggers);
  checker.optional("rerunOn", (v) => rules.oneOf("rerunOn", v, RERUN_ON));
  checker.optional("adoptRunId", (v) =>
    typeof v === "string" && RUN_ID_PATTERN.test(v)
      ? undefined
      : `adoptRunId must be a run id like 20261127-101010-<uuid> (got ${JSON.stringify(v)}).`,
  );
  if (checker.failures.length > 0) return { failures: checker.failures };
  const triggers = given.triggers && checker.known("triggers") ? Triggers.parse(given.triggers) : given.triggers;
  return {
    inputs: defined({
      ...given,
      configurationType: canonicalConfigurationType(given.configurationType),
      configurationId,
      triggers,
      wait: given.wait ?? JOB_RUN_DEFAULTS.wait,
      timeoutSeconds: given.timeoutSeconds ?? JOB_RUN_DEFAULTS.timeoutSeconds,
      pollIntervalSeconds: given.pollIntervalSeconds ?? JOB_RUN_DEFAULTS.pollIntervalSeconds,
      rerunOn: given.rerunOn ?? JOB_RUN_DEFAULTS.rerunOn,
      relaunchOnFailure: given.relaunchOnFailure ?? JOB_RUN_DEFAULTS.relaunchOnFailure,
      adoptRunning: given.adoptRunning ?? JOB_RUN_DEFAULTS.adoptRunning,
      // A new intent for each program run (programs never set one; kept when checked again): diff ignores
      // it, and a create's pending operation records it (interruptedLaunches.ts).
      __launchIntent: LaunchIntent.safeParse(given.__launchIntent).data ?? { id: randomUUID(), at: new Date().toISOString() },
    }),
  };
}

/**
 * Replaces (relaunches) when the run's definition changed, on every deploy with rerunOn "every-deploy",
 * and after a failed run unless relaunchOnFailure is false. Updates (without launching) when a run is
 * still in progress, only settings changed, adoptRunId names another run, or a launch is uncertain (the
 * update finishes it). Pure: it reads nothing but its arguments.
 */
export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const replaces = changedKeys(olds, news, RUN_DEFINING);
  // jobId is an output too (the run's job): only a jobId the user sets, and that differs, is another run.
  if (news.jobId !== undefined && changedKeys(olds, news, ["jobId"]).length > 0) replaces.push("jobId");
  if (news.rerunOn === "every-deploy") replaces.push("rerunOn");
  const status = typeof olds.status === "string" ? olds.status : undefined;
  const uncertain = status === LAUNCH_UNCERTAIN_STATUS;
  const failed = !uncertain && status !== undefined && isTerminalRunStatus(status as RunStatus) && !SUCCEEDED.includes(status);
  if (failed && news.relaunchOnFailure !== false) replaces.push("status");
  const inProgress = !uncertain && status !== undefined && !isTerminalRunStatus(status as RunStatus);
  const adoptsAnother = typeof news.adoptRunId === "string" && news.adoptRunId !== olds.runId;
  const changes =
    replaces.length > 0 ||
    changedKeys(olds, news, SETTINGS).length > 0 ||
    (inProgress && news.wait !== false) ||
    uncertain ||
    adoptsAnother;
  return { changes, replaces: [...new Set(replaces)], deleteBeforeReplace: false };
}

/** Gets the run (see jobRunLaunch.ts), then waits for it unless `wait` is false. */
export async function create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const state = parseState(JobRunState, news, KIND);
  failFastIfDisabled(state);
  const ctx = launchContext(state, state.__urn, state.__launchIntent);
  try {
    const started = await recordingUncertainty(ctx, news, () => (state.adoptRunId ? adoptNamedRun(ctx, state.adoptRunId) : startRun(ctx)));
    const base = runState({ ...stripProvider(news), ...state }, started);
    const outs = await settle(base, ctx, news.__provider, started.history);
    markReturned(ctx);
    return { id: started.runId, outs };
  } catch (error) {
    if (error instanceof ResourceInitError) markReturned(ctx); // recorded in state too
    throw error;
  }
}

/** Finishes an uncertain launch, adopts the run adoptRunId names, waits for a run in progress, or records new settings. */
export async function update(
  id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.UpdateResult> {
  forgetJournaled(olds);
  const previous = parseState(JobRunState, olds, KIND);
  const next = parseState(JobRunState, news, KIND);
  const ctx = launchContext(next, next.__urn, next.__launchIntent);
  const known = { ...stripProvider(news), ...next, ...pickRun(previous), runId: previous.runId ?? id };
  if (next.adoptRunId && next.adoptRunId !== previous.runId) {
    const started = await adoptNamedRun(ctx, next.adoptRunId);
    return { outs: await settle(runState(known, started), ctx, news.__provider) };
  }
  if (previous.status === LAUNCH_UNCERTAIN_STATUS) {
    failFastIfDisabled(next);
    const started = await recordingUncertainty(ctx, { ...news, __id: id }, () => startRun(ctx, previous.launchAttempt));
    return { outs: await settle(runState(known, started), ctx, news.__provider, started.history) };
  }
  const inProgress = previous.status !== undefined && !isTerminalRunStatus(previous.status as RunStatus);
  if (inProgress && next.wait) return { outs: await settle({ ...known, runId: known.runId }, ctx, news.__provider) };
  return { outs: defined(known) };
}

/** Reads the run's current status (check_run_status); a run or configuration that is gone leaves state. */
export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  forgetJournaled(props);
  const state = parseState(JobRunState, props, KIND);
  if (state.status === LAUNCH_UNCERTAIN_STATUS) return { id, props }; // no run to read: the next up finishes the launch
  const ctx = launchContext(state, state.__urn);
  try {
    const run = await lookupRun(ctx, state.runId ?? id);
    if (!run) return {};
    return { id, props: defined({ ...stripProvider(props), ...runOutputs(run) }) };
  } catch (error) {
    if (isGone(error)) return {};
    throw error;
  }
}

/** Runs are history: deleting the resource only forgets it. */
export async function remove(_id: string, props: Record<string, unknown>): Promise<void> {
  forgetJournaled(props, "deleted");
}

/** The state of a resource that got its run. */
function runState<T extends Record<string, unknown>>(base: T, started: StartedRun) {
  const { launchAttempt: _settled, adoptRunId: _used, ...rest } = base;
  const resolved = [...new Set([...((base.resolvedIntents as string[] | undefined) ?? []), ...started.resolvedIntents])];
  return defined({
    ...rest,
    runId: started.runId,
    adopted: started.adopted,
    status: "WAITING",
    ...(resolved.length > 0 ? { resolvedIntents: resolved } : {}),
    ...(base.adoptRunId ? { adoptRunId: base.adoptRunId } : {}),
  }) as unknown as JobRunState & WaitSettings & Record<string, unknown>;
}

/**
 * Runs `start`; a launch whose outcome is not known fails the deploy but is recorded in state with its
 * evidence (ResourceInitError), so the next `pulumi up`, on any machine, finishes it rather than launching.
 */
async function recordingUncertainty(
  ctx: LaunchContext,
  news: Record<string, unknown>,
  start: () => Promise<StartedRun>,
): Promise<StartedRun> {
  try {
    return await start();
  } catch (error) {
    if (!(error instanceof LaunchUncertainError)) throw error;
    const id = typeof news.__id === "string" ? news.__id : `launch-uncertain-${ctx.key.slice(0, 16)}`;
    const { __id: _ignored, ...inputs } = news;
    throw error.recordedAs({
      id,
      properties: defined({ ...inputs, status: LAUNCH_UNCERTAIN_STATUS, launchAttempt: error.attempt, runId: undefined }),
    });
  }
}

/**
 * Marks the journal entry of a run that state records as recorded (every later update or read sees it), or
 * clears it once the resource is deleted: its run then is history, never a run for a later create to adopt.
 */
function forgetJournaled(olds: Record<string, unknown>, why: "recorded" | "deleted" = "recorded"): void {
  const parsed = JobRunState.safeParse(olds);
  if (!parsed.success || !parsed.data.runId || !parsed.data.__urn) return;
  const ctx = launchContext(parsed.data, parsed.data.__urn);
  if (ctx.journal.read(ctx.key)?.runId !== parsed.data.runId) return;
  if (why === "deleted") ctx.journal.clear(ctx.key);
  else markReturned(ctx);
}

function failFastIfDisabled(state: JobRunState): void {
  const known = declaredStatus(state);
  if (!known || (known.activated && !known.archived)) return;
  throw new TailerError(
    ErrorCodes.INVALID_REQUEST,
    `configuration ${state.configurationId} (${state.environment}) is ${known.archived ? "archived" : "disabled"} by a TailerConfigurationStatus in this deployment, so a run would end DEACTIVATED; nothing was launched.`,
    { action: "launch_job", hint: "Activate the configuration (activated: true), or remove this TailerJobRun." },
  );
}

function pickRun(state: JobRunState): Partial<JobRunState> {
  return defined({
    runId: state.runId,
    jobId: state.jobId,
    status: state.status === LAUNCH_UNCERTAIN_STATUS ? undefined : state.status,
    startExecutionDate: state.startExecutionDate,
    lastUpdateDate: state.lastUpdateDate,
    duration: state.duration,
    adopted: state.adopted,
    resolvedIntents: state.resolvedIntents,
  });
}

/** The provider object the dynamic and native fronts dispatch to. */
export const jobRunProvider: ProviderImplementation = { check, diff, create, read, update, delete: remove };
