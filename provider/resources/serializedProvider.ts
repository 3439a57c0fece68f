/**
 * The part of each resource that lands in state as `__provider`: the module text the dynamic provider
 * host evaluates (`require-from-string`, then `handler()`, once per text and process) to get the
 * resource's provider. Ours is a one-line loader written here, not a closure serialized by
 * `pulumi.dynamic.Resource`: it names the resource kind and the path of the compiled provider kinds
 * module (providerKinds.ts), and nothing else: no client, agent, token or credential.
 *
 * Why not the closure serializer: its text of the same loader is 2.6 KB (a wrapper per method), stored
 * twice per resource (inputs and outputs) in a state file the engine rewrites whole after every step,
 * so each byte per resource is paid about 4N times over an up of N resources (bench/README.md, "Where
 * the time goes"). This text is about 300 bytes.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The kinds of resource this package provides. */
export type ProviderKind = "configurationStatus" | "jobRun" | "workflowReset";

/** The package export of providerKinds.ts, loaded when the path recorded in state is absent (another machine). */
const RUNTIME_EXPORT = "pulumi-tailer/runtime";

/** The type token of a dynamic resource of this package (`pulumi-nodejs:dynamic/tailer:JobRun`), as `pulumi.dynamic.Resource` builds it. */
export function dynamicType(type: string): string {
  return `pulumi-nodejs:dynamic/tailer:${type}`;
}

/**
 * The `__provider` module of `kind`: its handler loads the exact code the program used when that path
 * exists on this machine, otherwise the installed package (state written on another machine, CI).
 */
export function providerModule(kind: ProviderKind, entryPath: string): string {
  const text = (value: string) => JSON.stringify(value);
  return (
    `exports.handler=function(){var p=${text(entryPath)};` +
    `try{return require(require("fs").existsSync(p)?p:${text(RUNTIME_EXPORT)}).providerFor(${text(kind)})}` +
    `catch(e){throw new Error("pulumi-tailer: cannot load the provider ("+e.message+"); run npm install pulumi-tailer in the project")}};`
  );
}

// One text per kind: every resource of a kind carries the same string, so the host configures once per kind.
const modules = new Map<ProviderKind, string>();

/** The inputs of a dynamic resource of `kind`: `props` and its `__provider` module (what `pulumi.dynamic.Resource` adds). */
export function withProvider(kind: ProviderKind, props: pulumi.Inputs): pulumi.Inputs {
  let module = modules.get(kind);
  if (module === undefined) {
    module = providerModule(kind, require.resolve("./providerKinds"));
    modules.set(kind, module);
  }
  return { ...props, __provider: module };
}
