/**
 * The provider process's entry point: what the serialized shim `require`s at run time. It is a
 * package export (`pulumi-tailer/runtime`) so that a state written on one machine still loads here.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configurationStatusProvider } from "./configurationStatusProvider";
import { jobRunProvider } from "./jobRunProvider";
import { configure as applyConfig, type ProviderImplementation } from "./runtime";
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

/** The provider of `kind` with `configure`, as the serialized loader calls it. */
export function providerFor(kind: string): Required<pulumi.dynamic.ResourceProvider> {
  const provider = providers[kind];
  if (!provider) throw new Error(`this version of pulumi-tailer has no resource kind "${kind}": upgrade it`);
  return { ...provider, configure };
}
