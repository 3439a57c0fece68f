/**
 * The emulator does not fall over: every malformed request gets a 4xx JSON error
 * naming what is wrong (the field, for validation errors), none reaches the
 * catch-all, and the server keeps serving. Unknown extra fields are ignored.
 */
import * as net from "node:net";
import { ACTION_PATHS, ACTIONS, type Action } from "../../provider/client/schemas";
import { closeAll, type Harness, httpRequest, LOAD_PDA, LOAD_PDA_WORKFLOW, PREPARE_PDA, startEmulator } from "./helpers/harness";

type Logged = Array<{ message: string; fields?: Record<string, unknown> }>;

/** An emulator whose error log lands in `logged`. */
function startLogging(logged: Logged): Promise<Harness> {
  return startEmulator({
    logger: { info: () => undefined, warn: () => undefined, error: (message, fields) => logged.push({ message, fields }) },
  });
}

const logged: Logged = [];
let h: Harness;
beforeAll(async () => {
  h = await startLogging(logged);
});
afterAll(closeAll);

/** Each test checks that it, itself, sent nothing to the catch-all. */
let internalErrorsBefore = 0;
beforeEach(() => {
  internalErrorsBefore = h.emulator.internalErrorCount;
  logged.length = 0;
});
afterEach(() => {
  expect(h.emulator.internalErrorCount).toBe(internalErrorsBefore);
  expect(logged).toEqual([]);
});

/** A valid body of each action (all required fields). */
const VALID: Record<Action, Record<string, unknown>> = {
  launch_job: { action: "launch_job", ...LOAD_PDA },
  check_run_status: {
    action: "check_run_status",
    ...PREPARE_PDA,
    job_id: "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV",
    run_id: "20201230-112837-0a795c70-2557-4a60-ba16-788aa2bea179",
  },
  get_last_status: { action: "get_last_status", ...PREPARE_PDA },
  get_by_status: { action: "get_by_status", account: "000099", configuration_type: "table-to-table" },
  set_run_status: {
    action: "set_run_status",
    account: "000099",
    configuration_type: "table-to-table",
    configuration_id: PREPARE_PDA.configuration_id,
    run_id: "20201230-112837-0a795c70-2557-4a60-ba16-788aa2bea179",
    status: "SUCCESS",
  },
  reset_workflow_status: { action: "reset_workflow_status", ...LOAD_PDA_WORKFLOW },
  set_configuration_status: { action: "set_configuration_status", ...LOAD_PDA, activated: true, archived: false },
};

interface Case {
  name: string;
  path?: string;
  body?: unknown;
  raw?: string | Buffer;
  headers?: Record<string, string>;
  method?: string;
  status: number;
  message: RegExp;
}

const without = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
const launch = VALID.launch_job;
const lastStatus = VALID.get_last_status;

