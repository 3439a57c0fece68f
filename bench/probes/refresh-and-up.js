/**
 * Memory probes' driver (issue 17): ours and the floor at N resources, `preview --refresh` then `up --refresh`, `reps`
 * times each, printing each command's time and its processes' peak RSS. Extra environment for Pulumi's processes (a
 * probe preloaded with NODE_OPTIONS=--require) comes as JSON. Needs `npm run build && npx tsc -p bench` first.
 *
 *   node bench/probes/refresh-and-up.js 500 2 '{"NODE_OPTIONS":"--require ./bench/probes/gc-probe.js","GC_PROBE_DIR":"/tmp/gc"}'
 */
const { mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { BenchStack } = require("../../dist/bench/lib/pulumi.js");
const { benchWorld, startEmulatorProcess } = require("../../dist/bench/lib/emulator.js");

const n = Number(process.argv[2] ?? 500);
const reps = Number(process.argv[3] ?? 1);
const env = process.argv[4] ? JSON.parse(process.argv[4]) : {};
const COMMANDS = {
  refresh: ["preview", "--refresh", "--expect-no-changes"],
  up: ["up", "--yes", "--skip-preview", "--refresh"],
};

async function main() {
  const emulator = await startEmulatorProcess({ stateDir: mkdtempSync(join(tmpdir(), "probe-emulator-")), seed: benchWorld(n) });
  const stacks = {
    ours: await BenchStack.create("tailer", { "tailer:apiUrl": emulator.url }, { "tailer:credentials": emulator.devKeyJson }),
    floor: await BenchStack.create("floor", {}),
  };
  try {
    for (const stack of Object.values(stacks)) {
      await stack.must(["config", "set", "bench:count", String(n)]);
      await stack.must(["up", "--yes", "--skip-preview"]);
    }
    for (let i = 0; i < reps; i++)
      for (const [program, stack] of Object.entries(stacks))
        for (const [command, args] of Object.entries(COMMANDS)) {
          const result = await stack.must(args, { sampleRss: true, env });
          const mb = Object.fromEntries(Object.entries(result.peakRssKb ?? {}).map(([role, kb]) => [role, Math.round(kb / 1024)]));
          console.log(program, command, `${(result.ms / 1000).toFixed(2)} s`, "peak RSS MB", JSON.stringify(mb));
        }
    for (const stack of Object.values(stacks)) await stack.must(["destroy", "--yes", "--skip-preview"]);
  } finally {
    for (const stack of Object.values(stacks)) stack.dispose();
    await emulator.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
