/**
 * The emulator under generated malformed requests over real sockets (issue 6): bad JSON, wrong types,
 * missing and extra fields, huge and deeply nested bodies, unknown actions, actions on the wrong path,
 * wrong methods and content types, bad tokens, unknown routes, malformed admin calls, and broken HTTP
 * on raw sockets (garbage request lines, bad headers, truncated bodies, oversized headers...).
 *
 * Never a 5xx, never an internal error (emulator.internalErrorCount stays 0), the server answers
 * correctly throughout and afterwards, memory stays bounded; every 4xx the emulator answers is JSON
 * `{code, message}` with `code` = the status, naming the field when a field is at fault.
 *
 * Counts: TAILER_RELIABILITY_REQUESTS in all, else 12,000 under TAILER_STRESS=1 and 3,000 under
 * `npm test`: three quarters HTTP requests (keep-alive), a quarter raw sockets; a tenth of each with
 * reset/drop_response/latency faults on. The memory test sends its own warm-up and a quarter as many
 * again. Each test has its own emulator, so they run in any order (`jest --randomize`).
 */
import * as http from "node:http";
import fc from "fast-check";
import { GATEWAY_REFUSALS } from "../../provider/client/gateway";
import { ACTION_PATHS, ACTIONS, type Action } from "../../provider/client/schemas";
import { closeAll, type Harness, JARVIS_STS, LOAD_PDA, LOAD_PDA_WORKFLOW, PREPARE_PDA, startEmulator } from "../emulator/helpers/harness";
import { count, fcSeed, memoryMiB, rawExchange, report, STRESS } from "./helpers";

const TOTAL = count("TAILER_RELIABILITY_REQUESTS", { normal: 3000, stress: 12_000 });
const RAW = Math.round(TOTAL / 4);
const HTTP_CASES = TOTAL - RAW;
const FAULTED_SHARE = 0.1;
const TIMEOUT_MS = STRESS ? 600_000 : 120_000;

/** The emulator of the running test: each test starts its own (no test depends on another's state or order). */
let h: Harness;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const figures = {
  httpRequests: 0,
  rawRequests: 0,
  livenessChecks: 0,
  byStatus: {} as Record<string, number>,
  byFamily: {} as Record<string, number>,
  /** 4xx answers on raw sockets that came from the emulator (JSON), checked like the others. */
  rawJson4xxChecked: 0,
  /** Huge bodies whose 413 (and closed connection) came while the client was still writing. */
  cutOffWhileSending: 0,
  /** Requests reset or dropped by the injected faults (no answer, by design). */
  faultedNoAnswer: 0,
};
const started = Date.now();

beforeEach(async () => {
  h = await startEmulator({ faultSeed: 7 });
  reference = undefined;
  sinceAlive = 0;
  livenessOn = true;
});
afterEach(closeAll);
afterAll(async () => {
  agent.destroy();
  report("emulator fuzz", {
    requests: figures.httpRequests + figures.rawRequests,
    http: figures.httpRequests,
    raw: figures.rawRequests,
    liveness: figures.livenessChecks,
    rawJson4xxChecked: figures.rawJson4xxChecked,
    cutOffWhileSending: figures.cutOffWhileSending,
    faultedNoAnswer: figures.faultedNoAnswer,
    statuses: JSON.stringify(figures.byStatus),
    seconds: (Date.now() - started) / 1000,
    ...memoryFigures,
  });
  report("emulator fuzz families", figures.byFamily);
});

// ---------------------------------------------------------------------------------------------
// Valid requests, and what each action's fields are
// ---------------------------------------------------------------------------------------------

const RUN_ID = "20201230-112837-0a795c70-2557-4a60-ba16-788aa2bea179";
const VALID: Record<Action, Record<string, unknown>> = {
  launch_job: { action: "launch_job", ...LOAD_PDA },
  check_run_status: { action: "check_run_status", ...PREPARE_PDA, job_id: "gbq-to-gbq|000099_iowa_liquor_prepare_pda_DEV", run_id: RUN_ID },
  get_last_status: { action: "get_last_status", ...PREPARE_PDA, limit: 2 },
  get_by_status: { action: "get_by_status", account: "000099", configuration_type: "storage-to-storage", limit: 2 },
  set_run_status: {
    action: "set_run_status",
    account: "000099",
    configuration_type: "table-to-table",
    configuration_id: PREPARE_PDA.configuration_id,
    run_id: RUN_ID,
    status: "SUCCESS",
  },
  reset_workflow_status: { action: "reset_workflow_status", ...LOAD_PDA_WORKFLOW },
  set_configuration_status: { action: "set_configuration_status", ...LOAD_PDA, activated: true, archived: false },
};

/** Fields of each action: required ones, then optional ones. */
const FIELDS: Record<Action, { required: string[]; optional: string[] }> = {
  launch_job: { required: ["account", "environment", "configuration_type", "configuration_id"], optional: ["execution_date", "job_id"] },
  check_run_status: { required: ["account", "environment", "configuration_type", "configuration_id", "job_id", "run_id"], optional: [] },
  get_last_status: {
    required: ["account", "environment", "configuration_type", "configuration_id"],
    optional: ["job_id", "execution_date", "status", "limit"],
  },
  get_by_status: { required: ["account", "configuration_type"], optional: ["environment", "status", "execution_date", "limit"] },
  set_run_status: { required: ["account", "configuration_type", "configuration_id", "run_id", "status"], optional: ["environment"] },
  reset_workflow_status: { required: ["account", "environment", "configuration_type", "configuration_id"], optional: [] },
  set_configuration_status: {
    required: ["account", "environment", "configuration_type", "configuration_id", "activated", "archived"],
    optional: [],
  },
};