const cases: Case[] = [
  // Not JSON, or not one object
  { name: "empty body", raw: "", status: 400, message: /request body is empty/ },
  {
    name: "truncated JSON",
    raw: '{"action": "launch_job", "account": ',
    status: 400,
    message: /not valid JSON: unexpected end of input \(line 1, column 37, position 36\)/,
  },
  {
    name: "missing comma",
    raw: '{"action": "launch_job"\n "account": "000099"}',
    status: 400,
    message: /expected ',' or '\}' after property value.*line 2, column 2/,
  },
  { name: "single quotes", raw: "{'action': 'launch_job'}", status: 400, message: /expected property name or '\}'.*position 1/ },
  { name: "trailing comma", raw: '{"action": "launch_job",}', status: 400, message: /not valid JSON.*position 24/ },
  { name: "trailing garbage", raw: '{"action": "launch_job"} x', status: 400, message: /after JSON.*position 25/ },
  { name: "bare word", raw: "launch_job", status: 400, message: /not valid JSON: unexpected token 'l'$/ },
  { name: "invalid UTF-8", raw: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), status: 400, message: /not valid UTF-8/ },
  { name: "an array", raw: "[]", status: 400, message: /must be a JSON object, got an array/ },
  { name: "a string", raw: '"launch_job"', status: 400, message: /must be a JSON object, got a string/ },
  { name: "null", raw: "null", status: 400, message: /must be a JSON object, got null/ },
  { name: "a number", raw: "42", status: 400, message: /must be a JSON object, got a number/ },
  {
    name: "deeply nested arrays",
    raw: `${"[".repeat(30_000)}${"]".repeat(30_000)}`,
    status: 400,
    message: /deeper than 32 levels \(line 1, column 33, position 32\)/,
  },
  {
    name: "deeply nested field",
    raw: `{"action": "launch_job", "x": ${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`,
    status: 400,
    message: /deeper than 32 levels/,
  },
  { name: "deeply nested unbalanced", raw: "{".repeat(60_000), status: 400, message: /deeper than 32 levels/ },
  // The action
  {
    name: "no action",
    body: without(launch, "action"),
    status: 400,
    message: /^invalid request: action: is required \(\/v1\/dag\/launch serves launch_job\)$/,
  },
  {
    name: "unknown action",
    body: { ...launch, action: "drop_tables" },
    status: 400,
    message: /action: must be one of launch_job on \/v1\/dag\/launch/,
  },
  { name: "action not a string", body: { ...launch, action: 7 }, status: 400, message: /action: must be one of/ },
  {
    name: "action on the wrong path",
    path: "/v1/dag/status",
    body: launch,
    status: 400,
    message: /action: launch_job is served on \/v1\/dag\/launch, not on \/v1\/dag\/status/,
  },
  {
    name: "status action on the launch path",
    path: "/v1/dag/launch",
    body: lastStatus,
    status: 400,
    message: /get_last_status is served on \/v1\/dag\/status/,
  },
  // Wrong values and types
  {
    name: "account as a number",
    body: { ...launch, account: 99 },
    status: 400,
    message: /account: Invalid input: expected string, received number/,
  },
  { name: "account too short", body: { ...launch, account: "99" }, status: 400, message: /account: account must be 6 digits/ },
  {
    name: "lower-case environment",
    body: { ...launch, environment: "dev" },
    status: 400,
    message: /environment: environment must be one of PROD, PREPROD, STAGING, DEV/,
  },
  {
    name: "unknown configuration_type",
    body: { ...launch, configuration_type: "sql" },
    status: 400,
    message: /configuration_type: configuration_type must be one of/,
  },
  {
    name: "empty configuration_id",
    body: { ...launch, configuration_id: "" },
    status: 400,
    message: /configuration_id: configuration_id must not be empty/,
  },
  {
    name: "configuration_id as an object",
    body: { ...launch, configuration_id: { $ne: null } },
    status: 400,
    message: /configuration_id: Invalid input: expected string, received object/,
  },
  {
    name: "impossible execution_date",
    body: { ...launch, execution_date: "2020-02-30" },
    status: 400,
    message: /execution_date: execution_date must be a real calendar date/,
  },
  {
    name: "day-first execution_date",
    body: { ...launch, execution_date: "09/12/2020" },
    status: 400,
    message: /execution_date: execution_date must be a date in the form YYYY-MM-DD/,
  },
  { name: "mixed separators", body: { ...launch, execution_date: "2020-12/09" }, status: 400, message: /execution_date: / },
  {
    name: "numeric execution_date",
    body: { ...launch, execution_date: 20201209 },
    status: 400,
    message: /execution_date: execution_date must be a date string/,
  },
  {
    name: "limit as a string",
    path: "/v1/dag/status",
    body: { ...lastStatus, limit: "3" },
    status: 400,
    message: /limit: limit must be a number/,
  },
  { name: "limit 0", path: "/v1/dag/status", body: { ...lastStatus, limit: 0 }, status: 400, message: /limit: limit must be at least 1/ },
  {
    name: "fractional limit",
    path: "/v1/dag/status",
    body: { ...lastStatus, limit: 1.5 },
    status: 400,
    message: /limit: limit must be a whole number/,
  },
  {
    name: "huge limit",
    path: "/v1/dag/status",
    body: { ...lastStatus, limit: 1e9 },
    status: 400,
    message: /limit: limit must be at most 1000/,
  },
  {
    name: "unknown status filter",
    path: "/v1/dag/status",
    body: { ...lastStatus, status: "DONE" },
    status: 400,
    message: /status: status must be one of WAITING, RUNNING/,
  },
  {
    name: "activated as a string",
    path: "/v1/configuration/status",
    body: { ...VALID.set_configuration_status, activated: "true" },
    status: 400,
    message: /activated: activated must be true or false/,
  },
  {
    name: "several bad fields at once",
    body: { ...launch, account: "x", environment: "prod" },
    status: 400,
    message: /account: .*; environment: /,
  },
  // Transport
  {
    name: "text/plain content-type",
    headers: { "content-type": "text/plain" },
    body: launch,
    status: 415,
    message: /content-type must be application\/json/,
  },
  {
    name: "form content-type",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    raw: "action=launch_job",
    status: 415,
    message: /content-type must be application\/json/,
  },
  {
    name: "unknown path",
    path: "/v1/dag/nope",
    body: launch,
    status: 404,
    message: /no API route for \/v1\/dag\/nope; the API serves \/v1\/dag\/launch, \/v1\/dag\/status/,
  },
  { name: "root path", path: "/", body: launch, status: 404, message: /no API route for \// },
  { name: "path with a trailing slash", path: "/v1/dag/launch/", body: launch, status: 404, message: /no API route/ },
  { name: "GET", method: "GET", status: 405, message: /method GET is not allowed on \/v1\/dag\/launch; use POST/ },
  { name: "PUT", method: "PUT", body: launch, status: 405, message: /method PUT is not allowed/ },
  { name: "DELETE", method: "DELETE", status: 405, message: /method DELETE is not allowed/ },
  {
    name: "body over 64 KiB",
    raw: JSON.stringify({ ...launch, pad: "x".repeat(70_000) }),
    status: 413,
    message: /request body is larger than 65536 bytes/,
  },
];

