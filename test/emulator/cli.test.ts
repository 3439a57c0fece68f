/**
 * The `tailer-emulator` command, run for real in child processes: help and usage
 * errors, tokens, the newcomer's one-minute path (the docs' own shell commands),
 * state surviving kill -9, and graceful shutdown.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { AdminClient } from "../../emulator/admin-client";
import { loadOrCreateDevKey } from "../../emulator/dev-account";
import { PRODUCTION_API_URL } from "../../provider/client/schemas";
import { buildCli, killAllCli, removeBuild, requireCurl, runCli, startCli } from "./helpers/cli-process";
import { docPages, examplesOf } from "./helpers/doc-examples";
import { httpRequest, LOAD_PDA, PREPARE_PDA, removeTempDirs, tempDir } from "./helpers/harness";

jest.setTimeout(60_000);
beforeAll(() => {
  buildCli();
});
afterAll(removeBuild);
afterEach(async () => {
  await killAllCli();
  removeTempDirs();
});

const tmp = () => tempDir("emu-cli-");
const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>;

describe("help and usage errors", () => {
  it("prints help for the command and each sub-command", () => {
    const main = runCli(["--help"]);
    expect(main.status).toBe(0);
    expect(main.stdout).toContain("Usage: tailer-emulator <command> [options]");
    expect(runCli(["start", "--help"]).stdout).toMatch(/--clock-speed <x>[\s\S]*--ready-json/);
    expect(runCli(["token", "--help"]).stdout).toContain("--account <id>");
  });

  it.each([
    [[], /Usage: tailer-emulator/],
    [["launch"], /unknown command "launch"/],
    [["start", "--nope"], /Unknown option '--nope'/],
    [["start", "--tls-cert", "cert.pem"], /--tls-cert and --tls-key go together/],
    [["start", "--memory", "--db", "x.db"], /--memory and --db exclude each other/],
    [["start", "--port", "http"], /--port must be a number/],
    [["token", "--account", "99"], /--account must be 6 digits/],
    [["token", "--expires-in", "999999"], /--expires-in must be between 1 and 86400 seconds/],
  ])("exits 2 on %j", (args, message) => {
    const r = runCli(args);
    expect(r.status).toBe(2);
    expect(r.stdout + r.stderr).toMatch(message);
  });

  it("exits 1 with a clear message on a bad seed file", () => {
    const r = runCli(["start", "--memory", "--seed", "/nonexistent.json"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tailer-emulator: cannot read seed file \/nonexistent\.json/);
  });
});

/** A URL nobody answers at: a port just released. */
async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return `http://127.0.0.1:${port}`;
}

