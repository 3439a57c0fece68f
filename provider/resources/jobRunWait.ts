/**
 * Waiting for a TailerJobRun's run: the status checks (aimed at the job's usual end, see polling.ts),
 * the progress lines, and what a run that ends badly or outlives the timeout leaves in state.
 */
import { isTerminalRunStatus, type Run, type RunStatus } from "../client/schemas";
import { parseDurationMs } from "../client/wire";
import { ErrorCodes, isTailerError, ResourceInitError } from "../core/errors";
import { defined } from "../core/objects";
import { type LaunchContext, lookupRun } from "./jobRunLaunch";
import { expectedDurationMs, PollSchedule } from "./polling";
import { formatElapsed, log } from "./providerLog";

/** Statuses that count as the run having done its job. */
export const SUCCEEDED: readonly string[] = ["SUCCESS", "CHECKED"];

/** How often progress lines repeat while the status does not change. */
const PROGRESS_EVERY_MS = 10_000;

/** What waiting needs of the resource's state. */
export interface WaitSettings {
  runId: string;
  status?: string | undefined;
  duration?: string | undefined;
  configurationId: string;
  environment: string;
  wait: boolean;
  timeoutSeconds: number;
  pollIntervalSeconds: number;
  expectedDurationSeconds?: number | undefined;
  relaunchOnFailure: boolean;
}

/**
 * Waits for the run to end when `wait` is set, and returns the outputs. A run that ends badly, or
 * outlives the timeout, fails the deploy yet stays in state (ResourceInitError), so the next up sees it.
 */
export async function settle(
  base: WaitSettings & Record<string, unknown>,
  ctx: Pick<LaunchContext, "state" | "jobId">,
  provider: unknown,
  history: readonly Run[] = [],
): Promise<Record<string, unknown>> {
  const { runId } = base;
  let run: Run | undefined;
  try {
    run = base.wait ? await waitForRun(base, ctx, history) : await lookupRun(ctx, runId);
  } catch (error) {
    // The run exists: whatever went wrong while watching it, it must be recorded, as still in progress.
    const status = base.status && !isTerminalRunStatus(base.status as RunStatus) ? base.status : "WAITING";
    throw new ResourceInitError(
      isTailerError(error) ? error.code : ErrorCodes.INVALID_RESPONSE,
      `watching run ${runId} of ${base.configurationId} (${base.environment}) failed: ${(error as Error).message} The run is recorded in state: the next pulumi up waits for it rather than launching another.`,
      { id: runId, properties: { ...defined(base), status, __provider: provider } },
    );
  }
  const outs: Record<string, unknown> = defined({ ...base, ...(run ? runOutputs(run) : { status: base.status ?? "WAITING" }) });
  const status = String(outs.status ?? "WAITING");
  if (!base.wait || SUCCEEDED.includes(status)) return outs;
  throw unsettled(base, status, { ...outs, __provider: provider });
}

function unsettled(base: WaitSettings, status: string, properties: Record<string, unknown>): ResourceInitError {
  const identity = `run ${base.runId} of ${base.configurationId} (${base.environment})`;
  if (!isTerminalRunStatus(status as RunStatus))
    return new ResourceInitError(
      ErrorCodes.RUN_TIMEOUT,
      `${identity} is still ${status} after ${base.timeoutSeconds} s (timeoutSeconds). It is recorded in state: the next pulumi up waits for it again rather than launching another; raise timeoutSeconds if runs take longer.`,
      { id: base.runId, properties },
    );
  const next =
    status === "DEACTIVATED"
      ? "The configuration is disabled: activate it (a TailerConfigurationStatus with activated: true, ordered before this run with dependsOn), then run pulumi up."
      : base.relaunchOnFailure
        ? "Fix the cause (see the run in Tailer Studio), then run pulumi up: the run is relaunched once."
        : "relaunchOnFailure is false: the run stays recorded as failed; replace it (change triggers) to launch again.";
  return new ResourceInitError(
    ErrorCodes.RUN_FAILED,
    `${identity} ended ${status} after ${properties.duration ?? "an unknown time"}. ${next}`,
    {
      id: base.runId,
      properties,
    },
  );
}

async function waitForRun(
  state: WaitSettings,
  ctx: Pick<LaunchContext, "state" | "jobId">,
  history: readonly Run[],
): Promise<Run | undefined> {
  const started = Date.now();
  const deadline = started + state.timeoutSeconds * 1000;
  // The job's own history says best how long it takes; the user's estimate covers its first runs.
  const stated = state.expectedDurationSeconds === undefined ? undefined : state.expectedDurationSeconds * 1000;
  const schedule = new PollSchedule(state.pollIntervalSeconds * 1000, expectedDurationMs(history, ctx.jobId) ?? stated);
  let lastStatus: string | undefined;
  let lastReportMs = 0;
  log(
    "info",
    `tailer: waiting for run ${state.runId} of ${state.configurationId} (up to ${state.timeoutSeconds} s). Ctrl-C: pulumi finishes what is in flight, so it keeps waiting; a second Ctrl-C stops waiting, the run goes on in Tailer and the next pulumi up adopts it.`,
  );
  for (;;) {
    const run = await lookupRun(ctx, state.runId);
    const now = Date.now();
    const status = run?.status ?? "WAITING";
    if (status !== lastStatus || now - lastReportMs >= PROGRESS_EVERY_MS) {
      log("info", `tailer: run ${state.runId} of ${state.configurationId}: ${status}, ${formatElapsed(now - started)} elapsed`);
      lastStatus = status;
      lastReportMs = now;
    }
    if (run && isTerminalRunStatus(run.status)) return run;
    if (now >= deadline) return run;
    const runningForMs = run?.status === "RUNNING" ? parseDurationMs(run.duration) : undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(schedule.next(runningForMs), Math.max(0, deadline - now))));
  }
}

/** A run as the resource's outputs. */
export function runOutputs(run: Run): Record<string, string | undefined> {
  return defined({
    runId: run.run_id,
    jobId: run.job_id,
    status: run.status,
    startExecutionDate: run.start_execution_date,
    lastUpdateDate: run.last_update_date,
    duration: run.duration,
  });
}
