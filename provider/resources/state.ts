/** What every resource's state holds (its identity), and how stored state is read back. */
import { z } from "zod";
import { ConfigurationType, canonicalConfigurationType, Environment } from "../client/schemas";
import { ErrorCodes, hasErrorCode } from "../core/errors";

/** The identity every resource's state carries (camelCase, as Pulumi users write it). */
export const IdentityState = z.object({
  account: z.string(),
  environment: Environment,
  configurationType: ConfigurationType.transform((type) => canonicalConfigurationType(type)),
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

/** Parses stored state with `schema`, failing with a message that names the resource kind rather than a zod dump. */
export function parseState<S extends z.ZodType>(schema: S, value: unknown, kind: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  throw new Error(
    `${kind}: the stored state is not readable (${fields}). Run pulumi refresh, or remove the resource from state with pulumi state delete.`,
  );
}

/** True when the API said the configuration (or run) does not exist. */
export function isGone(error: unknown): boolean {
  return hasErrorCode(error, ErrorCodes.NOT_FOUND);
}

/** The props without Pulumi's serialized `__provider`, which the dynamic provider host adds back itself. */
export function stripProvider(props: Record<string, unknown>): Record<string, unknown> {
  const { __provider: _ignored, ...rest } = props;
  return rest;
}
