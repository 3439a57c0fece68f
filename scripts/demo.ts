/**
 * `npm run demo`: the quickstart end to end on this machine, offline. Starts the emulator (its default world), runs
 * `pulumi up` on the root project, shows the outputs, makes the change a Tailer Studio user would make (shown as the
 * curl commands it stands for, and sent), shows `pulumi preview --refresh --expect-no-changes --diff` catching it with
 * its evidence, repairs it, destroys, and shows what destroy did to each configuration. On a terminal it is coloured;
 * piped or in CI it is plain text (no escape codes, no progress dots).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { createEmulator, type Emulator } from "../emulator";
import { bearerHeader } from "../provider/client/wire";
import { offlinePulumiEnv, pulumiBinDir, REPO } from "./pulumi-cli";

const STACK = "demo";
/** Colour and live progress only for a person at a terminal (and never with NO_COLOR). */
const TERMINAL = process.stdout.isTTY === true && !process.env.NO_COLOR;
/** The pulumi commands that show progress while they run. */
const OPERATIONS = new Set(["up", "preview", "refresh", "destroy"]);
const IDENTITY = { account: "000099", environment: "DEV" } as const;
/** The quickstart's configurations and what its program says destroy does to each. */
const CONFIGURATIONS = [
  { configuration_type: "table-to-table", configuration_id: "000099_sales_load_DEV", onDelete: "keep" },
  { configuration_type: "table-to-table", configuration_id: "000099_sales_aggregate_DEV", onDelete: "disable" },
  { configuration_type: "table-to-storage", configuration_id: "000099_sales_export", onDelete: "keep" },
] as const;
const AGGREGATE = { ...IDENTITY, configuration_type: "table-to-table", configuration_id: "000099_sales_aggregate_DEV" } as const;

/** Writes a step's title: bold on a terminal, plain otherwise. */
function say(text: string): void {
  process.stdout.write(TERMINAL ? `\n\x1b[1m==> ${text}\x1b[0m\n` : `\n==> ${text}\n`);
}

/** The pulumi CLI on the demo's stack, its output shown as it comes and kept for the demo to quote. */
function pulumiRunner(env: NodeJS.ProcessEnv) {
  return (args: string[], input?: string) =>
    new Promise<{ code: number; output: string }>((done) => {
      process.stdout.write(`\n$ pulumi ${args.join(" ")}\n`);
      // Piped through this process, pulumi cannot see the terminal: the demo tells it what to show.
      const display = TERMINAL
        ? ["--color", "always"]
        : ["--color", "never", ...(OPERATIONS.has(args[0] as string) ? ["--suppress-progress"] : [])];
      const child = spawn("pulumi", [...args, ...display, "--stack", STACK, "--non-interactive", "--cwd", REPO], {
        env,
        stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
      if (input !== undefined) child.stdin?.end(input);
      let output = "";
      child.stdout?.on("data", (d: Buffer) => {
        output += d;
        process.stdout.write(d);
      });
      child.stderr?.on("data", (d: Buffer) => {
        output += d;
        process.stderr.write(d);
      });
      child.on("close", (code) => done({ code: code ?? 1, output }));
    });
}

/** Sends one call of the public API, after printing the curl command that makes it. */
async function call(url: string, token: string, path: string, body: Record<string, unknown>): Promise<void> {
  const json = JSON.stringify(body);
  process.stdout.write(
    `\n$ curl -sS -H "Authorization: Bearer $TOKEN" -H "content-type: application/json" ${url}${path} \\\n    -d '${json}'\n`,
  );
  const answer = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: bearerHeader(token) },
    body: json,
  });
  process.stdout.write(`${await answer.text()}\n`);
}

