/**
 * `npm run demo`: the quickstart end to end on this machine, offline. Starts the emulator with the
 * examples' world, runs `pulumi up` on the root project, shows the outputs, makes a change "in Tailer
 * Studio" and shows `pulumi preview --refresh` catching it, repairs it, then cleans everything up.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator } from "../emulator";
import { offlinePulumiEnv, pulumiBinDir, REPO } from "./pulumi-cli";

const STACK = "demo";
const say = (text: string) => process.stdout.write(`\n\x1b[1m==> ${text}\x1b[0m\n`);

async function main(): Promise<void> {
  say("Provisioning the Pulumi CLI (built once per machine from the Go module proxy)");
  pulumiBinDir();

  const scratch = mkdtempSync(join(tmpdir(), "tailer-demo-"));
  mkdirSync(join(scratch, "state"));
  mkdirSync(join(scratch, "home"));
  const configFile = join(scratch, `Pulumi.${STACK}.yaml`);
  const env: NodeJS.ProcessEnv = { ...process.env, ...offlinePulumiEnv(join(scratch, "state"), join(scratch, "home"), "demo") };

  say("Starting the Tailer API emulator (the examples' world; 1 emulated minute per real second)");
  const emulator = createEmulator({ clockSpeed: 60, database: join(scratch, "tailer.db") });
  const { url } = await emulator.listen({ port: 0 });
  process.stdout.write(`Tailer API emulator at ${url}\n`);

  const pulumi = (args: string[], input?: string) =>
    new Promise<number>((done) => {
      process.stdout.write(`\n$ pulumi ${args.join(" ")}\n`);
      const child = spawn("pulumi", [...args, "--stack", STACK, "--non-interactive", "--cwd", REPO], {
        env,
        stdio: [input === undefined ? "ignore" : "pipe", "inherit", "inherit"],
      });
      if (input !== undefined) child.stdin?.end(input);
      child.on("close", (code) => done(code ?? 1));
    });
  const must = async (args: string[], input?: string) => {
    const code = await pulumi(args, input);
    if (code !== 0) throw new Error(`pulumi ${args[0]} failed (exit ${code})`);
  };

  try {
    await must(["stack", "init"]);
    // Keep the demo's stack config out of the repository.
    renameSync(join(REPO, `Pulumi.${STACK}.yaml`), configFile);
    const withConfig = ["--config-file", configFile];
    await must(["config", "set", "tailer:apiUrl", url, ...withConfig]);
    await must(["config", "set", "--secret", "tailer:credentials", ...withConfig], JSON.stringify(emulator.devServiceAccountKey));

    say("pulumi up: activate the pipeline's configurations, disable the export, run the load job once");
    await must(["up", "--yes", ...withConfig]);
    await must(["stack", "output"]);

    say("Someone disables 000099_sales_aggregate_DEV in Tailer Studio; its next scheduled run comes back DEACTIVATED");
    const aggregate = {
      account: "000099",
      environment: "DEV",
      configuration_type: "table-to-table",
      configuration_id: "000099_sales_aggregate_DEV",
    } as const;
    await emulator.admin().advanceClock(5);
    await emulator.admin().updateConfiguration({ ...aggregate, activated: false });
    await fetch(`${url}/v1/dag/launch`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${emulator.mintToken()}` },
      body: JSON.stringify({ action: "launch_job", ...aggregate }),
    });

    say("The drift gate: pulumi preview --refresh --expect-no-changes");
    const gate = await pulumi(["preview", "--refresh", "--expect-no-changes", ...withConfig]);
    process.stdout.write(gate === 0 ? "\nNo drift found (unexpected).\n" : `\nDrift caught: the gate exited ${gate}.\n`);

    say("pulumi up --refresh puts it back");
    await must(["up", "--refresh", "--yes", ...withConfig]);

    say("Cleaning up: pulumi destroy (onDelete decides what happens to each configuration)");
    await must(["destroy", "--yes", ...withConfig]);
    await must(["stack", "rm", "--yes"]);
  } finally {
    await emulator.close();
    rmSync(join(REPO, `Pulumi.${STACK}.yaml`), { force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
  say("Done. Read examples/quickstart/index.ts to see what was declared; npm test runs every test.");
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
