/**
 * Checkpoint-cost probe (issue 17, bench/README.md "Scale"): the floor program's `pulumi up` at N resources, once, after
 * an unmeasured up at N = 10, with the CLI in $PULUMI_TAILER_BIN_DIR (any built version) and the state under $TMPDIR
 * (ext4 or tmpfs). Prints the up's seconds. Needs `npm run build && npx tsc -p bench` first.
 *
 *   PULUMI_TAILER_BIN_DIR=/root/.pulumi/versions/3.276.0/bin TMPDIR=/dev/shm node bench/probes/floor-up.js 1000
 */
const { BenchStack } = require("../../dist/bench/lib/pulumi.js");

const UP = ["up", "--yes", "--skip-preview"];

async function main() {
  const n = process.argv[2] ?? "1000";
  const stack = await BenchStack.create("floor", {});
  try {
    await stack.must(["config", "set", "bench:count", "10"]);
    await stack.must(UP);
    await stack.must(["config", "set", "bench:count", n]);
    const up = await stack.must(UP);
    process.stdout.write(
      `floor up at N = ${n}: ${(up.ms / 1000).toFixed(1)} s (CLI ${process.env.PULUMI_TAILER_BIN_DIR ?? "provisioned"}, TMPDIR ${process.env.TMPDIR ?? "default"})\n`,
    );
  } finally {
    stack.dispose();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