/** The refreshed resources of the gate's diff whose status changed: the id, the change, and the run that shows it. */
function driftEvidence(output: string): string[] {
  const diff = stripVTControlCharacters(output); // on a terminal, pulumi's colours
  const chunks = diff.split(/\n(?=\s*~ [\w-]+:[\w/]+:\w+: \((?:refresh|update)\))/);
  return chunks
    .filter((chunk) => /: \(refresh\)/.test(chunk) && /^\s*~ (activated|archived|status)\s*:/m.test(chunk))
    .flatMap((chunk) =>
      chunk
        .split("\n")
        .filter((line) => /^\s*\[id=|^\s*[~+] (activated|archived|status|lastRunId|lastRunStatus|lastRunStartDate)\s*:/.test(line))
        .map((line) => line.trim()),
    );
}

/** Each configuration's status in Tailer after destroy, with what its onDelete asked for. */
async function afterDestroy(emulator: Emulator): Promise<void> {
  for (const { onDelete, ...configuration } of CONFIGURATIONS) {
    const [found] = await emulator.admin().listConfigurations({ ...IDENTITY, ...configuration });
    const status = found?.archived ? "archived" : found?.activated ? "active" : "disabled";
    process.stdout.write(`${configuration.configuration_id}: ${status} (onDelete: ${onDelete})\n`);
  }
}

async function main(): Promise<void> {
  say("Provisioning the Pulumi CLI (built once per machine from the Go module proxy)");
  pulumiBinDir();

  const scratch = mkdtempSync(join(tmpdir(), "tailer-demo-"));
  mkdirSync(join(scratch, "state"));
  mkdirSync(join(scratch, "home"));
  const configFile = join(scratch, `Pulumi.${STACK}.yaml`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...offlinePulumiEnv(join(scratch, "state"), join(scratch, "home"), "demo"),
    // The demo's launch journal goes with its emulator: another demo's runs are not this one's to adopt.
    TAILER_JOURNAL_DIR: join(scratch, "launches"),
  };
  const pulumi = pulumiRunner(env);
  const must = async (args: string[], input?: string) => {
    const result = await pulumi(args, input);
    if (result.code !== 0) throw new Error(`pulumi ${args[0]} failed (exit ${result.code})`);
    return result.output;
  };

  say("Starting the Tailer API emulator (its default world; 1 emulated minute per real second)");
  const emulator = createEmulator({ clockSpeed: 60, database: join(scratch, "tailer.db") });
  const { url } = await emulator.listen({ port: 0 });
  process.stdout.write(`Tailer API emulator at ${url}\n`);

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

    await emulator.admin().advanceClock(5);
    say(
      "Someone disables 000099_sales_aggregate_DEV in Tailer Studio. The API calls that stand for it: the switch, then Tailer's next scheduled run, which comes back DEACTIVATED",
    );
    process.stdout.write(`\n$ TOKEN=$(npx tailer-emulator token --url ${url})   # a token of the emulator's key\n`);
    const token = emulator.mintToken(); // what that command prints: one token for both calls
    await call(url, token, "/v1/configuration/status", {
      action: "set_configuration_status",
      ...AGGREGATE,
      activated: false,
      archived: false,
    });
    await call(url, token, "/v1/dag/launch", { action: "launch_job", ...AGGREGATE });

    say("The drift gate: pulumi preview --refresh --expect-no-changes --diff");
    const gate = await pulumi(["preview", "--refresh", "--expect-no-changes", "--diff", ...withConfig]);
    if (gate.code === 0) throw new Error("the drift gate found no drift");
    process.stdout.write(`\nDrift caught: the gate exited ${gate.code}. The evidence, from the diff above:\n`);
    for (const line of driftEvidence(gate.output)) process.stdout.write(`  ${line.trim()}\n`);

    say("pulumi up --refresh puts it back");
    await must(["up", "--refresh", "--yes", ...withConfig]);

    say("pulumi destroy: each configuration's onDelete says what happens to it in Tailer");
    await must(["destroy", "--yes", ...withConfig]);
    say("What destroy did, as Tailer now has it (the job run is history: destroy forgets it)");
    await afterDestroy(emulator);
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