/** Values no schema accepts for the field. */
function badValues(action: Action, field: string): unknown[] {
  const notString = [5, true, null, {}, [], ["x"]];
  switch (field) {
    case "account":
      return [99, "99", "00009A", "", "0000099", " 000099", "００００９９", ...notString];
    case "environment":
      return ["dev", "PRD", "Dev", "", "PRODUCTION", ...notString];
    case "configuration_type":
      return [
        "sql",
        "TABLE-TO-TABLE",
        "",
        "table_to_table",
        ...notString,
        ...(action === "reset_workflow_status" ? ["table-to-table", "gbq-to-gbq"] : []),
      ];
    case "configuration_id":
    case "job_id":
    case "run_id":
      return ["", ...notString];
    case "execution_date":
      return [
        "2020-02-30",
        "09/12/2020",
        20201209,
        "2020-12/09",
        "",
        "yesterday",
        "2020-13-01",
        "0000-01-01",
        null,
        "2020-12-09T00:00:00Z",
      ];
    case "status":
      return ["DONE", "", "success", 1, null, ...(action === "set_run_status" ? ["WAITING", "DEACTIVATED"] : [])];
    case "limit":
      return ["3", 0, 1.5, 1001, -1, 1e9, null, true, [], "ten"];
    case "activated":
    case "archived":
      return ["true", 1, 0, null, "yes", [], {}];
    default:
      throw new Error(`no bad values for ${field}`);
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP cases
// ---------------------------------------------------------------------------------------------

interface HttpCase {
  family: string;
  what: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Allowed statuses; undefined: any status below 500. */
  status?: number[];
  /** Fields the error message must name (`field:`). */
  fields?: string[];
  /** What the error message must say. */
  message?: RegExp;
}

const token = () => h.token;
const admin = () => h.emulator.adminToken;
const json = { "content-type": "application/json" };
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const action = fc.constantFrom(...ACTIONS);
/** Keys no action reads. */
const extraKey = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "comment", "ACTION", "Account", "configurationId", "k".repeat(2000)),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });

function withKeys(base: Record<string, unknown>, entries: Array<[string, unknown]>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** 1-3 fields made invalid (wrong type, bad value, or missing), maybe with extra fields: 400 naming each. */
const fieldMutation: fc.Arbitrary<HttpCase> = action.chain((a) => {
  const all = [...FIELDS[a].required, ...FIELDS[a].optional];
  return fc
    .tuple(
      fc.uniqueArray(fc.constantFrom(...all), { minLength: 1, maxLength: 3 }),
      fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
      fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      fc.array(fc.tuple(extraKey, anyJson), { maxLength: 3 }),
    )
    .map(([fields, picks, removes, extras]) => {
      let body: Record<string, unknown> = withKeys(
        VALID[a],
        extras.filter(([k]) => !all.includes(k) && k !== "action"),
      );
      const what: string[] = [];
      fields.forEach((field, i) => {
        if (removes[i] && FIELDS[a].required.includes(field)) {
          body = Object.fromEntries(Object.entries(body).filter(([k]) => k !== field));
          what.push(`${field} missing`);
        } else {
          const values = badValues(a, field);
          const value = values[(picks[i] ?? 0) % values.length];
          body = withKeys(body, [[field, value]]);
          what.push(`${field}=${JSON.stringify(value)}`);
        }
      });
      return {
        family: "fields",
        what: `${a}: ${what.join(", ")}`,
        method: "POST",
        path: ACTION_PATHS[a],
        headers: { ...json, ...bearer(token()) },
        body: JSON.stringify(body),
        status: [400],
        fields,
      };
    });
});

/** The action: missing, unknown, not a string, or served on another path: 400 naming action. */
const actionMutation: fc.Arbitrary<HttpCase> = fc
  .tuple(
    action,
    fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 20 }),
      fc.constantFrom(7, null, true, [], {}, "LAUNCH_JOB", "launch-job", "drop_tables"),
      action,
    ),
  )
  .map(([a, value]) => {
    const path = ACTION_PATHS[a];
    const base = Object.fromEntries(Object.entries(VALID[a]).filter(([k]) => k !== "action"));
    const body = value === undefined ? base : { ...base, action: value };
    const served = typeof value === "string" && (ACTIONS as readonly string[]).includes(value) && ACTION_PATHS[value as Action] === path;
    return {
      family: "action",
      what: `${JSON.stringify(value)} on ${path}`,
      method: "POST",
      path,
      headers: { ...json, ...bearer(token()) },
      body: JSON.stringify(body),
      // Another action served on the same path is a valid request for it, answered by its own rules.
      ...(served ? {} : { status: [400], fields: ["action"] }),
    };
  });

/** Extra fields only: tolerated (the real API reads the keys it knows). */
const extraFields: fc.Arbitrary<HttpCase> = fc
  .tuple(
    fc.constantFrom<Action>("get_last_status", "get_by_status", "check_run_status", "reset_workflow_status"),
    fc.array(fc.tuple(extraKey, anyJson), { minLength: 1, maxLength: 6 }),
  )
  .map(([a, extras]) => {
    const known = [...FIELDS[a].required, ...FIELDS[a].optional, "action"];
    const body = withKeys(
      VALID[a],
      extras.filter(([k]) => !known.includes(k)),
    );
    return {
      family: "extra fields",
      what: `${a} + ${extras.map(([k]) => k.slice(0, 20)).join(",")}`,
      method: "POST",
      path: ACTION_PATHS[a],
      headers: { ...json, ...bearer(token()) },
      body: JSON.stringify(body),
      status: [200],
    };
  });

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text.replace(/^\ufeff/, ""));
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** Bodies that are not JSON (or not one object): 400 saying so. */
const badJson: fc.Arbitrary<HttpCase> = fc
  .tuple(
    action,
    fc.oneof(
      fc.nat().map((n) => ({ how: "truncated", n })),
      fc
        .tuple(fc.nat(), fc.constantFrom(",", "}", "{", "'", '"', ":", "]", "\\", "\u0000", "\n", "x", "NaN", "//", "/*"))
        .map(([n, c]) => ({ how: "insert", n, c })),
      fc.string({ maxLength: 60 }).map((s) => ({ how: "text", s })),
      fc.uint8Array({ maxLength: 60 }).map((b) => ({ how: "bytes", b })),
      fc
        .constantFrom(
          "",
          "[]",
          "null",
          "42",
          '"launch_job"',
          "true",
          "{'action': 'x'}",
          '{"action": "launch_job",}',
          '{"a":1} x',
          "\ufeff",
          '{"a":NaN}',
          '{"a":Infinity}',
          '{"a":01}',
        )
        .map((s) => ({ how: "fixed", s })),
    ),
  )
  .map(([a, m]) => {
    const valid = JSON.stringify(VALID[a]);
    let body: string | Buffer;
    if (m.how === "truncated") body = valid.slice(0, (m as { n: number }).n % valid.length);
    else if (m.how === "insert") {
      const { n, c } = m as { n: number; c: string };
      const at = n % (valid.length + 1);
      body = valid.slice(0, at) + c + valid.slice(at);
    } else if (m.how === "bytes") body = Buffer.from((m as { b: Uint8Array }).b);
    else body = (m as { s: string }).s;
    const text = typeof body === "string" ? body : body.toString("utf8");
    const invalid = !isJsonObject(text) || (typeof body !== "string" && !Buffer.from(text, "utf8").equals(body));
    return {
      family: "bad json",
      what: `${m.how}: ${JSON.stringify(text.slice(0, 80))}`,
      method: "POST",
      path: ACTION_PATHS[a],
      headers: { ...json, ...bearer(token()) },
      body,
      ...(invalid ? { status: [400], message: /request body|invalid request/ } : {}),
    };
  });

