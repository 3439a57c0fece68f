/**
 * The chaos test's verdict, counted from the emulator's store and request log (what Tailer did), not
 * from what the provider says: duplicate launches, runs silently lost, foreign runs taken as ours.
 */
import type { AdminClient } from "../../../emulator";
import type { DeployFigures } from "./deploy";

/** The figures the README's Reliability section reports. */
export interface ChaosVerdict {
  requestedLaunches: number;
  launchedRuns: number;
  duplicateLaunches: number;
  lostRuns: number;
  falseAdoptionsTellable: number;
  falseAdoptionsForeign: number;
  scheduledRuns: number;
  faultsApplied: Record<string, number>;
  /** What went wrong, run by run, for the failure message. */
  details: string[];
}

/** The API requests about one configuration, a line each: what a duplicate's story is read from. */
async function requestsOf(admin: AdminClient, configurationId: string): Promise<string[]> {
  const entries = await admin.requests({ limit: 1_000_000 });
  return entries
    .filter((e) => e.configuration_id === configurationId)
    .map(
      (e) =>
        `  ${e.time} ${e.request_id} ${e.action} ${e.status ?? "reset"}${e.fault ? ` fault=${e.fault}` : ""} token=${e.token_fingerprint ?? "-"}`,
    );
}

/** Counts the verdict: one launch-origin run per requested (configuration, date); every recorded run real and of its request. */
export async function verdict(admin: AdminClient, figures: DeployFigures): Promise<ChaosVerdict> {
  const runs = await admin.listRuns({ limit: 100_000 });
  const launched = runs.filter((r) => r.origin === "launch");
  const perRequest = new Map<string, number>();
  for (const run of launched)
    perRequest.set(
      `${run.configuration_id}|${run.execution_date}`,
      (perRequest.get(`${run.configuration_id}|${run.execution_date}`) ?? 0) + 1,
    );
  const requested = new Set([...figures.recorded.values()].map(({ run }) => `${run.configurationId}|${run.executionDate}`));
  const details: string[] = [];
  for (const [key, n] of perRequest)
    if (n > 1) {
      const [configurationId] = key.split("|");
      details.push(
        `duplicate ${key}: ${launched
          .filter((r) => `${r.configuration_id}|${r.execution_date}` === key)
          .map((r) => `${r.run_id} at ${r.start_execution_date} (request ${r.request_id})`)
          .join(", ")}`,
        ...(await requestsOf(admin, configurationId as string)),
      );
    }
  let lostRuns = 0;
  let falseAdoptionsTellable = 0;
  let falseAdoptionsForeign = 0;
  const byId = new Map(runs.map((r) => [r.run_id, r]));
  for (const { run, runId } of figures.recorded.values()) {
    const actual = byId.get(runId);
    if (!actual) {
      lostRuns++;
      details.push(`lost: ${run.name} g${run.generation} recorded ${runId}, which Tailer does not have`);
    } else if (actual.configuration_id !== run.configurationId || actual.execution_date !== run.executionDate) {
      details.push(
        `adopted: ${run.name} g${run.generation} (${run.configurationId}|${run.executionDate}) recorded ${runId} (${actual.origin}, ${actual.configuration_id}|${actual.execution_date}, started ${actual.start_execution_date})`,
      );
      if (actual.origin === "launch") falseAdoptionsTellable++;
      else falseAdoptionsForeign++;
    }
  }
  // A requested launch with no run of its own, and no run recorded for it (adopting a foreign one counts above).
  for (const key of requested)
    if (
      !perRequest.has(key) &&
      ![...figures.recorded.values()].some(({ run, runId }) => `${run.configurationId}|${run.executionDate}` === key && byId.has(runId))
    )
      lostRuns++;
  const faultsApplied: Record<string, number> = {};
  for (const entry of await admin.requests({ limit: 1_000_000 })) {
    if (entry.fault) faultsApplied[entry.fault] = (faultsApplied[entry.fault] ?? 0) + 1;
    if ((entry as { visibility_delay_ms?: number | null }).visibility_delay_ms)
      faultsApplied.visibility_delay = (faultsApplied.visibility_delay ?? 0) + 1;
  }
  return {
    requestedLaunches: requested.size,
    launchedRuns: launched.length,
    duplicateLaunches: [...perRequest.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    lostRuns,
    falseAdoptionsTellable,
    falseAdoptionsForeign,
    scheduledRuns: runs.filter((r) => r.origin === "scheduler").length,
    faultsApplied,
    details,
  };
}
