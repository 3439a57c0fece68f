/**
 * How a TailerJobRun gets its run, exactly once: it first finishes what an earlier attempt left open
 * (evidence in state, in the journal, or in the stack's pending operations), then adopts a run of the
 * same job already in progress (adoptRunning), and only then launches, holding the job's launch lock and
 * journaling the attempt before the request leaves. Nothing here launches after an uncertain attempt
 * unless reconciliation proved that attempt launched nothing.
 */
import { randomUUID } from "node:crypto";
import { type LaunchAttempt, LaunchUncertainError, RECONCILE_DEFAULTS, type RunOwnership } from "../client/launch";
import { defaultJobId, isTerminalRunStatus, type Run } from "../client/schemas";
import { ErrorCodes, TailerError } from "../core/errors";
import { defined } from "../core/objects";
import { client, currentSettings } from "./clients";
import { type LaunchIntent, type StackEvidence, stackEvidence } from "./interruptedLaunches";
import { digest, type LaunchDefinition, LaunchJournal } from "./journal";
import { acquireLaunchLock } from "./launchLock";
import { log } from "./providerLog";
import { RunOwners, recordRunOwner } from "./runOwners";
import { apiIdentity, type IdentityState } from "./state";

/**
 * Two resources launching the very same definition (job, execution date, triggers) within this time are
 * one deployment of it (two stacks of one release, a pipeline retried on another runner): one run
 * serves both. Later, a second declaration launches a run of its own.
 */
const SAME_DEPLOYMENT_WINDOW_MS = 30 * 60_000;

/** How far the launch intent's time (the clock of the machine that checked it) may be from the server's: NTP keeps it far closer. */
const INTENT_CLOCK_SKEW_MS = 30_000;

/** What a resource launches, and where its evidence lives. */
export interface LaunchContext {
  state: IdentityState & { jobId?: string; executionDate?: string; triggers?: Record<string, string>; adoptRunning: boolean };
  /** The resource's URN. */
  urn: string;
  /** This create's launch intent (from check). */
  intent?: LaunchIntent;
  /** The job launched: the one given, else the configuration's default job (undefined for storage types). */
  jobId: string | undefined;
  definition: LaunchDefinition;
  journal: LaunchJournal;
  /** The journal key of this resource's launch of this definition. */
  key: string;
  /** When this operation began (epoch ms): runs launched for the same definition since then were launched "at once". */
  startedAtMs: number;
}

/** How the resource got its run. */
export interface StartedRun {
  runId: string;
  /** True when the run was not launched by this operation (found after a lost answer, or in progress). */
  adopted: boolean;
  /** The attempt that launched it, when this operation launched. */
  attempt?: LaunchAttempt;
  /** The job's runs read before launching (for the expected duration). */
  history: Run[];
  /** Intents of interrupted creates this resolved (recorded, so their pending operations are not read again). */
  resolvedIntents: string[];
}

/** The launch context of a resource's state. */
export function launchContext(state: LaunchContext["state"], urn: string | undefined, intent?: LaunchIntent): LaunchContext {
  const jobId = state.jobId ?? defaultJobId(state.configurationType, state.account, state.configurationId, state.environment);
  const definition: LaunchDefinition = defined({
    account: state.account,
    environment: state.environment,
    configurationType: state.configurationType,
    configurationId: state.configurationId,
    jobId,
    executionDate: state.executionDate,
    triggers: state.triggers,
  });
  const resourceUrn = urn ?? `unknown:${randomUUID()}`; // a program older than __urn: no journal across processes
  const journal = new LaunchJournal(currentSettings().journalDir);
  return {
    state,
    urn: resourceUrn,
    ...(intent ? { intent } : {}),
    jobId,
    definition,
    journal,
    key: LaunchJournal.key(resourceUrn, definition),
    startedAtMs: Date.now(),
  };
}

