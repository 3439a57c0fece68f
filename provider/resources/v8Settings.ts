/**
 * How V8 runs a provider process (the dynamic-provider host, the native plugin), set at runtime because Pulumi,
 * not we, starts the process. Each setting cut the provider's peak RSS (bench/README.md, "Peak RSS of the
 * provider process"):
 *
 * - WebAssembly stays on the baseline tier (`--liftoff-only`). undici parses HTTP/1.1 with llhttp compiled to
 *   WebAssembly; in the first burst of calls V8's optimizing tier recompiled the parser's hot functions, which
 *   raised the peak by about 30 MB on Node 20 and 15 MB on Node 22. The baseline tier parses a few hundred
 *   small JSON answers just as well.
 * - No allocation-site pretenuring (`--no-allocation-site-pretenuring`). In the burst of reads, every object of
 *   some allocation sites survived the young collections that saw it (7 sites in ours, 3 in the no-op floor),
 *   so V8 allocated those sites' objects in the old generation from then on. They die soon all the same, but
 *   until a full collection each keeps what it points to alive through every young collection: 1.4 to 1.8 MB
 *   promoted per young collection for the rest of the command, in most runs, and 18 to 20 MB more peak RSS.
 *
 * Node 24's V8 freezes its flags once the process started, so there neither changes anything.
 */
import { setFlagsFromString } from "node:v8";

/** The V8 flags of a process that serves a provider, and only such a process (the flags are the whole process's). */
export const PROVIDER_V8_FLAGS = ["--liftoff-only", "--no-allocation-site-pretenuring"] as const;

let applied = false;

/**
 * Applies PROVIDER_V8_FLAGS, before the first connection compiles the parser. Only for processes that serve
 * providers, never a user's program: another dynamic provider served by the same host runs with them too.
 */
export function applyProviderV8Settings(): void {
  if (applied) return;
  applied = true;
  for (const flag of PROVIDER_V8_FLAGS) setFlagsFromString(flag);
}