/** Bodies over the 64 KiB limit: 413. */
const hugeBody: fc.Arbitrary<HttpCase> = fc
  .tuple(action, fc.integer({ min: 65_537, max: 400_000 }), fc.constantFrom("padding", "string", "keys"))
  .map(([a, size, how]) => {
    const valid = JSON.stringify(VALID[a]);
    let body: string;
    if (how === "padding") body = valid + " ".repeat(size - valid.length);
    else if (how === "string") body = JSON.stringify({ ...VALID[a], note: "x".repeat(size) });
    else
      body = JSON.stringify({ ...VALID[a], ...Object.fromEntries(Array.from({ length: Math.ceil(size / 12) }, (_, i) => [`k${i}`, i])) });
    return {
      family: "huge body",
      what: `${how} ${Buffer.byteLength(body)} bytes`,
      method: "POST",
      path: ACTION_PATHS[a],
      headers: { ...json, ...bearer(token()) },
      body,
      status: [413],
      message: /larger than 65536 bytes/,
    };
  });

/** Nesting deeper than 32 levels (whole body, a field, unbalanced): 400 naming the depth. */
const deepBody: fc.Arbitrary<HttpCase> = fc
  .tuple(action, fc.integer({ min: 33, max: 5000 }), fc.constantFrom("arrays", "objects", "field", "unbalanced", "mixed"))
  .map(([a, depth, how]) => {
    let body: string;
    if (how === "arrays") body = `${"[".repeat(depth)}${"]".repeat(depth)}`;
    else if (how === "objects") body = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    else if (how === "field") body = `${JSON.stringify(VALID[a]).slice(0, -1)},"x":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    else if (how === "unbalanced") body = "{".repeat(depth);
    else body = `{"a":${'[{"b":'.repeat(Math.ceil(depth / 2))}0${"}]".repeat(Math.ceil(depth / 2))}}`;
    return {
      family: "deep body",
      what: `${how} depth ${depth}`,
      method: "POST",
      path: ACTION_PATHS[a],
      headers: { ...json, ...bearer(token()) },
      body,
      status: [400],
      message: /deeper than 32 levels/,
    };
  });

/** Long strings where short ones belong (ids, job ids, actions): answered, and not kept whole in memory. */
const longValues: fc.Arbitrary<HttpCase> = fc
  .tuple(action, fc.integer({ min: 1000, max: 60_000 }), fc.constantFrom("configuration_id", "job_id", "run_id", "action", "account", "x"))
  .map(([a, size, field]) => {
    const body = { ...VALID[a], [field]: `${field}-${"z".repeat(size)}` };
    return {
      family: "long values",
      what: `${a} ${field} of ${size} characters`,
      method: "POST",
      path: ACTION_PATHS[a],
      headers: { ...json, ...bearer(token()) },
      body: JSON.stringify(body),
    };
  });

/** Nesting up to 32 levels in an extra field is fine. */
const shallowBody: fc.Arbitrary<HttpCase> = fc.integer({ min: 1, max: 31 }).map((depth) => ({
  family: "nested extra field",
  what: `depth ${depth}`,
  method: "POST",
  path: "/v1/dag/status",
  headers: { ...json, ...bearer(token()) },
  body: `${JSON.stringify(VALID.get_last_status).slice(0, -1)},"x":${"[".repeat(depth)}${"]".repeat(depth)}}`,
  status: [200],
}));

/** Methods other than POST on the API's paths: 405 with Allow: POST. */
const wrongMethod: fc.Arbitrary<HttpCase> = fc
  .tuple(
    fc.constantFrom(...new Set(Object.values(ACTION_PATHS))),
    fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"),
    fc.boolean(),
  )
  .map(([path, method, withBody]) => ({
    family: "method",
    what: `${method} ${path}`,
    method,
    path,
    headers: { ...json, ...bearer(token()) },
    ...(withBody && method !== "GET" && method !== "HEAD" && method !== "TRACE" ? { body: JSON.stringify(VALID.get_last_status) } : {}),
    status: [405],
    message: method === "HEAD" ? undefined : /is not allowed on .*; use POST/,
  }));

/** Content types other than application/json: 415. */
const wrongContentType: fc.Arbitrary<HttpCase> = fc
  .tuple(
    action,
    fc.oneof(
      fc.constantFrom(
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
        "json",
        "application/json-patch+json",
        "text/json",
        "application/xml",
        "*/*",
        "application",
        "application/json+x",
        "application /json",
        "",
      ),
      fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
      fc.constant(undefined),
    ),
  )
  .filter(([, type]) => type === undefined || type.split(";", 1)[0]?.trim().toLowerCase() !== "application/json")
  .map(([a, type]) => ({
    family: "content type",
    what: `content-type ${JSON.stringify(type)}`,
    method: "POST",
    path: ACTION_PATHS[a],
    headers: { ...(type === undefined ? {} : { "content-type": type }), ...bearer(token()) },
    body: JSON.stringify(VALID[a]),
    status: [415],
    message: /content-type/,
  }));

/** Every 401 message of the gateway, exactly (the shared table). */
const GATEWAY_401 = new RegExp(
  `^(${Object.values(GATEWAY_REFUSALS)
    .filter((r) => r.status === 401)
    .map((r) => r.message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("|")})$`,
);

/** No token, or a bad one, with any body: 401 in the gateway's words (authentication comes first). */
const badToken: fc.Arbitrary<HttpCase> = fc
  .tuple(
    action,
    fc.oneof(
      fc.constant(undefined),
      fc.constantFrom("Bearer", "Bearer ", "Basic abc", "bearer x.y.z", "Bearer a.b", "Bearer !!!.???.***"),
      fc
        .string({ maxLength: 40 })
        .filter((s) => /^[\x21-\x7e]+$/.test(s))
        .map((s) => `Bearer ${s}`),
    ),
    fc.oneof(fc.constant("valid"), fc.constant("garbage"), fc.constant("empty")),
  )
  .map(([a, authorization, bodyKind]) => ({
    family: "token",
    what: `${JSON.stringify(authorization)} ${bodyKind}`,
    method: "POST",
    path: ACTION_PATHS[a],
    headers: { ...json, ...(authorization === undefined ? {} : { authorization }) },
    body: bodyKind === "valid" ? JSON.stringify(VALID[a]) : bodyKind === "garbage" ? "{garbage" : "",
    status: [401],
    message: GATEWAY_401,
  }));

const API_PATHS = new Set(Object.values(ACTION_PATHS));
/** Paths the API does not serve: 404 naming the routes. */
const unknownPath: fc.Arbitrary<HttpCase> = fc
  .oneof(
    fc
      .array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 })
      .map((parts) => `/${parts.map(encodeURIComponent).join("/")}`),
    fc.constantFrom(...API_PATHS).map((p) => `${p}/`),
    fc.constantFrom(...API_PATHS).map((p) => p.toUpperCase()),
    fc.constantFrom(...API_PATHS).map((p) => p.replace(/a/, "%61")),
    fc.constantFrom(
      "/",
      "//v1/dag/status",
      "/v1/dag/status/..",
      "/v1/dag/./status",
      "/v1/dag",
      "/v1",
      "/v2/dag/status",
      "/_emulator",
      "/v1/dag/status%00",
      "/v1/dag/status;x",
    ),
    fc.integer({ min: 100, max: 8000 }).map((n) => `/v1/${"x".repeat(n)}`),
  )
  .filter((p) => !API_PATHS.has(p) && !p.startsWith("/_emulator/"))
  .map((path) => ({
    family: "path",
    what: path.slice(0, 60),
    method: "POST",
    path,
    headers: { ...json, ...bearer(token()) },
    body: JSON.stringify(VALID.get_last_status),
    status: [404],
    message: /no API route/,
  }));

/** The admin API, without its token or with malformed calls. */
const ADMIN_IDENTITY = { account: "000099", environment: "DEV", configuration_type: "table-to-table", configuration_id: "000099_FUZZ_DEV" };
const ADMIN_BAD: Array<{ method: string; route: string; base: Record<string, unknown>; field: string; values: unknown[] }> = [
  ...["account", "environment", "configuration_type", "configuration_id"].flatMap((field) =>
    ["POST", "PATCH", "DELETE"].map((method) => ({
      method,
      route: "configurations",
      base: ADMIN_IDENTITY,
      field,
      values: badValues("launch_job", field).filter((v) => v !== null || field !== "configuration_id"),
    })),
  ),
  { method: "POST", route: "configurations", base: ADMIN_IDENTITY, field: "max_active_runs", values: [0, 1.5, "3", 20_000, -1, true] },
  { method: "POST", route: "configurations", base: ADMIN_IDENTITY, field: "job_ids", values: ["x", [""], [1], {}] },
  { method: "POST", route: "configurations", base: ADMIN_IDENTITY, field: "run.duration", values: ["abc", -5, "1:99:99", {}] },
  { method: "POST", route: "configurations", base: ADMIN_IDENTITY, field: "run.outcome", values: ["MAYBE", 1, ""] },
  { method: "PATCH", route: "configurations", base: ADMIN_IDENTITY, field: "activated", values: ["true", 1, null] },
  { method: "PATCH", route: "runs", base: { run_id: RUN_ID, status: "FAILED" }, field: "status", values: ["DONE", "", 1, null] },
  { method: "PATCH", route: "runs", base: { run_id: RUN_ID, status: "RUNNING" }, field: "duration", values: ["abc", -1, {}] },
  { method: "PATCH", route: "runs", base: { run_id: RUN_ID, status: "FAILED" }, field: "run_id", values: ["", 5, null] },
  {
    method: "POST",
    route: "launches",
    base: { ...ADMIN_IDENTITY, launches: [{ duration: 5 }] },
    field: "launches",
    values: [[], "x", 5, null],
  },
  {
    method: "POST",
    route: "launches",
    base: { ...ADMIN_IDENTITY, launches: [{ duration: 5 }] },
    field: "launches[0].outcome",
    values: ["MAYBE", 3],
  },
  { method: "POST", route: "clock/advance", base: { seconds: 1 }, field: "seconds", values: [-1, "1", null, true] },
  { method: "POST", route: "clock/advance", base: { duration: "0:00:01" }, field: "duration", values: ["x", -1, "1:99:99"] },
  { method: "POST", route: "tokens", base: { accounts: ["000099"] }, field: "expires_in_seconds", values: [0, 1e9, 1.5, "60"] },
  { method: "POST", route: "tokens", base: { accounts: ["000099"] }, field: "accounts", values: ["000099", [1], {}] },
  { method: "POST", route: "tokens", base: { accounts: ["000099"] }, field: "audience", values: ["", 5] },
  { method: "POST", route: "faults", base: { kind: "latency", latency_ms: 1 }, field: "kind", values: ["nope", "", 1, null] },
  { method: "POST", route: "faults", base: { faults: [{ kind: "latency" }] }, field: "faults[0].kind", values: ["nope", 2] },
  { method: "POST", route: "faults", base: { seed: 1 }, field: "seed", values: [-1, 1.5, "1", 2 ** 40] },
  { method: "POST", route: "runs", base: { runs: [] }, field: "runs", values: [[], "x", null] },
];

const adminCase: fc.Arbitrary<HttpCase> = fc.oneof(
  // Without the admin token (or with the API's token): 401 in the API's form.
  fc
    .tuple(
      fc.constantFrom("info", "configurations", "runs", "requests", "reset", "faults", "clock", "tokens", "nope"),
      fc.constantFrom("GET", "POST", "DELETE"),
      fc.constantFrom("none", "api", "wrong"),
    )
    .map(([route, method, who]) => ({
      family: "admin unauthenticated",
      what: `${method} ${route} as ${who}`,
      method,
      path: `/_emulator/${route}`,
      headers: { ...json, ...(who === "none" ? {} : bearer(who === "api" ? token() : "not-the-admin-token")) },
      body: method === "GET" ? undefined : "{}",
      status: [401],
      message: /admin API needs/,
    })),
  // A field of an admin call made invalid: 400 naming it.
  fc.tuple(fc.constantFrom(...ADMIN_BAD), fc.nat()).map(([bad, pick]) => {
    const value = bad.values[pick % bad.values.length];
    const body: Record<string, unknown> = structuredClone(bad.base);
    const path = bad.field.replace(/\[(\d+)\]/g, ".$1").split(".");
    let at: Record<string, unknown> = body;
    for (const key of path.slice(0, -1)) {
      at[key] ??= {};
      at = at[key] as Record<string, unknown>;
    }
    at[path[path.length - 1] as string] = value;
    return {
      family: "admin fields",
      what: `${bad.method} ${bad.route} ${bad.field}=${JSON.stringify(value)}`,
      method: bad.method,
      path: `/_emulator/${bad.route}`,
      headers: { ...json, ...bearer(admin()) },
      body: JSON.stringify(body),
      status: [400],
      fields: [bad.field],
    };
  }),
  // Unknown keys on the admin API's strict objects: 400 naming the key.
  // (DELETE configurations reads only the identity, as PATCH does: its extra keys are not refused.)
  fc
    .tuple(fc.constantFrom(...ADMIN_BAD.filter((b) => b.method !== "DELETE")), fc.stringMatching(/^[a-z][a-z_]{2,12}$/))
    .filter(
      ([bad, key]) =>
        !(key in bad.base) &&
        ![
          "duration",
          "outcome",
          "launches",
          "faults",
          "seed",
          "description",
          "activated",
          "archived",
          "job_ids",
          "max_active_runs",
          "run",
          "workflow",
          "accounts",
          "audience",
          "expires_in_seconds",
          "seconds",
          "status",
          "run_id",
          "id",
          "kind",
          "probability",
          "max_count",
          "action",
          "path",
          "latency_ms",
          "retry_after_seconds",
        ].includes(key),
    )
    .map(([bad, key]) => ({
      family: "admin unknown key",
      what: `${bad.method} ${bad.route} +${key}`,
      method: bad.method,
      path: `/_emulator/${bad.route}`,
      headers: { ...json, ...bearer(admin()) },
      body: JSON.stringify({ ...bad.base, [key]: 1 }),
      status: [400],
      message: new RegExp(key),
    })),
  // Unknown routes, wrong methods, bad JSON, bad query numbers, huge bodies.
  fc
    .tuple(
      fc.constantFrom(
        { method: "GET", path: "/_emulator/nope", status: 404, message: /no admin route/ },
        { method: "GET", path: "/_emulator/", status: 404, message: /no admin route/ },
        { method: "PUT", path: "/_emulator/configurations", status: 405, message: /not allowed/ },
        { method: "GET", path: "/_emulator/reset", status: 405, message: /not allowed/ },
        { method: "POST", path: "/_emulator/clock", status: 405, message: /not allowed/ },
        { method: "GET", path: "/_emulator/runs?limit=-1", status: 400, message: /limit: must be a non-negative integer/ },
        { method: "GET", path: "/_emulator/runs?limit=abc", status: 400, message: /limit: must be a non-negative integer/ },
        { method: "GET", path: "/_emulator/requests?since=1.5", status: 400, message: /since: must be a non-negative integer/ },
        { method: "POST", path: "/_emulator/configurations", status: 400, message: /request body/, body: "{nope" },
        { method: "PATCH", path: "/_emulator/runs", status: 400, message: /request body/, body: "[1,2]" },
        { method: "POST", path: "/_emulator/clock/advance", status: 400, message: /deeper than 32/, body: "[".repeat(100) },
        { method: "POST", path: "/_emulator/faults", status: 413, message: /larger than/, body: `{"x":"${"y".repeat(70_000)}"}` },
        { method: "DELETE", path: "/_emulator/faults?id=no-such-rule", status: 404, message: /no fault rule/ },
      ),
    )
    .map(([c]) => ({
      family: "admin routes",
      what: `${c.method} ${c.path}`,
      method: c.method,
      path: c.path,
      headers: { ...json, ...bearer(admin()) },
      body: c.body,
      status: [c.status],
      message: c.message,
    })),
);

const httpCase: fc.Arbitrary<HttpCase> = fc.oneof(
  { weight: 6, arbitrary: fieldMutation },
  { weight: 2, arbitrary: actionMutation },
  { weight: 2, arbitrary: extraFields },
  { weight: 3, arbitrary: badJson },
  { weight: 1, arbitrary: hugeBody },
  { weight: 2, arbitrary: deepBody },
  { weight: 1, arbitrary: shallowBody },
  { weight: 1, arbitrary: longValues },
  { weight: 2, arbitrary: wrongMethod },
  { weight: 2, arbitrary: wrongContentType },
  { weight: 2, arbitrary: badToken },
  { weight: 2, arbitrary: unknownPath },
  { weight: 3, arbitrary: adminCase },
);

interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** One request on the keep-alive pool. */
function send(c: HttpCase): Promise<HttpAnswer> {
  const url = new URL(h.url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...c.headers };
    if (c.body !== undefined) headers["content-length"] = Buffer.byteLength(c.body);
    const req = http.request({ host: url.hostname, port: url.port, method: c.method, path: c.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(c.body);
  });
}

/** The checks every answer passes. Throws with the case's description. */
function judge(c: HttpCase, answer: HttpAnswer): void {
  const fail = (why: string) => {
    throw new Error(`${c.family} (${c.what}): ${why}; got ${answer.status} ${answer.text.slice(0, 300)}`);
  };
  if (answer.status >= 500 || answer.status < 200) fail("a status outside 2xx-4xx");
  if (c.status && !c.status.includes(answer.status)) fail(`expected ${c.status.join(" or ")}`);
  if (answer.status < 400 || c.method === "HEAD") return;
  if (!String(answer.headers["content-type"]).startsWith("application/json")) fail("a 4xx that is not JSON");
  let body: { code?: unknown; message?: unknown };
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    fail("a 4xx body that does not parse");
    return;
  }
  if (body.code !== answer.status || typeof body.message !== "string") fail("a 4xx body without {code: status, message}");
  const message = body.message as string;
  // "field: ..." (or "field[0]: ...", "field.sub: ..." for what is inside it).
  for (const field of c.fields ?? [])
    if (!new RegExp(`(^|[ ;])${field.replace(/[[\].]/g, "\\$&")}([:.[ ])`).test(message)) fail(`the message does not name ${field}`);
  if (c.message && !c.message.test(message)) fail(`the message does not match ${c.message}`);
  if (answer.status === 405 && answer.headers.allow === undefined) fail("a 405 without Allow");
}

// ---------------------------------------------------------------------------------------------
// Raw sockets: broken HTTP
// ---------------------------------------------------------------------------------------------

interface RawCase {
  family: string;
  what: string;
  chunks: Array<string | Buffer>;
}

const CRLF = "\r\n";
const head = (lines: string[]) => lines.join(CRLF) + CRLF + CRLF;
const validBody = () => JSON.stringify(VALID.get_last_status);
const validHead = (extra: readonly string[] = [], body = validBody()) => [
  "POST /v1/dag/status HTTP/1.1",
  "host: 127.0.0.1",
  "content-type: application/json",
  `authorization: Bearer ${token()}`,
  `content-length: ${Buffer.byteLength(body)}`,
  ...extra,
];

// Garbage request lines.
const rawRequestLine: fc.Arbitrary<RawCase> = fc
  .oneof(
    fc.string({ maxLength: 80 }),
    fc.uint8Array({ minLength: 1, maxLength: 80 }).map((b) => Buffer.from(b).toString("latin1")),
  )
  .map((line) => ({
    family: "raw request line",
    what: JSON.stringify(line.slice(0, 60)),
    chunks: [Buffer.from(`${line}${CRLF}${CRLF}`, "latin1")],
  }));

/** Versions and methods: some reach the API's handler (HTTP/1.0, HTTP/2.0 on this HTTP/1 socket). */
const rawVersionOrMethod: fc.Arbitrary<RawCase> = fc
  .oneof(
    fc.constantFrom("POST /v1/dag/status HTTP/2.0", "POST /v1/dag/status HTTP/1.0", "POST /v1/dag/launch HTTP/2.0"),
    fc.constantFrom(
      "POST /v1/dag/status HTTP/9.9",
      "POST /v1/dag/status HTTP/1.2",
      "POST /v1/dag/status HTTP/2.0",
      "POST /v1/dag/status HTTP/1",
      "POST /v1/dag/status HTTP/",
      "POST /v1/dag/status",
      "POST  /v1/dag/status  HTTP/1.1",
      "post /v1/dag/status HTTP/1.1",
      "FOO /v1/dag/status HTTP/1.1",
      "P\u0000ST /v1/dag/status HTTP/1.1",
      "POST v1/dag/status HTTP/1.1",
      "POST http://127.0.0.1/v1/dag/status HTTP/1.1",
      "POST * HTTP/1.1",
      "PRI * HTTP/2.0",
      "CONNECT 127.0.0.1:1 HTTP/1.1",
      "GET /v1/dag/status HTTP/1.0",
    ),
  )
  .map((line) => {
    const lines = validHead();
    lines[0] = line;
    return { family: "raw version or method", what: line, chunks: [head(lines), validBody()] };
  });

/** Bad or odd headers. */
const rawHeaders: fc.Arbitrary<RawCase> = fc
  .constantFrom(
    ["no colon here"],
    ["bad name: x"],
    ["x-nul: a\u0000b"],
    ["x-del: a\u007fb"],
    [" folded: continuation"],
    ["x-fold: a", " b"],
    [": empty name"],
    ["content-length: 5", "content-length: 6"],
    ["transfer-encoding: chunked"],
    ["transfer-encoding: gzip"],
    ["expect: bogus"],
    ["expect: 100-continue"],
    ["upgrade: websocket", "connection: upgrade"],
    ["upgrade: h2c", "connection: upgrade, http2-settings", "http2-settings: AAMAAABkAARAAAAAAAIAAAAA"],
    ["connection: close"],
    ["host: second"],
    ["content-type: text/plain"],
    ["authorization: Bearer a", "authorization: Bearer b"],
  )
  .map((extra) => ({ family: "raw headers", what: extra.join(" | ").slice(0, 80), chunks: [head(validHead(extra)), validBody()] }));

const rawOthers: fc.Arbitrary<RawCase> = fc.oneof(
  fc.constantFrom("abc", "-1", "1e3", " 10", "0x10", "99999999999999999999", "").map((length) => {
    const lines = validHead();
    lines[4] = `content-length: ${length}`;
    return { family: "raw content-length", what: JSON.stringify(length), chunks: [head(lines), validBody()] };
  }),
  fc.constantFrom("zz", "ffffffffffffffffffff", "5;" + "e".repeat(5000), "-1", "5", "").map((size) => {
    const lines = validHead().filter((l) => !l.startsWith("content-length"));
    return {
      family: "raw chunked",
      what: JSON.stringify(size.slice(0, 20)),
      chunks: [head([...lines, "transfer-encoding: chunked"]), `${size}${CRLF}{"act${CRLF}`],
    };
  }),
  // Truncated bodies: a promised length never sent, then the client leaves.
  fc.tuple(fc.integer({ min: 10, max: 100_000 }), fc.nat()).map(([promised, sent]) => {
    const lines = validHead();
    lines[4] = `content-length: ${promised}`;
    const body = validBody().slice(0, Math.min(sent % promised, validBody().length));
    return { family: "raw truncated body", what: `${body.length} of ${promised} bytes`, chunks: [head(lines), body] };
  }),
  // Truncated heads.
  fc.nat().map((n) => {
    const text = head(validHead());
    return { family: "raw truncated head", what: `${n % text.length} bytes`, chunks: [text.slice(0, n % text.length)] };
  }),
  // Oversized: one huge header, a huge URL, very many headers.
  fc.integer({ min: 17_000, max: 80_000 }).map((n) => ({
    family: "raw oversized header",
    what: `${n} bytes`,
    chunks: [head(validHead([`x-big: ${"a".repeat(n)}`])), validBody()],
  })),
  fc.integer({ min: 17_000, max: 80_000 }).map((n) => {
    const lines = validHead();
    lines[0] = `POST /v1/${"a".repeat(n)} HTTP/1.1`;
    return { family: "raw oversized url", what: `${n} bytes`, chunks: [head(lines), validBody()] };
  }),
  fc.integer({ min: 100, max: 3000 }).map((n) => ({
    family: "raw many headers",
    what: `${n} headers`,
    chunks: [head(validHead(Array.from({ length: n }, (_, i) => `x-h${i}: ${i}`))), validBody()],
  })),
  // Not HTTP/1 at all.
  fc
    .constantFrom(
      Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0000\u0004\u0000\u0000\u0000\u0000\u0000", "latin1"),
      Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, ...Array(40).fill(7)]),
      Buffer.from("SSH-2.0-OpenSSH_9.0\r\n"),
      Buffer.alloc(0),
      Buffer.from("\r\n\r\n\r\n"),
    )
    .map((bytes) => ({ family: "raw not http", what: JSON.stringify(bytes.toString("latin1").slice(0, 20)), chunks: [bytes] })),
);

