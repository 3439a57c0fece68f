/**
 * Preloaded (NODE_OPTIONS=--require) into the Pulumi processes of the accelerated-clock runs. In the
 * dynamic-provider process only, it makes setTimeout wait BENCH_TIME_SCALE times less, the same factor
 * as the emulator's clock speed: the provider's poll schedule (first interval, x1.5, 30 s cap), seen on
 * the emulated clock, is then exactly the one it follows at real speed, and a 10-minute run takes
 * seconds. Date.now is left alone (tokens must stay valid). Other processes are untouched.
 */
const scale = Number(process.env.BENCH_TIME_SCALE ?? "1");
const isDynamicProvider = process.argv.some((arg) => /\/cmd\/dynamic-provider(\/index\.js)?$/.test(arg));

if (scale > 1 && isDynamicProvider) {
  const original = globalThis.setTimeout;
  const scaled = (handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => original(handler, (ms ?? 0) / scale, ...args);
  globalThis.setTimeout = Object.assign(scaled, original) as unknown as typeof setTimeout;
}

export {};
