/**
 * The TailerConfigurationStatus provider: declares that a configuration is active, disabled or archived.
 * create/update call set_configuration_status; read uses get_last_status to confirm the configuration
 * exists and to catch out-of-band changes made in Tailer Studio, on the evidence of runs
 * (configurationStatusEvidence.ts), saying what it could not verify.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configurationKey } from "../client/identity";
import { canonicalConfigurationType, type Run } from "../client/schemas";
import { ErrorCodes, TailerError } from "../core/errors";
import { defined } from "../core/objects";
import { client, currentSettings } from "./clients";
import { type Observation, observationLine, observe, unverifiedComplaint } from "./configurationStatusEvidence";
import { rememberDeclaredStatus } from "./declaredStatuses";
import { changedKeys, type ProviderImplementation } from "./lifecycle";
import { log } from "./providerLog";
import { apiIdentity, IDENTITY_FIELDS, IdentityState, isGone, parseState, stripProvider } from "./state";
import { checkIdentity, IDENTITY_INPUTS, InputChecker, isUnknown, rules } from "./validation";
import { ENFORCE, ON_DELETE, STATUS_CLOCK, STATUS_EVIDENCE } from "./vocabulary";

const INPUTS = [...IDENTITY_INPUTS, "activated", "archived", "onDelete", "enforce"] as const;

/** The resource's state: its inputs plus what the API told us. */
export const ConfigurationStatusState = IdentityState.extend({
  activated: z.boolean(),
  archived: z.boolean(),
  onDelete: z.enum(ON_DELETE).default("keep"),
  /** "always" sends the declared status on every up; unset means "evidence". */
  enforce: z.enum(ENFORCE).optional(),
  /** When we last set the status (ISO): the server's Date header, or the local clock without one. */
  statusSetAt: z.string().optional(),
  /** Whose clock statusSetAt is on. */
  statusSetClock: z.enum(STATUS_CLOCK).optional(),
  /** With the local clock: the newest run when we set the status ("" for none), the boundary of the evidence. */
  newestRunAtStatusSet: z.string().optional(),
  /** What the recorded status rests on: our call (set), a run since (run), or nothing since our call (none). */
  statusEvidence: z.enum(STATUS_EVIDENCE).optional(),
  evidenceRunId: z.string().optional(),
  evidenceRunStatus: z.string().optional(),
  evidenceRunStartDate: z.string().optional(),
  /** When the status was last proven (ISO). */
  statusVerifiedAt: z.string().optional(),
  lastRunId: z.string().optional(),
  lastRunJobId: z.string().optional(),
  lastRunStatus: z.string().optional(),
  lastRunStartDate: z.string().optional(),
});
/** The resource's state. */
export type ConfigurationStatusState = z.infer<typeof ConfigurationStatusState>;

const KIND = "TailerConfigurationStatus";

/** How many recent runs read looks at to find the evidence of an out-of-band change. */
const READ_LIMIT = 10;

/** The state fields a set of the status decides (and a refresh's evidence overwrites). */
const EVIDENCE_FIELDS = [
  "statusSetAt",
  "statusSetClock",
  "newestRunAtStatusSet",
  "statusEvidence",
  "evidenceRunId",
  "evidenceRunStatus",
  "evidenceRunStartDate",
  "statusVerifiedAt",
] as const;

/** Checks and normalizes the inputs: defaults (activated unless archived, onDelete keep) and the suffixed id. */
export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  const checker = new InputChecker(news, INPUTS);
  const configurationId = checkIdentity(checker, news);
  checker.optional("activated", (v) => rules.boolean("activated", v));
  checker.optional("archived", (v) => rules.boolean("archived", v));
  checker.optional("onDelete", (v) => rules.oneOf("onDelete", v, ON_DELETE));
  checker.optional("enforce", (v) => rules.oneOf("enforce", v, ENFORCE));
  if (news.activated === true && news.archived === true)
    checker.fail(
      "archived",
      "an archived configuration cannot be active: set activated: false (or leave it unset) with archived: true, or archived: false to keep it active.",
    );
  if (checker.failures.length > 0) return { failures: checker.failures };
  const archived = news.archived ?? false;
  const activated = news.activated ?? (isUnknown(archived) ? archived : !archived);
  return {
    inputs: defined({
      ...news,
      configurationType: canonicalConfigurationType(news.configurationType),
      configurationId,
      activated,
      archived,
      onDelete: news.onDelete ?? "keep",
    }),
  };
}

