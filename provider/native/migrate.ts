/**
 * Moving a stack from the dynamic resources to the native ones keeps every resource: each native
 * resource gets an alias to its dynamic type (`pulumi-nodejs:dynamic/tailer:JobRun` for
 * `tailer:index:JobRun`), so the engine sees the same resource, asks the new provider for a diff, and
 * finds nothing to do (no launch, no status call).
 */
import * as pulumi from "@pulumi/pulumi";
import { dynamicType } from "../resources/serializedProvider";

/** The type a dynamic resource of this package has in state, for a native type token (`tailer:index:JobRun`). */
export function dynamicTypeOf(nativeType: string): string | undefined {
  const name = /^tailer:index:(\w+)$/.exec(nativeType)?.[1];
  return name ? dynamicType(name) : undefined;
}

/** The alias that lets a native resource take over the dynamic resource of the same name: `{ aliases: [dynamicAlias("JobRun")] }`. */
export function dynamicAlias(name: "ConfigurationStatus" | "JobRun" | "WorkflowReset"): pulumi.Alias {
  return { type: dynamicTypeOf(`tailer:index:${name}`) as string };
}

/** Adds that alias to every native tailer resource declared after the call: one line at the top of a migrated program. */
export function migrateFromDynamic(): void {
  pulumi.runtime.registerStackTransformation(({ type, props, opts }) => {
    const dynamicType = dynamicTypeOf(type);
    if (!dynamicType) return undefined;
    return { props, opts: pulumi.mergeOptions(opts, { aliases: [{ type: dynamicType }] }) };
  });
}