/** Exchanges that reach the API's handler: pipelined requests, a request written in pieces. */
const rawReaching: fc.Arbitrary<RawCase> = fc.oneof(
  // Pipelining: a valid request, then garbage; several requests in one write.
  fc.string({ maxLength: 40 }).map((garbage) => ({
    family: "raw pipelined",
    what: JSON.stringify(garbage),
    chunks: [head(validHead()) + validBody() + garbage + CRLF + CRLF],
  })),
  fc.integer({ min: 2, max: 20 }).map((n) => ({
    family: "raw pipelined",
    what: `${n} requests`,
    chunks: [Array.from({ length: n }, () => head(validHead()) + validBody()).join("")],
  })),
  // A head sent in pieces, then the body.
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => {
    const text = head(validHead()) + validBody();
    const i = a % text.length;
    const j = i + (b % (text.length - i));
    return { family: "raw split writes", what: `${i}/${j}`, chunks: [text.slice(0, i), text.slice(i, j), text.slice(j)] };
  }),
);

const rawCase: fc.Arbitrary<RawCase> = fc.oneof(rawRequestLine, rawVersionOrMethod, rawHeaders, rawOthers, rawReaching);
/** Under faults, the exchanges whose requests reach the handler (where faults apply). */
const rawFaultedCase: fc.Arbitrary<RawCase> = fc.oneof(rawVersionOrMethod, rawHeaders, rawReaching);

