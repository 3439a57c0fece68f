/**
 * The resource providers by kind: what the serialized provider `require`s in the dynamic provider
 * process. It is the package export `pulumi-tailer/runtime` (its name kept for the states that
 * recorded it), so that a state written on one machine still loads here.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configure as applyConfig } from "./clients";
import { configurationStatusProvider } from "./configurationStatusProvider";
import { jobRunProvider } from "./jobRunProvider";
import type { ProviderImplementation } from "./lifecycle";
import { workflowResetProvider } from "./workflowResetProvider";

/** The provider implementations, by the kind the shim names. */
export const providers: Readonly<Record<string, ProviderImplementation>> = {
  configurationStatus: configurationStatusProvider,
  jobRun: jobRunProvider,
  workflowReset: workflowResetProvider,
};

/** Applies the stack's configuration (Pulumi calls this once per serialized provider and process). */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  applyConfig(req.config);
}

/** The provider of `kind` with `configure`, as the serialized provider calls it. */
export function providerFor(kind: string): Required<pulumi.dynamic.ResourceProvider> {
  const provider = providers[kind];
  if (!provider) throw new Error(`this version of pulumi-tailer has no resource kind "${kind}": upgrade it`);
  return { ...provider, configure };
}