/** Gets the resource's run: resumes earlier evidence, adopts a run in progress, or launches once. */
export async function startRun(ctx: LaunchContext, recorded?: LaunchAttempt): Promise<StartedRun> {
  const stack = await readStack(ctx);
  dropStaleEntry(ctx, stack);
  const c = client();
  const maxHoldMs = c.retryPolicy.maxElapsedMs + 3 * c.reconcileWindowMs;
  const job = { ...ctx.definition, executionDate: undefined, triggers: undefined };
  // Everything that decides whether to launch happens under the job's lock: siblings resumed at once
  // must not both take the one run they see.
  const lock = await acquireLaunchLock({ dir: ctx.journal.dir, job, urn: ctx.urn, maxHoldMs });
  try {
    if (lock.waitedFor)
      log("info", `tailer: ${ctx.state.configurationId}: waited ${lock.waitedMs} ms for ${lock.waitedFor} to launch the same job`);
    const owners = new RunOwners(ctx.journal, stack?.recordedRuns);
    const excluded = owners.excludedFor(ctx.urn, ctx.definition);
    const interrupted = recorded ? [] : (stack?.interrupted ?? []).filter((op) => sameDefinition(ctx, op.inputs));
    const resumed = await resumeEarlierAttempts(ctx, recorded, interrupted, excluded, rivalsOf(ctx, stack));
    if (resumed.runId) return adopted(ctx, resumed.runId, [], resumed.resolvedIntents);
    const shared = await sameDefinitionInFlight(ctx, excluded);
    if (shared) return adopted(ctx, shared, [], resumed.resolvedIntents);
    const before = await c.readRuns(lookupBody(ctx));
    const nowOwners = new RunOwners(ctx.journal, stack?.recordedRuns);
    const running = sharedRun(ctx, nowOwners, lock.waitedFor) ?? runningToAdopt(ctx, before.runs, nowOwners)?.run_id;
    if (running) return adopted(ctx, running, before.runs, resumed.resolvedIntents);
    return await launch(ctx, before, excluded, resumed.resolvedIntents);
  } finally {
    lock.release();
  }
}

/** Killed creates of other resources on the same job, for another definition: their runs and ours cannot be told apart. */
function rivalsOf(ctx: LaunchContext, stack: StackEvidence | undefined): number {
  return (stack?.rivals ?? []).filter((op) => op.inputs.configurationId === ctx.state.configurationId && !sameDefinition(ctx, op.inputs))
    .length;
}

/**
 * Another resource's launch of this very definition left open in the journal (its runner died with the
 * answer unread, two stacks at once): the run it started, if reconciliation finds it, serves both.
 */
async function sameDefinitionInFlight(ctx: LaunchContext, excluded: RunOwnership): Promise<string | undefined> {
  const open = ctx.journal
    .list()
    .filter((e) => e.urn !== ctx.urn && !e.runId && !e.returnedAt && digest(e.definition) === digest(ctx.definition));
  for (const entry of open) {
    const run = await client().reconcileLaunch(launchBody(ctx), entry.attempt, { ownedElsewhere: excluded });
    if (run) {
      log(
        "info",
        `tailer: run ${run.run_id} of ${ctx.state.configurationId} was launched for the same job and inputs by ${entry.urn}, whose runner died: sharing it`,
      );
      return run.run_id;
    }
  }
  return undefined;
}

/** The stack's evidence, read only for a create (an update's evidence is its own state), when the setting allows. */
async function readStack(ctx: LaunchContext) {
  if (!ctx.intent || ctx.urn.startsWith("unknown:") || currentSettings().interruptedLaunchCheck === "off") return undefined;
  return stackEvidence(ctx.urn, ctx.intent);
}

/** True when a pending create's inputs launch what `ctx` launches: another definition's launch is not this one's. */
function sameDefinition(ctx: LaunchContext, inputs: Record<string, unknown>): boolean {
  const triggers = (t: unknown) =>
    t && typeof t === "object" ? Object.fromEntries(Object.entries(t).map(([k, v]) => [k, String(v)])) : undefined;
  const theirs = {
    configurationId: inputs.configurationId,
    executionDate: inputs.executionDate,
    jobId: inputs.jobId,
    triggers: triggers(inputs.triggers),
  };
  const ours = {
    configurationId: ctx.state.configurationId,
    executionDate: ctx.state.executionDate,
    jobId: ctx.state.jobId,
    triggers: ctx.state.triggers,
  };
  return digest(theirs) === digest(ours);
}

