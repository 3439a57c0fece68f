/**
 * A provider process must not outlive the `pulumi` that started it: a killed pulumi cannot stop its
 * plugins, and an idle provider would otherwise live on forever, or a busy one keep polling for nobody.
 * (The launch journal lets the next `pulumi up` adopt any run such a process launched.)
 */
import { connect } from "node:net";

/** How often the provider process checks that the engine that started it is still there. */
export const ENGINE_CHECK_INTERVAL_MS = 10_000;

let watchingEngine = false;

/**
 * In the dynamic-provider process (started as `node .../dynamic-provider/index.js <engine address>`),
 * checks now and then that the engine still listens, and exits once it is gone. Does nothing elsewhere.
 */
export function watchEngine(argv: readonly string[] = process.argv, intervalMs = ENGINE_CHECK_INTERVAL_MS): void {
  if (isDynamicProviderProcess(argv)) watchEngineAt(argv[2] ?? "", intervalMs);
}

/** Whether this is the dynamic-provider process Pulumi starts (`node .../dynamic-provider/index.js <engine address>`). */
export function isDynamicProviderProcess(argv: readonly string[] = process.argv): boolean {
  return /dynamic-provider(\/index\.js)?$/.test(argv[1] ?? "");
}

/** Exits once nothing listens at the engine's `host:port` any more (the native provider's process calls it too). */
export function watchEngineAt(engineAddress: string, intervalMs = ENGINE_CHECK_INTERVAL_MS): void {
  const address = /^([\w.-]+|\[[\w:]+\]):(\d+)$/.exec(engineAddress);
  if (watchingEngine || !address) return;
  watchingEngine = true;
  const [, host, port] = address;
  const timer = setInterval(() => {
    const socket = connect({ host: host?.replace(/^\[|\]$/g, ""), port: Number(port) });
    socket.once("connect", () => socket.destroy());
    socket.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") process.exit(1);
    });
  }, intervalMs);
  timer.unref();
}

let watchingStderr = false;

/**
 * A broken stderr means the engine is gone (pulumi up was killed): nobody will ever receive what this
 * process does, so it stops. Without a listener, each failed write would raise an uncaught EPIPE that
 * the provider host logs to the same broken pipe, in a loop that eats memory.
 */
export function exitWhenStderrBreaks(): void {
  if (watchingStderr) return;
  watchingStderr = true;
  process.stderr.on("error", () => process.exit(1));
}
