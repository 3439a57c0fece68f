/**
 * The TailerWorkflowReset provider: reset_workflow_status as a resource. It resets on create and
 * whenever its `triggers` change (for example on each redeploy of the workflow's jobs).
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { configurationKey } from "../client/identity";
import { defined } from "../core/objects";
import { client } from "./clients";
import { changedKeys, type ProviderImplementation } from "./lifecycle";
import { apiIdentity, IDENTITY_FIELDS, IdentityState, isGone, parseState, stripProvider } from "./state";
import { checkIdentity, InputChecker, rules, Triggers } from "./validation";

const INPUTS = ["account", "environment", "configurationId", "triggers"] as const;

/** The resource's state. */
export const WorkflowResetState = IdentityState.extend({
  configurationType: z.literal("workflow").default("workflow"),
  triggers: Triggers.optional(),
  /** When the last reset happened, on the server's clock (ISO). */
  resetAt: z.string().optional(),
});
/** The resource's state. */
export type WorkflowResetState = z.infer<typeof WorkflowResetState>;

const KIND = "TailerWorkflowReset";

/** Checks the inputs; the configuration type is always workflow. */
export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  // check's own output carries configurationType "workflow", so that value is accepted back (idempotent); any other is refused.
  const { configurationType, ...others } = news;
  const checker = new InputChecker(configurationType === "workflow" ? others : news, INPUTS);
  checkIdentity(checker, news, "workflow");
  checker.optional("triggers", rules.triggers);
  if (checker.failures.length > 0) return { failures: checker.failures };
  const triggers = news.triggers && checker.known("triggers") ? Triggers.parse(news.triggers) : news.triggers;
  return { inputs: defined({ ...news, configurationType: "workflow", triggers }) };
}

/** Another workflow replaces; new triggers update, which resets again. */
export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const replaces = changedKeys(olds, news, IDENTITY_FIELDS);
  const changes = replaces.length > 0 || changedKeys(olds, news, ["triggers"]).length > 0;
  return { changes, replaces, deleteBeforeReplace: false };
}

async function reset(news: Record<string, unknown>): Promise<Record<string, unknown>> {
  const state = parseState(WorkflowResetState, news, KIND);
  const { serverTimeMs } = await client().resetWorkflowStatus({ ...apiIdentity(state), configuration_type: "workflow" });
  return defined({ ...stripProvider(news), ...state, resetAt: new Date(serverTimeMs ?? Date.now()).toISOString() });
}

/** Resets the workflow's marks. */
export async function create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const outs = await reset(news);
  return { id: configurationKey(parseState(WorkflowResetState, outs, KIND)), outs };
}

/** Resets again (the triggers changed). */
export async function update(
  _id: string,
  _olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.UpdateResult> {
  return { outs: await reset(news) };
}

/** Confirms the workflow still exists (get_last_status); a workflow that is gone leaves state. */
export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const state = parseState(WorkflowResetState, props, KIND);
  try {
    await client().getLastStatus({ ...apiIdentity(state), configuration_type: "workflow", limit: 1 });
  } catch (error) {
    if (isGone(error)) return {};
    throw error;
  }
  return { id, props: stripProvider(props) };
}

/** A reset cannot be undone: deleting the resource only forgets it. */
export async function remove(): Promise<void> {}

/** The provider object the shim dispatches to. */
export const workflowResetProvider: ProviderImplementation = { check, diff, create, read, update, delete: remove };