/**
 * A journal entry whose create returned to the engine is in state: a replacement of the same resource
 * (a relaunch, every-deploy, `--replace`) must not take it. Only a run the stack's state does not record
 * (a create that finished after its pulumi up was killed) is still to adopt.
 */
function dropStaleEntry(ctx: LaunchContext, stack: StackEvidence | undefined): void {
  const entry = ctx.journal.read(ctx.key);
  if (!entry?.returnedAt) return;
  const orphaned = entry.runId !== undefined && stack !== undefined && !stack.recordedRuns.has(entry.runId);
  if (!orphaned) ctx.journal.clear(ctx.key);
}

/**
 * The journal entry of this launch, unless it names a run launched through another API URL that this API does not
 * know: the stack pointed at the emulator, then at Tailer. (The same API reached by another URL knows the run.)
 */
async function journaledRunOfThisApi(ctx: LaunchContext) {
  const entry = ctx.journal.read(ctx.key);
  if (!entry?.runId || entry.apiUrl === client().apiUrl || (await lookupRun(ctx, entry.runId))) return entry;
  log("info", `tailer: run ${entry.runId} was launched through ${entry.apiUrl}, which ${client().apiUrl} does not know: not adopted`);
  ctx.journal.clear(ctx.key);
  return undefined;
}

/** Notes that the create using `ctx` returned its result to the engine (which records it in state). */
export function markReturned(ctx: LaunchContext): void {
  const entry = ctx.journal.read(ctx.key);
  if (entry && !entry.returnedAt) ctx.journal.write(ctx.key, { ...entry, returnedAt: new Date().toISOString() });
}

/**
 * Finishes the attempts an earlier operation left open, oldest first: the run it started is adopted; an
 * attempt proven to have launched nothing is passed over; one that cannot be told throws LAUNCH_UNCERTAIN.
 */
async function resumeEarlierAttempts(
  ctx: LaunchContext,
  recorded: LaunchAttempt | undefined,
  interrupted: Array<{ intent: LaunchIntent }>,
  ownedElsewhere: RunOwnership,
  rivals: number,
): Promise<{ runId?: string; resolvedIntents: string[] }> {
  const entry = await journaledRunOfThisApi(ctx);
  if (entry?.runId) {
    // The launch answered before the process died: the run exists, even if reads do not show it yet.
    log("info", `tailer: run ${entry.runId} of ${ctx.state.configurationId} was launched by an interrupted pulumi up: adopting it`);
    return { runId: entry.runId, resolvedIntents: [] };
  }
  const attempts: Array<{ attempt: LaunchAttempt; intentId?: string; origin: string }> = [];
  if (recorded) attempts.push({ attempt: recorded, origin: "an earlier pulumi up (recorded in state)" });
  else if (entry) attempts.push({ attempt: entry.attempt, origin: "an interrupted pulumi up (launch journal)" });
  // The journal's attempt and the engine's pending operation of one killed create are one attempt.
  for (const { intent } of interrupted.filter((op) => op.intent.id !== entry?.intentId))
    attempts.push({
      attempt: attemptOfIntent(ctx, intent),
      intentId: intent.id,
      origin: "a killed pulumi up (a pending operation in the stack's state)",
    });
  const resolvedIntents: string[] = [];
  for (const { attempt, intentId, origin } of attempts) {
    const run = await client().reconcileLaunch(launchBody(ctx), attempt, { ownedElsewhere });
    // A sibling killed in the same up may have launched the run we see: Tailer's runs do not show their date.
    if (run && intentId && rivals > 0)
      throw new LaunchUncertainError(
        `the launch may or may not have started a run (${attempt.reason}), and ${rivals} other resource(s) killed with it launch the same job for other inputs: their runs and this one's cannot be told apart; nothing more was launched.`,
        attempt,
        [run],
        "If the candidate is this resource's run (Tailer Studio shows its execution date), set adoptRunId to its id and run pulumi up; if it is not, run pulumi up --replace <urn> to launch this one.",
      );
    if (intentId) resolvedIntents.push(intentId);
    if (run) {
      log(
        "info",
        `tailer: run ${run.run_id} of ${ctx.state.configurationId} was started by ${origin}: adopting it rather than launching again`,
      );
      return { runId: run.run_id, resolvedIntents };
    }
    log("info", `tailer: the launch of ${ctx.state.configurationId} by ${origin} at ${attempt.startedAt} left no run: it launched nothing`);
  }
  if (entry) ctx.journal.clear(ctx.key);
  return { resolvedIntents };
}