describe("tailer-emulator token", () => {
  it("prints an RS256 token of the state folder's dev account, for the production audience by default", () => {
    const stateDir = tmp();
    const key = loadOrCreateDevKey(stateDir); // as `tailer-emulator start --state-dir` leaves it
    const r = runCli(["token", "--state-dir", stateDir, "--account", "000099", "--account", "000110", "--expires-in", "600"]);
    expect(r.status).toBe(0);
    const [header, payload] = r.stdout.trim().split(".") as [string, string];
    expect(decode(header)).toMatchObject({ alg: "RS256", typ: "JWT", kid: key.private_key_id });
    const claims = decode(payload);
    expect(claims).toMatchObject({
      aud: PRODUCTION_API_URL,
      accounts: ["000099", "000110"],
      iss: expect.stringContaining("tailer-emulator-dev@"),
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
  });

  it("regression (a token from another folder got a 401): from a folder without a key, it mints with the running emulator's key, found by its URL", async () => {
    const server = await startCli(["--memory", "--state-dir", tmp()]);
    const elsewhere = tmp();
    const r = runCli(["token", "--url", server.url], elsewhere);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const answer = await httpRequest(
      `${server.url}/v1/dag/status`,
      { action: "get_last_status", ...PREPARE_PDA },
      { token: r.stdout.trim() },
    );
    expect(answer.status).toBe(200);
    expect(existsSync(path.join(elsewhere, ".tailer-emulator"))).toBe(false); // no new key made there
  });

  it("without options, in a folder without a key, it asks the emulator at $TAILER_EMULATOR_URL and says whose key it used", async () => {
    const stateDir = tmp();
    const server = await startCli(["--memory", "--state-dir", stateDir]);
    const r = runCli(["token"], tmp(), { TAILER_EMULATOR_URL: server.url });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      `tailer-emulator: using the dev key of the emulator at ${server.url} (${path.join(stateDir, "dev-service-account.json")})\n`,
    );
    const answer = await httpRequest(
      `${server.url}/v1/dag/status`,
      { action: "get_last_status", ...PREPARE_PDA },
      { token: r.stdout.trim() },
    );
    expect(answer.status).toBe(200);
  });

  it("with no key in the folder and no emulator at the URL, it stops (exit 1) saying where the key would be, and makes none", async () => {
    const folder = tmp();
    const url = await closedUrl();
    const r = runCli(["token"], folder, { TAILER_EMULATOR_URL: url });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      `tailer-emulator: no dev key in ${path.join(folder, ".tailer-emulator", "dev-service-account.json")}, and no emulator answers at ${url} (ECONNREFUSED).`,
    );
    expect(r.stderr).toContain(
      "Run this command in the folder the emulator runs in, or give --url <the URL it prints> or --state-dir <its state folder>.",
    );
    expect(r.stderr).toContain(
      '"tailer-emulator start" keeps its key in <the folder it runs in>/.tailer-emulator/dev-service-account.json',
    );
    expect(existsSync(path.join(folder, ".tailer-emulator"))).toBe(false);
  });

  it("with --state-dir of a folder without a key, it stops naming the file and the command that creates it", () => {
    const stateDir = tmp();
    const r = runCli(["token", "--state-dir", stateDir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `tailer-emulator: no dev key in ${path.join(stateDir, "dev-service-account.json")}: "tailer-emulator start --state-dir ${stateDir}" creates it. Start the emulator with that state folder first.\n`,
    );
    expect(existsSync(path.join(stateDir, "dev-service-account.json"))).toBe(false);
  });

  it("with --url of an emulator without a dev account, it says so", async () => {
    const server = await startCli(["--memory", "--state-dir", tmp(), "--no-dev-account"]);
    const r = runCli(["token", "--url", server.url]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the emulator at ${server.url} trusts no dev account (it was started with --no-dev-account)`);
  });

  it("start listens on the port of $TAILER_EMULATOR_URL, where a plain token command finds it", async () => {
    const url = await closedUrl();
    const server = await startCli(["--memory", "--state-dir", tmp()], os.tmpdir(), { extraEnv: { TAILER_EMULATOR_URL: url } });
    expect(server.url).toBe(url);
    const r = runCli(["token"], tmp(), { TAILER_EMULATOR_URL: url });
    expect(r.status).toBe(0);
  });

  it("the banner's token command names the emulator when it is not on the default URL, and works from any folder", async () => {
    const server = await startCli(["--memory", "--state-dir", tmp()], os.tmpdir(), { banner: true });
    const line = server.banner.split("\n").find((l) => l.includes("TOKEN=$(")) as string;
    expect(line.trim()).toBe(`TOKEN=$(tailer-emulator token --url ${server.url})`);
    const r = runCli(["token", "--url", server.url], tmp());
    expect(r.status).toBe(0);
  });
});

describe("tailer-emulator start", () => {
  it("prints the chosen URL and admin token as JSON, and the docs' curl commands work with a token from `token`", async () => {
    const stateDir = tmp();
    const server = await startCli(["--memory", "--state-dir", stateDir]);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const token = runCli(["token", "--state-dir", stateDir]).stdout.trim();
    expect(token).toMatch(/^eyJ/);
    const r = await httpRequest(`${server.url}/v1/dag/status`, { action: "get_last_status", ...PREPARE_PDA }, { token });
    expect(r.status).toBe(200);
    expect(r.body.results[0].run_id).toBe("20201230-112837-0a795c70-2557-4a60-ba16-788aa2bea179");
    expect(await new AdminClient(server.url, server.adminToken).health()).toBe(true);
  });

  it("runs the newer page's shell commands verbatim (a stub `tailer` prints the token on line 7)", async () => {
    requireCurl();
    const stateDir = tmp();
    const server = await startCli(["--memory", "--state-dir", stateDir]);
    const token = runCli(["token", "--state-dir", stateDir]).stdout.trim();
    const page = docPages().find((p) => path.basename(p).startsWith("000_")) as string;
    const examples = examplesOf(page);
    expect(examples).toHaveLength(9);
    for (const example of examples) {
      const text = readFileSync(page, "utf8");
      const end = text.indexOf(`"${example.url}"`, text.indexOf(example.bodyText)) + example.url.length + 2;
      const start = text.lastIndexOf("TAILER_API_JWT=", end);
      const command = text.slice(start, end).replace(PRODUCTION_API_URL, server.url);
      const script = `tailer() { printf 'a\\nb\\nc\\nd\\ne\\nf\\nUser token : %s\\n' "$EMU_TOKEN"; }\n${command} --silent --show-error`;
      const r = spawnSync("bash", ["-c", script], { env: { ...process.env, EMU_TOKEN: token }, encoding: "utf8" });
      expect(r.stderr).toBe("");
      const body = JSON.parse(r.stdout);
      expect([undefined, 200]).toContain(body.code); // no error body
      if (example.documentedResponse && !("run_id" in example.documentedResponse) && !("results" in example.documentedResponse)) {
        expect(body).toEqual(example.documentedResponse);
      }
    }
  });

  it("keeps every answered launch and change across kill -9, and its clock does not go back", async () => {
    const stateDir = tmp();
    const args = ["--state-dir", stateDir, "--clock-speed", "120"];
    const first = await startCli(args);
    const admin = new AdminClient(first.url, first.adminToken);
    const token = await admin.mintToken();
    const runIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await httpRequest(`${first.url}/v1/dag/launch`, { action: "launch_job", ...PREPARE_PDA }, { token });
      expect(r.status).toBe(200);
      runIds.push(r.body.run_id);
    }
    await admin.updateConfiguration({ ...LOAD_PDA, activated: false });
    const before = await admin.advanceClock(600);

    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");

    const second = await startCli(args);
    const admin2 = new AdminClient(second.url, second.adminToken);
    const runs = await admin2.listRuns({ ...PREPARE_PDA, limit: 100 });
    for (const id of runIds) expect(runs.map((r) => r.run_id)).toContain(id);
    expect((await admin2.listConfigurations(LOAD_PDA))[0]?.activated).toBe(false);
    expect((await admin2.clock()).now_us).toBeGreaterThanOrEqual(before.now_us);
  });

  it("shuts down gracefully on SIGTERM (exit 0)", async () => {
    const server = await startCli(["--state-dir", tmp()]);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toContain("SIGTERM received, shutting down");
  });

  it("exits 1 when the port is taken", async () => {
    const server = await startCli(["--memory", "--state-dir", tmp()]);
    const port = new URL(server.url).port;
    const r = runCli(["start", "--memory", "--port", port, "--state-dir", tmp()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/EADDRINUSE/);
  });
});