/**
 * The checks every raw answer passes: no 5xx status line; the emulator's own answers (JSON) say
 * {code: status, message}. Node's HTTP parser answers broken HTTP itself (400, 431, 417, no body),
 * before any request exists: those are counted, not parsed.
 */
function judgeRaw(c: RawCase, text: string): void {
  const fail = (why: string) => {
    throw new Error(`${c.family} (${c.what}): ${why}; got ${JSON.stringify(text.slice(0, 400))}`);
  };
  let at = 0;
  for (;;) {
    const m = /HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n(?:([\s\S]*?)\r\n)?\r\n/y;
    m.lastIndex = at;
    const found = m.exec(text);
    if (!found) break;
    const status = Number(found[1]);
    const headers = found[2] ?? "";
    figures.byStatus[`raw ${status}`] = (figures.byStatus[`raw ${status}`] ?? 0) + 1;
    if (status >= 500) fail(`a ${status}`);
    const length = Number(/(?:^|\r\n)content-length: *(\d+)/i.exec(headers)?.[1] ?? 0);
    const body = text.slice(m.lastIndex, m.lastIndex + length);
    if (status >= 400 && /(?:^|\r\n)content-type: *application\/json/i.test(headers)) {
      figures.rawJson4xxChecked++;
      let parsed: { code?: unknown; message?: unknown } | undefined;
      try {
        parsed = JSON.parse(Buffer.from(body, "latin1").toString("utf8")) as typeof parsed;
      } catch {
        fail(`a ${status} whose JSON body does not parse`);
      }
      if (parsed?.code !== status || typeof parsed?.message !== "string") fail(`a ${status} body without {code: status, message}`);
    }
    at = m.lastIndex + length;
  }
}