/** A launch the stack's state records only by its intent: its time is the checking machine's clock, hence the margin. */
function attemptOfIntent(ctx: LaunchContext, intent: LaunchIntent): LaunchAttempt {
  const atMs = Date.parse(intent.at);
  return {
    startedAt: new Date(atMs - INTENT_CLOCK_SKEW_MS).toISOString(),
    settlesAt: new Date(atMs + client().reconcileWindowMs).toISOString(),
    runsBefore: [],
    ...(ctx.jobId ? { jobId: ctx.jobId } : {}),
    reason: "the pulumi up that launched it was killed",
  };
}

/** One deployment: the other resource launched `runId` for this definition and held the lock we waited for, or launched it within the window before this operation. */
function launchedAtOnce(ctx: LaunchContext, owners: RunOwners, waitedFor: string | undefined, runId: string): boolean {
  const owner = owners.ownerOf(runId);
  return (
    owners.launchedForSameDefinition(runId, ctx.urn, ctx.definition) &&
    (owner?.urn === waitedFor || (owner?.sinceMs ?? 0) >= ctx.startedAtMs - SAME_DEPLOYMENT_WINDOW_MS)
  );
}

/**
 * A run another resource launched for the very same definition at once (two stacks deploying together): one
 * run serves both. Its launch answered (the journal or this process says so), so it exists even when the
 * API does not list it yet (visibility delay); a run launched through another API URL is not this API's. The
 * newest such run, if several.
 */
function sharedRun(ctx: LaunchContext, owners: RunOwners, waitedFor: string | undefined): string | undefined {
  const since = (runId: string) => owners.ownerOf(runId)?.sinceMs ?? 0;
  const [shared] = owners
    .launchedElsewhereFor(ctx.urn, ctx.definition)
    .filter(
      (runId) => launchedAtOnce(ctx, owners, waitedFor, runId) && [undefined, client().apiUrl].includes(owners.ownerOf(runId)?.apiUrl),
    )
    .sort((a, b) => since(b) - since(a));
  if (shared)
    log(
      "info",
      `tailer: run ${shared} of ${ctx.state.configurationId} was launched for the same job and inputs by ${owners.ownerOf(shared)?.urn}: sharing it`,
    );
  return shared;
}

/**
 * With adoptRunning, a run of the job in progress that nobody owns, when the resource names no execution
 * date or triggers (runs do not show what they were launched for).
 */
function runningToAdopt(ctx: LaunchContext, runs: readonly Run[], owners: RunOwners): Run | undefined {
  if (!ctx.state.adoptRunning || ctx.state.executionDate !== undefined || ctx.state.triggers !== undefined) return undefined;
  const free = runs.find(
    (run) => (!ctx.jobId || run.job_id === ctx.jobId) && !isTerminalRunStatus(run.status) && owners.ownerOf(run.run_id) === undefined,
  );
  if (free)
    log(
      "info",
      `tailer: run ${free.run_id} of ${ctx.state.configurationId} is already ${free.status}: adopting it instead of launching a duplicate`,
    );
  return free;
}