/**
 * Replaces on identity changes; updates when the declared status differs from the recorded (or observed)
 * one, when onDelete or enforce change, and always with enforce "always" (the up re-sends the status).
 */
export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const replaces = changedKeys(olds, news, IDENTITY_FIELDS);
  const enforceChanged = (olds.enforce ?? "evidence") !== (news.enforce ?? "evidence");
  const changes =
    replaces.length > 0 ||
    news.enforce === "always" ||
    enforceChanged ||
    changedKeys(olds, news, ["activated", "archived", "onDelete"]).length > 0;
  return { changes, replaces, deleteBeforeReplace: false };
}

/** What a set of the status records: when, on whose clock, and that our own call is the evidence. */
type StatusSet = Pick<ConfigurationStatusState, (typeof EVIDENCE_FIELDS)[number]>;

async function apply(state: ConfigurationStatusState): Promise<StatusSet> {
  const identity = apiIdentity(state);
  const { serverTimeMs } = await client().setConfigurationStatus({ ...identity, activated: state.activated, archived: state.archived });
  rememberDeclaredStatus(state, { activated: state.activated, archived: state.archived });
  const dated =
    serverTimeMs === undefined
      ? await datedLocally(identity)
      : { statusSetAt: new Date(serverTimeMs).toISOString(), statusSetClock: "server" as const, newestRunAtStatusSet: undefined };
  return {
    ...dated,
    statusEvidence: "set",
    evidenceRunId: undefined,
    evidenceRunStatus: undefined,
    evidenceRunStartDate: undefined,
    statusVerifiedAt: dated.statusSetAt,
  };
}

/**
 * The API sent no Date header: the local clock dates the call, but it may be minutes off the runs'
 * dates, so the run newest right after the call marks which runs came later (one more read).
 */
async function datedLocally(identity: ReturnType<typeof apiIdentity>) {
  const statusSetAt = new Date(Date.now()).toISOString();
  const { runs } = await client().readRuns({ ...identity, limit: 1 });
  return { statusSetAt, statusSetClock: "local" as const, newestRunAtStatusSet: runs[0]?.run_id ?? "" };
}

/** Sets the declared status (one call: set_configuration_status). */
export async function create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const state = parseState(ConfigurationStatusState, news, KIND);
  const set = await apply(state);
  return { id: configurationKey(state), outs: defined({ ...stripProvider(news), ...state, ...set }) };
}

/**
 * Sets the status again when it differs from what state records, or on every up with enforce "always";
 * a change of onDelete or enforce alone only updates state.
 */
