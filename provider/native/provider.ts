/**
 * The native provider's operations over plain property bags: the thin front between the gRPC server
 * (server.ts) and the same resource logic the dynamic resources run (provider/resources/*Provider.ts).
 * What it adds is only what the native protocol needs: type tokens, secrets unwrapped and wrapped back,
 * the URN the launch journal keys on, import ids, detailed diffs, and the functions as invokes.
 */
import { reads } from "../functions/reads";
import { configure as applyConfig, client } from "../resources/clients";
import { configurationStatusProvider } from "../resources/configurationStatusProvider";
import { jobRunProvider } from "../resources/jobRunProvider";
import { type ProviderImplementation, sameValue } from "../resources/lifecycle";
import { workflowResetProvider } from "../resources/workflowResetProvider";
import { checkConfig as checkSettings, configReader } from "./config";
import { publicProperties, unwrapSecrets, wrapSecrets } from "./properties";
import { FUNCTION_NAMES, inputNames, type ResourceSpec, resourceSpec, token } from "./schema";

/** The resource logic of each resource type. */
const IMPLEMENTATIONS: Record<string, ProviderImplementation> = {
  ConfigurationStatus: configurationStatusProvider,
  JobRun: jobRunProvider,
  WorkflowReset: workflowResetProvider,
};

/** A resource type of the package: its schema entry and its logic. */
interface Target {
  spec: ResourceSpec;
  logic: ProviderImplementation;
}

function target(type: string): Target {
  const spec = resourceSpec(type);
  const logic = spec && IMPLEMENTATIONS[spec.name];
  if (!spec || !logic) throw new Error(`pulumi-tailer: this version of the provider has no resource type ${type}: upgrade it`);
  return { spec, logic };
}

/** The bag the resource logic sees: a JobRun also gets its URN, which keys its launch journal. */
function forLogic({ spec }: Target, urn: string, bag: Record<string, unknown>): Record<string, unknown> {
  return "__urn" in spec.fields ? { ...bag, __urn: urn } : bag;
}

/** A resource operation's identity. */
export interface Operation {
  /** The resource's URN. */
  urn: string;
  /** Its type token (`tailer:index:JobRun`). */
  type: string;
}

/** Applies the provider's configuration (Configure): its inputs, and the engine's variables for what they lack. */
export function configure(args: Record<string, unknown>, variables: ReadonlyMap<string, string>): void {
  applyConfig(configReader(args, variables));
}

/** CheckConfig: the inputs as they are, and a failure per bad setting. */
export function checkConfig(news: Record<string, unknown>) {
  return { inputs: news, failures: checkSettings(news) };
}

/** DiffConfig: a changed setting changes the provider, and never replaces what it manages. */
export function diffConfig(olds: Record<string, unknown>, news: Record<string, unknown>) {
  const before = unwrapSecrets(olds).values;
  const after = unwrapSecrets(news).values;
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => !sameValue(before[key], after[key]));
  return { changes: changed.length > 0, replaces: [] as string[], changed };
}

/** Check: the logic's validation and defaults, secrets kept secret. */
export async function check(op: Operation, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const resource = target(op.type);
  const plain = unwrapSecrets(news);
  const result = await resource.logic.check(unwrapSecrets(olds).values, forLogic(resource, op.urn, plain.values));
  return {
    inputs: result.inputs ? wrapSecrets(publicProperties(result.inputs), plain.secretKeys) : news,
    failures: result.failures ?? [],
  };
}

/** How one property changes, for the CLI's display. */
export interface PropertyChange {
  kind: "add" | "delete" | "update";
  replace: boolean;
}

/** Diff: the logic's decision, with a detailed diff of the properties behind it. */
export async function diff(op: Operation & { id: string }, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const resource = target(op.type);
  const before = unwrapSecrets(olds).values;
  const after = unwrapSecrets(news).values;
  const result = await resource.logic.diff(op.id, forLogic(resource, op.urn, before), forLogic(resource, op.urn, after));
  const replaces = result.replaces ?? [];
  const detailed: Record<string, PropertyChange> = {};
  if (result.changes) {
    // Properties the program sets that differ, and every reason to replace.
    const keys = new Set([...inputNames(resource.spec).filter((key) => after[key] !== undefined), ...replaces]);
    for (const key of keys) {
      if (!replaces.includes(key) && sameValue(before[key], after[key])) continue;
      const kind = before[key] === undefined ? "add" : after[key] === undefined ? "delete" : "update";
      detailed[key] = { kind, replace: replaces.includes(key) };
    }
  }
  return { changes: result.changes === true, replaces, deleteBeforeReplace: result.deleteBeforeReplace === true, detailed };
}

/** Create: the logic's create; the outputs keep the inputs' secrets secret. */
export async function create(op: Operation, news: Record<string, unknown>) {
  const resource = target(op.type);
  const plain = unwrapSecrets(news);
  const result = await withSecrets(plain.secretKeys, () => resource.logic.create(forLogic(resource, op.urn, plain.values)));
  return { id: result.id, properties: wrapSecrets(publicProperties(result.outs), plain.secretKeys) };
}

/** Update: the logic's update. */
export async function update(op: Operation & { id: string }, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const resource = target(op.type);
  const before = unwrapSecrets(olds);
  const plain = unwrapSecrets(news);
  const result = await withSecrets(plain.secretKeys, () =>
    resource.logic.update(op.id, forLogic(resource, op.urn, before.values), forLogic(resource, op.urn, plain.values)),
  );
  return { properties: wrapSecrets(publicProperties(result.outs ?? {}), plain.secretKeys) };
}

