#!/usr/bin/env node
/**
 * `tailer-emulator`: start the local Tailer API emulator, or print a token of its
 * development service account, so the docs' curl commands work in a minute.
 */
import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { PRODUCTION_API_URL } from "../provider/client/schemas";
import { MAX_TOKEN_LIFETIME_SECONDS, mintServiceAccountToken } from "./dev-account";
import { isEmulatorError, UsageError } from "./errors";
import { DEFAULT_EMULATOR_URL, DEFAULT_STATE_DIR, defaultEmulatorUrl, findDevKey } from "./find-dev-key";
import { createEmulator, type Emulator, type EmulatorOptions } from "./index";
import { consoleLogger, silentLogger } from "./logger";

const MAIN_HELP = `Usage: tailer-emulator <command> [options]

A local emulator of the Tailer API (https://tailer-api-nqonovswsq-ew.a.run.app).

Commands:
  start     Serve the API (and the admin API under /_emulator/)
  token     Print a JWT of the local development service account
  help      Show this help; "tailer-emulator <command> --help" for a command's options

Quick start:
  tailer-emulator start &
  TOKEN=$(tailer-emulator token)
  curl --request POST --header "content-type:application/json" \\
    --header "Authorization: Bearer \${TOKEN}" \\
    --data '{"action": "get_last_status", "account": "000099", "environment": "DEV",
             "configuration_type": "table-to-table", "configuration_id": "000099_iowa_liquor_prepare_pda_DEV"}' \\
    http://127.0.0.1:8080/v1/dag/status
`;

const START_HELP = `Usage: tailer-emulator start [options]

Options:
  --port <n>             TCP port (default: the port of $TAILER_EMULATOR_URL, else 8080; 0 picks a free one)
  --host <addr>          Interface to listen on (default 127.0.0.1)
  --state-dir <dir>      State folder: database and dev account key (default ./${DEFAULT_STATE_DIR})
  --db <file>            SQLite database (default <state-dir>/state.db)
  --memory               Keep the state in memory only (nothing survives a restart)
  --seed <file.json>     Configurations and runs for a fresh database (default: the docs' world)
  --reseed               Wipe the database and apply the seed again
  --clock-speed <x>      Emulated seconds per real second (default 1; 60 = a minute per second)
  --trust <file>         Trust tokens signed by these keys (repeatable): service-account key JSON,
                         {kid: pem} certificate JSON, JWKS, or PEM certificates/public keys
  --no-dev-account       Do not trust the local dev service account
  --tls-cert <file>      PEM certificate: serve HTTPS with HTTP/2 (ALPN; HTTP/1.1 still accepted)
  --tls-key <file>       PEM private key of --tls-cert
  --admin-token <token>  Bearer token of the admin API (default: $TAILER_EMULATOR_ADMIN_TOKEN or random)
  --public-url <url>     URL clients use to reach the emulator, accepted as token audience
  --max-body-bytes <n>   Request body limit (default 65536)
  --fault-seed <n>       Seed of the fault injection RNG
  --durability <mode>    normal (survives kill -9, default) or full (survives power loss)
  --ready-json           Print one JSON line {"event":"ready","url":...} instead of the banner
  --quiet                No request-independent logs on stderr
  -h, --help             Show this help
`;

const TOKEN_HELP = `Usage: tailer-emulator token [options]

Prints an RS256 JWT of the local development service account, signed with the key of the
emulator it is for ("tailer-emulator start" creates that key in its state folder; this command
never makes one). The key is found, in this order:
  --state-dir <dir>      in this state folder;
  --url <url>            from the emulator at this URL, from any folder;
  (neither)              in ./${DEFAULT_STATE_DIR}, else from the emulator at $TAILER_EMULATOR_URL
                         (default ${DEFAULT_EMULATOR_URL}).

Options:
  --account <id>         Limit the token to this account (repeatable; default: every account)
  --audience <url>       The aud claim (default ${PRODUCTION_API_URL}, which the emulator accepts
                         whatever its own URL; or give the emulator's URL)
  --expires-in <s>       Lifetime in seconds (default 3600, at most ${MAX_TOKEN_LIFETIME_SECONDS})
  --state-dir <dir>      State folder holding the dev key
  --url <url>            URL of the running emulator whose key to use
  -h, --help             Show this help
`;