// Every required field of every action, removed in turn.
for (const action of ACTIONS) {
  for (const field of Object.keys(VALID[action]).filter((f) => f !== "action")) {
    cases.push({
      name: `${action} without ${field}`,
      path: ACTION_PATHS[action],
      body: without(VALID[action], field),
      status: 400,
      message: new RegExp(`^invalid request: ${field}: is required$`),
    });
  }
}

describe("malformed requests", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s: 4xx naming the problem", async (_name, c) => {
    const r = await httpRequest(`${h.url}${c.path ?? "/v1/dag/launch"}`, c.body, {
      token: h.token,
      raw: c.raw,
      method: c.method,
      headers: c.headers,
    });
    expect(r.status).toBe(c.status);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.body).toEqual({ code: c.status, data: {}, message: expect.stringMatching(c.message) });
    if (c.status === 405) expect(r.headers.allow).toBe("POST");
    // Logged with its status and an error code; it did not reach the catch-all (see afterEach).
    const entry = (await h.admin.requests()).find((e) => e.request_id === r.headers["x-request-id"]);
    expect(entry).toMatchObject({ status: c.status, error_code: expect.any(String) });
    expect(entry?.error_code).not.toBe("internal");
  });
});

describe("what is accepted", () => {
  it("ignores unknown extra fields, including __proto__ and constructor (tolerant server)", async () => {
    const raw = `{"__proto__": {"polluted": true}, "constructor": {"x": 1}, "comment": "hi", ${JSON.stringify(lastStatus).slice(1)}`;
    const r = await httpRequest(`${h.url}/v1/dag/status`, undefined, { token: h.token, raw });
    expect(r.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(["application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8"])(
    "accepts content-type %s",
    async (type) => {
      const r = await httpRequest(`${h.url}/v1/dag/status`, lastStatus, { token: h.token, headers: { "content-type": type } });
      expect(r.status).toBe(200);
    },
  );

  it("accepts a UTF-8 byte order mark before the JSON, as Python's json.loads does", async () => {
    const r = await httpRequest(`${h.url}/v1/dag/status`, undefined, { token: h.token, raw: `\ufeff${JSON.stringify(lastStatus)}` });
    expect(r.status).toBe(200);
  });

  it("accepts a body just under the limit (whitespace padding)", async () => {
    const raw = JSON.stringify(lastStatus) + " ".repeat(65_536 - JSON.stringify(lastStatus).length);
    expect(Buffer.byteLength(raw)).toBe(65_536);
    expect((await httpRequest(`${h.url}/v1/dag/status`, undefined, { token: h.token, raw })).status).toBe(200);
  });

  it("checks authentication before the body's content (401 for garbage without a token)", async () => {
    const r = await httpRequest(`${h.url}/v1/dag/launch`, undefined, { token: null, raw: "{garbage" });
    expect(r.body).toEqual({ code: 401, message: "Jwt is missing" });
  });
});

/** Raw socket: writes `data`, resolves with what the server sent back before closing. */
function rawExchange(data: string | Buffer, endAfterWrite = true): Promise<string> {
  return new Promise((resolve) => {
    const url = new URL(h.url);
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(data);
      if (endAfterWrite) socket.end();
    });
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.on("error", () => undefined);
  });
}

describe("abuse at the HTTP level", () => {
  it("a chunked body over the limit gets 413 and the connection is closed", async () => {
    const chunk = "x".repeat(16 * 1024);
    const head = `POST /v1/dag/launch HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ${h.token}\r\ntransfer-encoding: chunked\r\n\r\n`;
    const body = Array.from({ length: 6 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join("") + "0\r\n\r\n";
    const answer = await rawExchange(head + body, false);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain("connection: close");
  });

  it("a client that promises more body than it sends and leaves does not disturb the server", async () => {
    const head = `POST /v1/dag/launch HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ${h.token}\r\ncontent-length: 1000\r\n\r\n{"action":`;
    await rawExchange(head);
    expect((await httpRequest(`${h.url}/v1/dag/status`, lastStatus, { token: h.token })).status).toBe(200);
  });

  it("garbage instead of HTTP gets a 400 from the HTTP layer, and the server keeps serving", async () => {
    const answer = await rawExchange("HELLO THERE\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await httpRequest(`${h.url}/v1/dag/status`, lastStatus, { token: h.token })).status).toBe(200);
  });
});

describe("the catch-all", () => {
  it("answers an unexpected exception with a bare 500 (no stack), logs it, and keeps serving", async () => {
    const own: Logged = [];
    const e = await startLogging(own); // its own emulator: the shared one must see no internal error
    const platform = e.emulator.internals.platform;
    const original = platform.catchUp.bind(platform);
    platform.catchUp = () => {
      throw new Error("boom: secret internals at /srv/emulator.ts:42");
    };
    try {
      const r = await httpRequest(`${e.url}/v1/dag/status`, lastStatus, { token: e.token });
      expect(r.status).toBe(500);
      expect(r.body).toEqual({ code: 500, data: {}, message: "internal error" });
      expect(r.text).not.toMatch(/boom|secret|\.ts:/);
    } finally {
      platform.catchUp = original;
    }
    expect(e.emulator.internalErrorCount).toBe(1);
    expect(own).toHaveLength(1);
    expect(String(own[0]?.fields?.stack)).toContain("boom");
    expect((await httpRequest(`${e.url}/v1/dag/status`, lastStatus, { token: e.token })).status).toBe(200);
  });
});