/** Delete: the logic's delete. */
export async function remove(op: Operation & { id: string }, props: Record<string, unknown>): Promise<void> {
  const resource = target(op.type);
  await resource.logic.delete(op.id, forLogic(resource, op.urn, unwrapSecrets(props).values));
}

/** A read's answer: nothing when the resource is gone. */
export interface ReadOutcome {
  id?: string;
  properties?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
}

/**
 * Read: a refresh (the state is given), or an import (only the id is: `pulumi import`, or the `import`
 * option). An import turns the id into the inputs it names, with the logic's defaults, then reads.
 */
export async function read(
  op: Operation & { id: string },
  props: Record<string, unknown>,
  inputs: Record<string, unknown>,
): Promise<ReadOutcome> {
  const resource = target(op.type);
  const state = unwrapSecrets(props);
  const given = unwrapSecrets(inputs);
  const importing = Object.keys(state.values).length === 0;
  const values = importing ? await importedState(resource, op, op.id) : state.values;
  const id = importing && resource.spec.idField ? String(values[resource.spec.idField]) : op.id;
  const result = await resource.logic.read(id, forLogic(resource, op.urn, values));
  if (!result.id || !result.props) return {};
  const secretKeys = new Set([...state.secretKeys, ...given.secretKeys]);
  const properties = publicProperties(result.props);
  const readInputs = result.inputs ?? (importing ? pick(properties, inputNames(resource.spec)) : undefined);
  return {
    id: result.id,
    properties: wrapSecrets(properties, secretKeys),
    ...(readInputs ? { inputs: wrapSecrets(publicProperties(readInputs), secretKeys) } : {}),
  };
}

/** The state an import id stands for: the inputs it names, checked and defaulted like a program's. */
async function importedState(resource: Target, op: Operation, id: string): Promise<Record<string, unknown>> {
  const named = parseImportId(resource.spec, id);
  const { [resource.spec.idField ?? ""]: ownId, ...identity } = named;
  const checked = await resource.logic.check({}, forLogic(resource, op.urn, identity));
  if (checked.failures?.length || !checked.inputs)
    throw new Error(
      `cannot import ${resource.spec.name} "${id}": ${(checked.failures ?? []).map((f) => f.reason).join(" ")} The id is ${resource.spec.importId}.`,
    );
  return { ...checked.inputs, ...(resource.spec.idField ? { [resource.spec.idField]: ownId } : {}) };
}

/** The fields an import id names, by the resource's template (`<account>/<environment>/...`). */
export function parseImportId(spec: ResourceSpec, id: string): Record<string, string> {
  const template = spec.importId.split("/");
  const parts = id.split("/");
  const fail = () => {
    throw new Error(`cannot import ${spec.name} "${id}": the id is ${spec.importId}, e.g. ${exampleImportId(spec)}.`);
  };
  if (parts.length !== template.length || parts.some((part) => part === "")) fail();
  const fields: Record<string, string> = {};
  template.forEach((piece, index) => {
    const part = parts[index] as string;
    const placeholder = /^<(\w+)>$/.exec(piece)?.[1];
    if (placeholder) fields[placeholder] = part;
    else if (piece !== part) fail();
  });
  return fields;
}

function exampleImportId(spec: ResourceSpec): string {
  const examples: Record<string, string> = {
    account: "000099",
    environment: "DEV",
    configurationType: "table-to-table",
    configurationId: spec.name === "WorkflowReset" ? "000099-load-pda" : "000099_sales_load_DEV",
    runId: "20261127-101010-6f1c0b6e-2a4d-4c8e-9f4b-1c2d3e4f5a6b",
  };
  return spec.importId.replace(/<(\w+)>/g, (_, name: string) => examples[name] ?? name);
}

function pick(bag: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(bag).filter(([key]) => keys.includes(key)));
}

/**
 * Runs a create or update; a partial failure (a run recorded in state yet failed) keeps its properties,
 * cleaned and with the inputs' secrets wrapped, so the engine records the resource as the logic meant.
 */
async function withSecrets<T>(secretKeys: ReadonlySet<string>, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const partial = error as { id?: string; properties?: Record<string, unknown> };
    if (partial && typeof partial.id === "string" && partial.properties)
      Object.assign(partial, { properties: wrapSecrets(publicProperties(partial.properties), secretKeys) });
    throw error;
  }
}

/** The functions, by token. */
const FUNCTIONS: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = Object.fromEntries(
  FUNCTION_NAMES.map((name) => [token(name), (args: Record<string, unknown>) => reads[name](client(), args as never)]),
);

/** Invoke: a read function; its result is secret when any argument was. */
export async function invoke(tok: string, args: Record<string, unknown>) {
  const fn = FUNCTIONS[tok];
  if (!fn) throw new Error(`pulumi-tailer: this version of the provider has no function ${tok}: upgrade it`);
  const plain = unwrapSecrets(args);
  const outputs = publicProperties((await fn(plain.values)) as Record<string, unknown>);
  return { outputs: plain.secretKeys.size > 0 ? wrapSecrets(outputs, new Set(Object.keys(outputs))) : outputs };
}