/** Where the CLI writes. */
interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  return n;
}

function readFile(name: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--${name}: cannot read ${file}: ${(e as Error).message}`);
  }
}

const START_OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  "state-dir": { type: "string" },
  db: { type: "string" },
  memory: { type: "boolean" },
  seed: { type: "string" },
  reseed: { type: "boolean" },
  "clock-speed": { type: "string" },
  trust: { type: "string", multiple: true },
  "no-dev-account": { type: "boolean" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "admin-token": { type: "string" },
  "public-url": { type: "string" },
  "max-body-bytes": { type: "string" },
  "fault-seed": { type: "string" },
  durability: { type: "string" },
  "ready-json": { type: "boolean" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type StartValues = ReturnType<typeof parseArgs<{ options: typeof START_OPTIONS; strict: true }>>["values"];

/** The port of $TAILER_EMULATOR_URL (where `token` looks for the emulator), else 8080. */
function defaultPort(): number {
  const url = new URL(defaultEmulatorUrl());
  return url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
}

/** The emulator's options from `start`'s flags (usage errors for contradictions). */
function startOptions(values: StartValues, io: CliIo): { options: EmulatorOptions; port: number; stateDir: string } {
  if (values.memory && values.db) throw new UsageError("--memory and --db exclude each other");
  if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  if (values.durability !== undefined && values.durability !== "normal" && values.durability !== "full") {
    throw new UsageError("--durability must be normal or full");
  }
  const port = number("port", values.port) ?? defaultPort();
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port must be an integer from 0 to 65535");
  const stateDir = path.resolve(values["state-dir"] ?? DEFAULT_STATE_DIR);
  const database = values.memory ? ":memory:" : path.resolve(values.db ?? path.join(stateDir, "state.db"));
  if (database !== ":memory:") mkdirSync(path.dirname(database), { recursive: true });
  const options: EmulatorOptions = {
    database,
    stateDir,
    seed: values.seed,
    reseed: values.reseed ?? false,
    clockSpeed: number("clock-speed", values["clock-speed"]),
    trustedKeyFiles: values.trust ?? [],
    devAccount: !values["no-dev-account"],
    adminToken: values["admin-token"] ?? process.env.TAILER_EMULATOR_ADMIN_TOKEN,
    publicUrl: values["public-url"],
    maxBodyBytes: number("max-body-bytes", values["max-body-bytes"]),
    faultSeed: number("fault-seed", values["fault-seed"]),
    durability: values.durability as "normal" | "full" | undefined,
    logger: values.quiet ? silentLogger : consoleLogger(io.stderr),
    tls:
      values["tls-cert"] !== undefined && values["tls-key"] !== undefined
        ? { cert: readFile("tls-cert", values["tls-cert"]), key: readFile("tls-key", values["tls-key"]) }
        : undefined,
  };
  return { options, port, stateDir };
}

/** Resolves once SIGINT or SIGTERM closed the emulator; a second signal exits at once. */
function untilSignalled(emulator: Emulator, logger: NonNullable<EmulatorOptions["logger"]>): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130); // second signal: do not wait
      stopping = true;
      logger.info(`${signal} received, shutting down`);
      emulator.close().then(resolve, (e: unknown) => {
        logger.error("error while shutting down", { error: String(e) });
        resolve();
      });
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** The banner `start` prints once ready (or one JSON line with --ready-json). */
function readyText(values: StartValues, emulator: Emulator, url: string, options: EmulatorOptions, stateDir: string): string {
  if (values["ready-json"]) {
    const ready = {
      event: "ready",
      url,
      admin_token: emulator.adminToken,
      pid: process.pid,
      database: options.database,
      state_dir: stateDir,
    };
    return `${JSON.stringify(ready)}\n`;
  }
  // Plain `token` finds the key in ./.tailer-emulator or at the default URL; otherwise name this emulator.
  const tokenCommand = `tailer-emulator token${values["state-dir"] || url !== DEFAULT_EMULATOR_URL ? ` --url ${url}` : ""}`;
  const devAccount = emulator.devServiceAccountKey;
  return [
    `Tailer API emulator listening on ${url}`,
    `  database:    ${options.database}`,
    `  admin token: ${emulator.adminToken}   (admin API: ${url}/_emulator/)`,
    `  clock speed: ${options.clockSpeed ?? 1}x`,
    `  dev account: ${devAccount ? `${devAccount.client_email} (key in ${stateDir})` : "off"}`,
    "",
    "Try it:",
    `  TOKEN=$(${tokenCommand})`,
    `  curl --request POST --header "content-type:application/json" --header "Authorization: Bearer \${TOKEN}" \\`,
    `    --data '{"action": "get_last_status", "account": "000099", "environment": "DEV", "configuration_type": "table-to-table", "configuration_id": "000099_iowa_liquor_prepare_pda_DEV"}' \\`,
    `    ${url}/v1/dag/status`,
    "",
    `READY ${url}`,
    "",
  ].join("\n");
}

async function start(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: START_OPTIONS });
  if (values.help) {
    io.stdout.write(START_HELP);
    return 0;
  }
  const { options, port, stateDir } = startOptions(values, io);
  const emulator: Emulator = createEmulator(options);
  let url: string;
  try {
    ({ url } = await emulator.listen({ port, host: values.host ?? "127.0.0.1" }));
  } catch (e) {
    await emulator.close();
    throw e;
  }
  // Signal handlers go in before the ready line: a supervisor may signal as soon as it reads it.
  const stopped = untilSignalled(emulator, options.logger ?? silentLogger);
  io.stdout.write(readyText(values, emulator, url, options, stateDir));
  await stopped;
  return 0;
}

async function token(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      account: { type: "string", multiple: true },
      audience: { type: "string" },
      "expires-in": { type: "string" },
      "state-dir": { type: "string" },
      url: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(TOKEN_HELP);
    return 0;
  }
  for (const a of values.account ?? []) {
    if (!/^\d{6}$/.test(a)) throw new UsageError(`--account must be 6 digits, got "${a}"`);
  }
  const expiresIn = number("expires-in", values["expires-in"]);
  if (expiresIn !== undefined && !(expiresIn > 0 && expiresIn <= MAX_TOKEN_LIFETIME_SECONDS)) {
    throw new UsageError(`--expires-in must be between 1 and ${MAX_TOKEN_LIFETIME_SECONDS} seconds`);
  }
  if (values["state-dir"] !== undefined && values.url !== undefined) throw new UsageError("--state-dir and --url exclude each other");
  const found = await findDevKey({ stateDir: values["state-dir"], url: values.url });
  if (found.note) io.stderr.write(`tailer-emulator: ${found.note}\n`);
  io.stdout.write(
    `${mintServiceAccountToken(found.key, {
      audience: values.audience ?? PRODUCTION_API_URL,
      accounts: values.account,
      expiresInSeconds: expiresIn,
    })}\n`,
  );
  return 0;
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(MAIN_HELP);
        return command === undefined ? 2 : 0;
      case "start":
        return await start(rest, io);
      case "token":
        return await token(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    const usage = (isEmulatorError(e) && e.code === "usage") || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true;
    const message = e instanceof Error || isEmulatorError(e) ? (e as Error).message : String(e);
    io.stderr.write(`tailer-emulator: ${message}\n${usage ? 'Run "tailer-emulator --help" for usage.\n' : ""}`);
    return usage ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`tailer-emulator: ${String(e)}\n`);
      process.exit(1);
    },
  );
}