// ---------------------------------------------------------------------------------------------
// The runs
// ---------------------------------------------------------------------------------------------

/** A valid request, answered correctly: the server still works. */
let reference: string | undefined;
async function assertAlive(): Promise<void> {
  figures.livenessChecks++;
  const body = { action: "get_last_status", ...JARVIS_STS, limit: 3 };
  const r = await h.post("/v1/dag/status", body);
  expect(r.status).toBe(200);
  expect(r.body.results).toHaveLength(3);
  reference ??= r.text;
  expect(r.text).toBe(reference);
  expect(h.emulator.internalErrorCount).toBe(0);
}

let sinceAlive = 0;
/** Off while faults are on (the check itself would meet them). */
let livenessOn = true;
async function maybeAlive(): Promise<void> {
  if (livenessOn && ++sinceAlive % 200 === 0) await assertAlive();
}

async function runHttp(numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(httpCase, async (c) => {
      figures.httpRequests++;
      figures.byFamily[c.family] = (figures.byFamily[c.family] ?? 0) + 1;
      let answer: HttpAnswer;
      try {
        answer = await send(c);
      } catch (error) {
        // A 413 answered (and the connection closed) while the client still wrote its huge body.
        const code = (error as NodeJS.ErrnoException).code;
        if (c.family === "huge body" && (code === "EPIPE" || code === "ECONNRESET")) {
          figures.cutOffWhileSending++;
          return;
        }
        throw new Error(`${c.family} (${c.what}): the request failed: ${String(error)}`);
      }
      figures.byStatus[answer.status] = (figures.byStatus[answer.status] ?? 0) + 1;
      judge(c, answer);
      await maybeAlive();
    }),
    { numRuns, ...fcSeed() },
  );
}