export async function update(
  _id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.UpdateResult> {
  const previous = parseState(ConfigurationStatusState, olds, KIND);
  const next = parseState(ConfigurationStatusState, news, KIND);
  const statusChanged = previous.activated !== next.activated || previous.archived !== next.archived;
  const send = statusChanged || next.enforce === "always";
  const set = send ? await apply(next) : pick(previous, EVIDENCE_FIELDS);
  if (!send) rememberDeclaredStatus(next, { activated: next.activated, archived: next.archived });
  // The plan shows this update without a changed property: say what it was for.
  if (send && !statusChanged) log("info", `tailer: ${next.configurationId} status sent again: ${statusWords(next)} (enforce: "always")`);
  return { outs: defined({ ...lastRunOutputs(previous), ...stripProvider(news), ...next, ...set }) };
}

/**
 * Confirms the configuration exists and reads its last runs. The API cannot read a configuration's
 * status, but runs since we set it prove it (see configurationStatusEvidence.ts); what changed, or could
 * not be verified, is printed, and the unverified-status gate (tailer:unverifiedStatusMaxSeconds) applied.
 */
export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const state = parseState(ConfigurationStatusState, props, KIND);
  let runs: Run[];
  let serverTimeMs: number | undefined;
  try {
    ({ runs, serverTimeMs } = await client().readRuns({ ...apiIdentity(state), limit: READ_LIMIT }));
  } catch (error) {
    // Gone: an empty read removes the resource from state, so the next up recreates or reports it.
    if (!isGone(error)) throw error;
    log(
      "warn",
      `tailer: ${state.configurationId} not found in Tailer: refresh removes it from state; the next pulumi up sets its status again, which fails until the configuration is deployed again`,
    );
    return {};
  }
  const observed = observe(state, runs);
  report(state, observed, serverTimeMs ?? Date.now());
  const next = { ...state, ...observed, ...lastRunOutputs(runs[0]) };
  return {
    id,
    props: defined({ ...stripProvider(props), ...next }),
    inputs: defined(pick(next, INPUTS)),
  };
}

/** Prints what the refresh found, and applies the unverified-status gate: a warning, or a failed refresh. */
function report(state: ConfigurationStatusState, observed: Observation, nowMs: number): void {
  const line = observationLine(state, observed);
  if (line) log(line.severity, line.message);
  const gate = currentSettings().unverifiedStatus;
  const complaint = gate && unverifiedComplaint(state, observed, nowMs, gate);
  if (!complaint) return;
  if (gate.action === "warn") {
    log("warn", complaint);
    return;
  }
  throw new TailerError(ErrorCodes.STATUS_UNVERIFIED, `${complaint}.`, {
    hint: 'Let the configuration run (a TailerJobRun, or its schedule), or set enforce: "always" so every pulumi up sets the status again; the limit is tailer:unverifiedStatusMaxSeconds.',
  });
}

/** Applies onDelete: keep (default) leaves the configuration as it is; disable or archive it otherwise. */
export async function remove(_id: string, props: Record<string, unknown>): Promise<void> {
  const state = parseState(ConfigurationStatusState, props, KIND);
  const name = `${state.configurationId} (${state.environment})`;
  if (state.onDelete === "keep") {
    log("info", `tailer: ${name} left as it is in Tailer (onDelete: keep); Pulumi no longer manages its status`);
    return;
  }
  try {
    await client().setConfigurationStatus({
      ...apiIdentity(state),
      activated: false,
      archived: state.onDelete === "archive",
    });
    log("info", `tailer: ${name} ${state.onDelete === "archive" ? "archived" : "disabled"} in Tailer (onDelete: ${state.onDelete})`);
  } catch (error) {
    if (!isGone(error)) throw error; // already gone is what delete wants
    log("info", `tailer: ${name} is gone from Tailer already: nothing to ${state.onDelete}`);
  }
}

/** A status in words: "active", "disabled" or "archived". */
function statusWords(status: { activated: boolean; archived: boolean }): string {
  return status.archived ? "archived" : status.activated ? "active" : "disabled";
}

function lastRunOutputs(source: Run | ConfigurationStatusState | undefined): Partial<ConfigurationStatusState> {
  if (!source) return {};
  if ("run_id" in source)
    return {
      lastRunId: source.run_id,
      lastRunJobId: source.job_id,
      lastRunStatus: source.status,
      lastRunStartDate: source.start_execution_date,
    };
  return defined({
    lastRunId: source.lastRunId,
    lastRunJobId: source.lastRunJobId,
    lastRunStatus: source.lastRunStatus,
    lastRunStartDate: source.lastRunStartDate,
  });
}

function pick<T extends Record<string, unknown>>(value: T, keys: readonly string[]): Partial<T> {
  return Object.fromEntries(keys.map((key) => [key, value[key]])) as Partial<T>;
}

/** The provider object the shim dispatches to. */
export const configurationStatusProvider: ProviderImplementation = { check, diff, create, read, update, delete: remove };
