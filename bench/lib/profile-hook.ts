/**
 * Preloaded into Pulumi's node processes (`NODE_OPTIONS=--require .../profile-hook.js`; Node 20 refuses
 * `--cpu-prof` there): a CPU profile of the dynamic-provider process and of the program, written in
 * chunks of 2 s to $TAILER_BENCH_CPU_PROFILE_DIR, since the engine may kill a plugin before it exits.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const role = process.argv.some((a) => /cmd\/dynamic-provider/.test(a))
  ? "dynamicProvider"
  : process.argv.some((a) => /cmd\/run(\/index\.js)?$/.test(a))
    ? "program"
    : undefined;
const dir = process.env.TAILER_BENCH_CPU_PROFILE_DIR;

if (role && dir) {
  const session = new Session();
  session.connect();
  // A session in the same thread answers synchronously.
  const post = (method: string, params: object = {}): unknown => {
    let result: unknown;
    session.post(method, params, (error, answer) => {
      if (error) throw error;
      result = answer;
    });
    return result;
  };
  let chunk = 0;
  const flush = (restart: boolean) => {
    const answer = post("Profiler.stop") as { profile?: unknown } | undefined;
    if (answer?.profile) writeFileSync(join(dir, `${role}.${process.pid}.${chunk++}.cpuprofile`), JSON.stringify(answer.profile));
    if (restart) post("Profiler.start");
  };
  post("Profiler.enable");
  post("Profiler.setSamplingInterval", { interval: 1000 });
  post("Profiler.start");
  setInterval(() => flush(true), 2000).unref();
  process.on("exit", () => flush(false));
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      flush(false);
      process.kill(process.pid, signal);
    });
}
