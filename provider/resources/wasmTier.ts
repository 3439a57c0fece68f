/**
 * How a provider process compiles WebAssembly. undici parses HTTP/1.1 with llhttp compiled to WebAssembly;
 * in the first burst of calls V8's optimizing tier recompiles the parser's hot functions, which raised the
 * provider process's peak RSS by about 30 MB on Node 20 and 15 MB on Node 22 (bench/README.md, "Memory").
 * The baseline tier parses a few hundred small JSON answers just as well. Node 24's V8 freezes its flags
 * once the process started, so there this changes nothing (its peak showed no such rise either).
 */
import { setFlagsFromString } from "node:v8";

let applied = false;

/**
 * Keeps WebAssembly on V8's baseline tier (`--liftoff-only`), before the first connection compiles the
 * parser. Only for processes that serve providers (the dynamic-provider host, the native plugin), never a
 * user's program: the flag is the whole process's, so another dynamic provider's WebAssembly stays there too.
 */
export function baselineWasmTierOnly(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString("--liftoff-only");
}