async function launch(
  ctx: LaunchContext,
  before: Awaited<ReturnType<ReturnType<typeof client>["readRuns"]>>,
  ownedElsewhere: RunOwnership,
  resolvedIntents: string[],
): Promise<StartedRun> {
  const journalEntry = (attempt: LaunchAttempt, runId?: string) => ({
    urn: ctx.urn,
    ...(ctx.intent ? { intentId: ctx.intent.id } : {}),
    definition: ctx.definition,
    attempt,
    ...(runId ? { runId } : {}),
    apiUrl: client().apiUrl,
    writtenAt: new Date().toISOString(),
  });
  try {
    const result = await client().launchJob(launchBody(ctx), {
      before,
      ownedElsewhere,
      onAttempt: (attempt) => ctx.journal.write(ctx.key, journalEntry(attempt)),
    });
    ctx.journal.write(ctx.key, journalEntry(result.attempt, result.runId));
    recordRunOwner(result.runId, { urn: ctx.urn, definition: ctx.definition });
    log("info", `tailer: ${result.adopted ? "found" : "launched"} run ${result.runId} of ${ctx.state.configurationId}`);
    return { runId: result.runId, adopted: result.adopted, attempt: result.attempt, history: before.runs, resolvedIntents };
  } catch (error) {
    // Only an uncertain launch leaves evidence to keep (now with why); any other failure proved nothing was launched.
    if (error instanceof LaunchUncertainError) ctx.journal.write(ctx.key, journalEntry(error.attempt));
    else ctx.journal.clear(ctx.key);
    throw error;
  }
}

function adopted(ctx: LaunchContext, runId: string, history: Run[], resolvedIntents: string[]): StartedRun {
  recordRunOwner(runId, { urn: ctx.urn, definition: ctx.definition });
  // The journal entry stays until an operation sees the run in state (a killed pulumi up records nothing).
  ctx.journal.write(ctx.key, {
    urn: ctx.urn,
    ...(ctx.intent ? { intentId: ctx.intent.id } : {}),
    definition: ctx.definition,
    attempt: adoptionAttempt(ctx),
    runId,
    apiUrl: client().apiUrl,
    writtenAt: new Date().toISOString(),
  });
  return { runId, adopted: true, history, resolvedIntents };
}

/** The evidence of an adoption: nothing to reconcile (the run is known), kept in the journal's shape. */
function adoptionAttempt(ctx: LaunchContext): LaunchAttempt {
  const now = new Date().toISOString();
  return { startedAt: now, settlesAt: now, runsBefore: [], ...(ctx.jobId ? { jobId: ctx.jobId } : {}) };
}

/** Verifies a run the user named (adoptRunId) is a run of this resource's configuration and job. */
export async function adoptNamedRun(ctx: LaunchContext, runId: string): Promise<StartedRun> {
  const run = await lookupRun(ctx, runId);
  if (!run)
    throw new TailerError(
      ErrorCodes.INVALID_REQUEST,
      `adoptRunId "${runId}" is not a run of ${ctx.jobId ?? "the jobs of"} ${ctx.state.configurationId} (${ctx.state.environment}); nothing was recorded.`,
      {
        action: "check_run_status",
        hint: "Copy the run id from the LAUNCH_UNCERTAIN message or Tailer Studio, or remove adoptRunId.",
      },
    );
  log("info", `tailer: adopting run ${runId} of ${ctx.state.configurationId} as adoptRunId asks`);
  return adopted(ctx, run.run_id, [], []);
}

/** One run of the resource's configuration: check_run_status when the job is known, else among its last runs. */
export async function lookupRun(ctx: Pick<LaunchContext, "state" | "jobId">, runId: string): Promise<Run | undefined> {
  const identity = apiIdentity(ctx.state);
  if (ctx.jobId)
    return client()
      .checkRunStatus({ ...identity, job_id: ctx.jobId, run_id: runId })
      .catch(notFoundIsUndefined);
  const runs = await client().getLastStatus({ ...identity, limit: 50 });
  return runs.find((run) => run.run_id === runId);
}

function notFoundIsUndefined(error: unknown): undefined {
  if (error instanceof TailerError && error.code === ErrorCodes.NOT_FOUND && error.action === "check_run_status") return undefined;
  throw error;
}

function launchBody(ctx: LaunchContext) {
  return defined({ ...apiIdentity(ctx.state), job_id: ctx.state.jobId, execution_date: ctx.state.executionDate });
}

function lookupBody(ctx: LaunchContext) {
  return defined({ ...apiIdentity(ctx.state), job_id: ctx.jobId, limit: RECONCILE_DEFAULTS.runsRead });
}
