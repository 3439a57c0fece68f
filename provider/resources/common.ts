/** Pieces the three resource providers share: identity, state parsing, diffs and partial failures. */
import { z } from "zod";
import { ConfigurationType, canonicalConfigurationType, Environment } from "../client/schemas";
import { ErrorCodes, hasErrorCode } from "../core/errors";
import { redact } from "../core/redact";
import { isUnknown } from "./validation";

/** The identity every resource's state carries (camelCase, as Pulumi users write it). */
export const IdentityState = z.object({
  account: z.string(),
  environment: Environment,
  configurationType: ConfigurationType.transform(canonicalConfigurationType),
  configurationId: z.string(),
  appendEnvironmentSuffix: z.boolean().optional(),
});
/** The identity in state. */
export type IdentityState = z.infer<typeof IdentityState>;

/** The identity fields whose change means another configuration: a replacement. */
export const IDENTITY_FIELDS = ["account", "environment", "configurationType", "configurationId"] as const;

/** The identity as the API's snake_case body. */
export function apiIdentity(state: IdentityState) {
  return {
    account: state.account,
    environment: state.environment,
    configuration_type: state.configurationType,
    configuration_id: state.configurationId,
  };
}

/** A stable resource id for a configuration: account/environment/type/id. */
export function configurationResourceId(state: IdentityState): string {
  return `${state.account}/${state.environment}/${state.configurationType}/${state.configurationId}`;
}

/** Parses stored state with `schema`, failing with a message that names the resource kind rather than a zod dump. */
export function parseState<S extends z.ZodType>(schema: S, value: unknown, kind: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  throw new Error(
    `${kind}: the stored state is not readable (${fields}). Run pulumi refresh, or remove the resource from state with pulumi state delete.`,
  );
}

/** Compares two input values the way Pulumi users mean them: undefined and a default are equal, unknown always differs. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isUnknown(a) || isUnknown(b)) return false;
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, normalize(v)]);
    return Object.fromEntries(entries);
  }
  return value;
}

/** The keys among `keys` whose values differ between olds and news. */
export function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.filter((key) => !sameValue(olds[key], news[key]));
}

/** True when the API said the configuration (or run) does not exist. */
export function isGone(error: unknown): boolean {
  return hasErrorCode(error, ErrorCodes.NOT_FOUND);
}

/**
 * An error that still records the resource in state (Pulumi's "initialization failed"): the dynamic
 * provider host turns `id` and `properties` into a partial resource, so a failed or timed-out run is
 * never lost and never launched twice. `properties` must carry `__provider` for later operations.
 */
export class PartialFailure extends Error {
  /** The id of the resource to record. */
  readonly id: string;
  /** The outputs to record (with __provider). */
  readonly properties: Record<string, unknown>;
  /** Why initialization failed, shown by the CLI. */
  readonly reasons: string[];

  constructor(message: string, id: string, properties: Record<string, unknown>) {
    super(redact(message));
    this.name = "PartialFailure";
    this.id = id;
    this.properties = properties;
    this.reasons = [this.message];
  }
}

/** Drops undefined values, which protobuf Structs cannot carry. */
export function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Formats milliseconds as "1h02m03s", "4m05s" or "6s" for progress lines. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h${String(m).padStart(2, "0")}m${String(s).padStart(2, "0")}s`;
  if (m) return `${m}m${String(s).padStart(2, "0")}s`;
  return `${s}s`;
}

/** The props without Pulumi's serialized `__provider`, which the host adds back itself. */
export function stripProvider(props: Record<string, unknown>): Record<string, unknown> {
  const { __provider: _ignored, ...rest } = props;
  return rest;
}
