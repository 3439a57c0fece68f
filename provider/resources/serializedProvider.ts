/**
 * The part of each resource that Pulumi serializes into state (`__provider`). It captures two strings,
 * the resource kind and the path of the compiled entry module, and nothing else: no client, agent,
 * token or credential. Each method loads the provider kinds module (providerKinds.ts) in the provider
 * process and delegates.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The kinds of resource this package provides. */
export type ProviderKind = "configurationStatus" | "jobRun" | "workflowReset";

/** The package export of providerKinds.ts, loaded when the path recorded at serialization is absent (another machine). */
const RUNTIME_EXPORT = "pulumi-tailer/runtime";

// One provider object per kind: Pulumi caches a provider's serialized text by object identity, so a new
// object per resource would serialize the same closure again for every resource (CPU and memory).
const providers = new Map<string, pulumi.dynamic.ResourceProvider>();

/** The serializable provider for `kind`, one per kind and module path, delegating to the provider kinds module at `entryPath`. */
export function serializableProvider(kind: ProviderKind, entryPath: string): pulumi.dynamic.ResourceProvider {
  const key = `${kind}\0${entryPath}`;
  let provider = providers.get(key);
  if (!provider) {
    provider = buildProvider(kind, entryPath);
    providers.set(key, provider);
  }
  return provider;
}

/**
 * The object Pulumi serializes. Its text is stored twice per resource (inputs and outputs) and rewritten
 * with the state file after every step, so it is kept to a minimum: no comments inside the functions
 * (they would be serialized), and the work (which module to load, the messages) done by providerKinds.ts.
 * It loads the exact code the program used when that path exists on this machine, otherwise the
 * installed package (state written on another machine, CI).
 */
function buildProvider(kind: ProviderKind, entryPath: string): pulumi.dynamic.ResourceProvider {
  const packageExport = RUNTIME_EXPORT;
  const load = (): Required<pulumi.dynamic.ResourceProvider> => {
    try {
      return require(require("node:fs").existsSync(entryPath) ? entryPath : packageExport).providerFor(kind);
    } catch (e) {
      throw new Error(`pulumi-tailer: cannot load the provider (${(e as Error).message}); run npm install pulumi-tailer in the project`);
    }
  };
  return {
    configure: (req) => load().configure(req),
    check: (olds, news) => load().check(olds, news),
    diff: (id, olds, news) => load().diff(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read(id, props),
    update: (id, olds, news) => load().update(id, olds, news),
    delete: (id, props) => load().delete(id, props),
  };
}
