/**
 * The TailerConfigurationStatus provider: declares that a configuration is active, disabled or archived.
 * create/update call set_configuration_status; read uses get_last_status to confirm the configuration
 * exists and to catch out-of-band changes made in Tailer Studio.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configurationKey } from "../client/identity";
import { canonicalConfigurationType, type Run } from "../client/schemas";
import { defined } from "../core/objects";
import { client } from "./clients";
import { rememberDeclaredStatus } from "./declaredStatuses";
import { changedKeys, type ProviderImplementation } from "./lifecycle";
import { log } from "./providerLog";
import { apiIdentity, IDENTITY_FIELDS, IdentityState, isGone, parseState, stripProvider } from "./state";
import { checkIdentity, IDENTITY_INPUTS, InputChecker, isUnknown, rules } from "./validation";
import { ON_DELETE } from "./vocabulary";

const INPUTS = [...IDENTITY_INPUTS, "activated", "archived", "onDelete"] as const;

/** The resource's state: its inputs plus what the API told us. */
export const ConfigurationStatusState = IdentityState.extend({
  activated: z.boolean(),
  archived: z.boolean(),
  onDelete: z.enum(ON_DELETE).default("keep"),
  /** When we last set the status, on the server's clock (ISO). */
  statusSetAt: z.string().optional(),
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

/** Checks and normalizes the inputs: defaults (activated unless archived, onDelete keep) and the suffixed id. */
export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  const checker = new InputChecker(news, INPUTS);
  const configurationId = checkIdentity(checker, news);
  checker.optional("activated", (v) => rules.boolean("activated", v));
  checker.optional("archived", (v) => rules.boolean("archived", v));
  checker.optional("onDelete", (v) => rules.oneOf("onDelete", v, ON_DELETE));
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

/** Replaces on identity changes; updates when the declared status differs from the recorded (or observed) one. */
export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const replaces = changedKeys(olds, news, IDENTITY_FIELDS);
  const changes = replaces.length > 0 || changedKeys(olds, news, ["activated", "archived", "onDelete"]).length > 0;
  return { changes, replaces, deleteBeforeReplace: false };
}

async function apply(state: ConfigurationStatusState): Promise<string> {
  const { serverTimeMs } = await client().setConfigurationStatus({
    ...apiIdentity(state),
    activated: state.activated,
    archived: state.archived,
  });
  rememberDeclaredStatus(state, { activated: state.activated, archived: state.archived });
  return new Date(serverTimeMs ?? Date.now()).toISOString();
}

/** Sets the declared status (one call: set_configuration_status). */
export async function create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const state = parseState(ConfigurationStatusState, news, KIND);
  const statusSetAt = await apply(state);
  return { id: configurationKey(state), outs: defined({ ...stripProvider(news), ...state, statusSetAt }) };
}

/** Sets the status again when it differs from what state records; a change of onDelete only updates state. */
export async function update(
  _id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.UpdateResult> {
  const previous = parseState(ConfigurationStatusState, olds, KIND);
  const next = parseState(ConfigurationStatusState, news, KIND);
  const statusChanged = previous.activated !== next.activated || previous.archived !== next.archived;
  const statusSetAt = statusChanged ? await apply(next) : previous.statusSetAt;
  if (!statusChanged) rememberDeclaredStatus(next, { activated: next.activated, archived: next.archived });
  return { outs: defined({ ...lastRunOutputs(previous), ...stripProvider(news), ...next, statusSetAt }) };
}

/**
 * Confirms the configuration exists and reads its last run. The API cannot read a configuration's
 * status, but runs prove it: a run that came back DEACTIVATED after we last set the status means
 * someone disabled the configuration; a run that ran means someone enabled it.
 */
export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const state = parseState(ConfigurationStatusState, props, KIND);
  let runs: Run[];
  try {
    runs = await client().getLastStatus({ ...apiIdentity(state), limit: READ_LIMIT });
  } catch (error) {
    // Gone: an empty read removes the resource from state, so the next up recreates or reports it.
    if (isGone(error)) return {};
    throw error;
  }
  const observed = { ...state, activated: observedActivation(state, runs), ...lastRunOutputs(runs[0]) };
  return {
    id,
    props: defined({ ...stripProvider(props), ...observed }),
    inputs: defined(pick(observed, INPUTS)),
  };
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

/** The activation the runs prove, or the recorded one when no run started since we set it. */
export function observedActivation(state: ConfigurationStatusState, runs: Run[]): boolean {
  if (state.archived) return state.activated;
  // The server's Date header has second resolution: only runs from the next second on are surely later.
  const setAtMs = state.statusSetAt ? Date.parse(state.statusSetAt) + 1000 : Number.NEGATIVE_INFINITY;
  const newest = runs.find((run) => Date.parse(run.start_execution_date) >= setAtMs);
  if (!newest) return state.activated;
  return newest.status !== "DEACTIVATED";
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
  return Object.fromEntries(Object.entries(value).filter(([k]) => keys.includes(k))) as Partial<T>;
}

/** The provider object the shim dispatches to. */
export const configurationStatusProvider: ProviderImplementation = { check, diff, create, read, update, delete: remove };