async function runRaw(numRuns: number, cases: fc.Arbitrary<RawCase> = rawCase): Promise<void> {
  await fc.assert(
    fc.asyncProperty(cases, async (c) => {
      figures.rawRequests++;
      figures.byFamily[c.family] = (figures.byFamily[c.family] ?? 0) + 1;
      const answer = await rawExchange(h.url, c.chunks, { end: true, timeoutMs: 5000 });
      judgeRaw(c, answer.text);
      await maybeAlive();
    }),
    { numRuns, ...fcSeed() },
  );
}

const memoryFigures: Record<string, number> = {};

/** The request log holds no 5xx but the injected ones, and nothing reached the catch-all. */
function expectNo5xx(): void {
  const log = h.emulator.internals.requestLog.list();
  expect(log.filter((e) => e.status !== null && e.status >= 500 && e.fault === null)).toEqual([]);
  expect(h.emulator.internalErrorCount).toBe(0);
}

describe("the emulator under malformed requests", () => {
  const faulted = { http: Math.round(HTTP_CASES * FAULTED_SHARE), raw: Math.round(RAW * FAULTED_SHARE) };
  const warm = { http: Math.min(300, Math.round(HTTP_CASES / 10)), raw: Math.min(100, Math.round(RAW / 10)) };
  const measured = { http: Math.round(HTTP_CASES / 4), raw: Math.round(RAW / 4) };
  const main = { http: HTTP_CASES - faulted.http, raw: RAW - faulted.raw };

  test(
    `${main.http} generated HTTP requests: never a 5xx, every 4xx JSON naming the field at fault`,
    async () => {
      await assertAlive();
      await runHttp(main.http);
      await assertAlive();
      expectNo5xx();
    },
    TIMEOUT_MS,
  );

  test(
    `${main.raw} raw-socket exchanges of broken HTTP: never a 5xx, the server keeps serving`,
    async () => {
      await assertAlive();
      await runRaw(main.raw);
      await assertAlive();
      expectNo5xx();
    },
    TIMEOUT_MS,
  );

  test(
    `${faulted.http + faulted.raw} more with reset, drop_response and latency faults on: still never a 5xx nor an internal error`,
    async () => {
      await assertAlive();
      await h.admin.addFaults(
        [
          { kind: "reset", probability: 0.2 },
          { kind: "drop_response", probability: 0.2 },
          { kind: "latency", probability: 0.1, latency_ms: 1 },
        ],
        1234,
      );
      livenessOn = false;
      // Resets leave the client without an answer: count those, judge the others.
      await fc.assert(
        fc.asyncProperty(httpCase, async (c) => {
          figures.httpRequests++;
          figures.byFamily[`${c.family} (faults)`] = (figures.byFamily[`${c.family} (faults)`] ?? 0) + 1;
          const answer = await send(c).catch(() => undefined);
          if (answer === undefined) {
            figures.faultedNoAnswer++;
            return;
          }
          figures.byStatus[answer.status] = (figures.byStatus[answer.status] ?? 0) + 1;
          if (answer.status >= 500) throw new Error(`${c.family} (${c.what}): ${answer.status} ${answer.text.slice(0, 200)}`);
        }),
        { numRuns: faulted.http, ...fcSeed() },
      );
      await runRaw(faulted.raw, rawFaultedCase);
      await h.admin.clearFaults();
      livenessOn = true;
      expectNo5xx();
      await assertAlive();
    },
    TIMEOUT_MS,
  );

  test(
    `memory stays bounded: after a warm-up, ${measured.http + measured.raw} more requests grow the heap by less than 64 MiB`,
    async () => {
      await runHttp(warm.http);
      await runRaw(warm.raw);
      const before = memoryMiB();
      await runHttp(measured.http);
      await runRaw(measured.raw);
      const after = memoryMiB();
      memoryFigures.heapBeforeMiB = Math.round(before.heap);
      memoryFigures.heapAfterMiB = Math.round(after.heap);
      memoryFigures.heapGrowthMiB = Math.round((after.heap - before.heap) * 10) / 10;
      memoryFigures.rssGrowthMiB = Math.round((after.rss - before.rss) * 10) / 10;
      // Generous: the request log alone holds up to 10,000 entries.
      expect(after.heap - before.heap).toBeLessThan(64);
      expect(after.rss - before.rss).toBeLessThan(256);
      expectNo5xx();
    },
    TIMEOUT_MS,
  );
});
