/**
 * The part of each resource that Pulumi serializes into state (`__provider`). It captures two strings,
 * the resource kind and the path of the compiled entry module, and nothing else: no client, agent,
 * token or credential. Each method loads the entry module in the provider process and delegates.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The kinds of resource this package provides. */
export type ProviderKind = "configurationStatus" | "jobRun" | "workflowReset";

/** The package export the provider process loads when the path recorded at serialization is absent. */
export const RUNTIME_EXPORT = "pulumi-tailer/runtime";

// One provider object per kind: Pulumi caches a provider's serialized text by object identity, so a new
// object per resource would serialize the same closure again for every resource (CPU and memory).
const providers = new Map<string, pulumi.dynamic.ResourceProvider>();

/** The serializable provider for `kind`, one per kind and entry path, delegating to the entry module at `entryPath`. */
export function serializableProvider(kind: ProviderKind, entryPath: string): pulumi.dynamic.ResourceProvider {
  const key = `${kind}\0${entryPath}`;
  let provider = providers.get(key);
  if (!provider) {
    provider = buildProvider(kind, entryPath);
    providers.set(key, provider);
  }
  return provider;
}

function buildProvider(kind: ProviderKind, entryPath: string): pulumi.dynamic.ResourceProvider {
  const packageExport = RUNTIME_EXPORT;
  // Written to be serialized: only `require`, `kind`, `entryPath` and `packageExport` are free here.
  const load = () => {
    // The exact code the program used when it is on this machine; else the installed package (another checkout, CI).
    const fromPath = require("node:fs").existsSync(entryPath);
    let entry: { providers: Record<string, Required<pulumi.dynamic.ResourceProvider>>; configure(req: unknown): Promise<void> };
    try {
      entry = require(fromPath ? entryPath : packageExport);
    } catch (error) {
      throw new Error(
        `pulumi-tailer: cannot load the provider (${fromPath ? entryPath : `${packageExport}; ${entryPath} does not exist here`}): ${(error as Error).message}. Install pulumi-tailer in the Pulumi project (npm install pulumi-tailer).`,
      );
    }
    const provider = entry.providers[kind];
    if (!provider) throw new Error(`pulumi-tailer: this version has no provider "${kind}"; upgrade pulumi-tailer.`);
    return { entry, provider };
  };
  return {
    configure: (req) => load().entry.configure(req),
    check: (olds, news) => load().provider.check(olds, news),
    diff: (id, olds, news) => load().provider.diff(id, olds, news),
    create: (inputs) => load().provider.create(inputs),
    read: (id, props) => load().provider.read(id, props),
    update: (id, olds, news) => load().provider.update(id, olds, news),
    delete: (id, props) => load().provider.delete(id, props),
  };
}
