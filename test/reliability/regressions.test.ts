/**
 * Regression tests of the bugs the reliability suites found (issue 6), one per bug, named after it.
 */
import * as http from "node:http";
import { ErrorCodes, TailerClient } from "../../provider/client";
import { redact } from "../../provider/core/redact";
import * as configurationStatus from "../../provider/resources/configurationStatusProvider";
import * as jobRun from "../../provider/resources/jobRunProvider";
import * as workflowReset from "../../provider/resources/workflowResetProvider";
import { closeAll as closeHarnesses, startEmulator as startHarness } from "../emulator/helpers/harness";
import { FAST_RETRY, startEmulator } from "../helpers/emulator";
import { memoryMiB, rawExchange } from "./helpers";

const tableToTable = {
  account: "000099",
  environment: "PROD",
  configurationType: "table-to-table",
  configurationId: "000099_sales_load_PROD",
};

describe("check reasons", () => {
  test("bug: the missing-suffix reason named the wire field configuration_id instead of the input configurationId", async () => {
    for (const provider of [configurationStatus, jobRun]) {
      for (const configurationId of ["000099_sales_load", "000099_sales_load_DEV"]) {
        const { failures } = await provider.check({}, { ...tableToTable, configurationId });
        expect(failures).toEqual([
          { property: "configurationId", reason: expect.stringMatching(/^configurationId "000099_sales_load(_DEV)?" /) },
        ]);
        expect(failures?.[0]?.reason).not.toContain("configuration_id");
        expect(failures?.[0]?.reason).toContain('"000099_sales_load_PROD"');
      }
    }
  });
});

describe("check reasons quote the value", () => {
  test("bug: NaN and Infinity were quoted as (got null)", async () => {
    const base = { ...tableToTable, configurationType: "table-to-storage", configurationId: "x" };
    for (const [value, shown] of [
      [Number.NaN, "NaN"],
      [Number.POSITIVE_INFINITY, "Infinity"],
      [Number.NEGATIVE_INFINITY, "-Infinity"],
    ] as const) {
      for (const field of ["timeoutSeconds", "pollIntervalSeconds", "executionDate"]) {
        const { failures } = await jobRun.check({}, { ...base, [field]: value });
        expect(failures).toEqual([{ property: field, reason: expect.stringContaining(`(got ${shown})`) }]);
      }
    }
    expect((await jobRun.check({}, { ...base, timeoutSeconds: null })).failures).toBeUndefined(); // null is unset
  });
});

describe("check suggestions are valid", () => {
  test("bug: an id with spaces got a second reason suggesting the suffixed id, which has spaces too", async () => {
    for (const configurationId of ["sales load", " ", "a\tb_DEV"]) {
      const { failures } = await configurationStatus.check({}, { ...tableToTable, configurationId });
      expect(failures).toEqual([
        { property: "configurationId", reason: expect.stringMatching(/^configurationId must (not contain spaces|be a non-empty string)/) },
      ]);
    }
  });
});

describe("check suggestions are valid: accounts", () => {
  test('bug: a number that no padding makes an account got the hint write "0000-1" (or 000NaN, 1000000, 0099.5)', async () => {
    for (const account of [-1, Number.NaN, 1_000_000, 99.5, 1e21]) {
      const { failures } = await configurationStatus.check({}, { ...tableToTable, account });
      expect(failures).toEqual([
        {
          property: "account",
          reason: `account must be a string of 6 digits, e.g. "000099" (got ${Number.isNaN(account) ? "NaN" : JSON.stringify(account)}).`,
        },
      ]);
    }
    expect((await configurationStatus.check({}, { ...tableToTable, account: 99 })).failures?.[0]?.reason).toContain('write "000099"');
  });
});

describe("check suggestions are valid: dates", () => {
  test('bug: a slashed impossible date got the hint use dashes: "2021-02-29", an impossible date too', async () => {
    const base = { ...tableToTable, configurationType: "table-to-storage", configurationId: "x" };
    for (const executionDate of ["2021/02/29", "2020/13/01"]) {
      expect((await jobRun.check({}, { ...base, executionDate })).failures).toEqual([
        { property: "executionDate", reason: `executionDate "${executionDate}" is not a real calendar date.` },
      ]);
    }
    expect((await jobRun.check({}, { ...base, executionDate: "2020/11/19" })).failures?.[0]?.reason).toBe(
      'executionDate must use dashes: "2020-11-19".',
    );
  });
});

describe("normalisation is idempotent", () => {
  test('bug: TailerWorkflowReset refused its own checked inputs (the configurationType "workflow" check adds)', async () => {
    const inputs = { account: "000099", environment: "DEV", configurationId: "000099-iowa-liquor-load-pda", triggers: { jobs: 1 } };
    const once = await workflowReset.check({}, inputs);
    expect(once.inputs).toMatchObject({ configurationType: "workflow" });
    const twice = await workflowReset.check({}, once.inputs as Record<string, unknown>);
    expect(twice.failures).toBeUndefined();
    expect(twice.inputs).toEqual(once.inputs);
    // Another type is still refused.
    expect((await workflowReset.check({}, { ...inputs, configurationType: "table-to-table" })).failures).toEqual([
      expect.objectContaining({ property: "configurationType" }),
    ]);
  });
});

describe("redaction", () => {
  test("bug: a JWT whose header or claims start with a key below '@' (a digit, '$', an empty key) encodes as eyI... and was not redacted", () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    for (const claims of [
      { "": 1, sub: "x" },
      { "1": "a", sub: "x" },
      { $id: "a", sub: "x" },
    ]) {
      const token = `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;
      expect(token.split(".")[1]?.startsWith("eyI")).toBe(true);
      expect(redact(`failed with ${token} (401)`)).toBe("failed with [REDACTED] (401)");
    }
  });
});

describe("redaction of secrets back to back", () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const jwt = (sub: string) => `${b64({ alg: "RS256" })}.${b64({ sub })}.c2lnbmF0dXJl`;
  const pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";

  test.each([
    ["a Bearer credential right after another", "Bearer AAAAAAAAAAAAAAAABearer BBBBBBBBBBBBBBBB", ["AAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBB"]],
    [
      "a Bearer credential right after a JWT",
      `${jwt("first-subject")}Bearer BBBBBBBBBBBBBBBB`,
      ["BBBBBBBBBBBBBBBB", b64({ sub: "first-subject" })],
    ],
    [
      "a JWT right after a JWT",
      `${jwt("first-subject")}${jwt("second-subject")}`,
      [b64({ sub: "first-subject" }), b64({ sub: "second-subject" })],
    ],
    ["a PEM block right after a JWT", `${jwt("first-subject")}${pem}`, ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"]],
    [
      "a PEM block right after a Bearer credential",
      `Bearer AAAAAAAAAAAAAAAA${pem}`,
      ["AAAAAAAAAAAAAAAA", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"],
    ],
  ])("bug: %s was partly left (the first match swallowed the start of the next secret)", (_name, text, secrets) => {
    const out = redact(text);
    for (const s of secrets) expect(out).not.toContain(s);
  });
});

describe("redaction of a PEM block cut short", () => {
  test("bug: a PEM private key without its END line (a log line quoting the start of a key file) was left", () => {
    const body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
    for (const text of [
      `-----BEGIN PRIVATE KEY-----\n${body}\nAAAA`,
      JSON.stringify(`-----BEGIN RSA PRIVATE KEY-----\r\n${body}`).slice(1, -1),
    ]) {
      const out = redact(`cannot parse: ${text}... (truncated)`);
      expect(out).not.toContain(body);
      expect(out).toMatch(/^cannot parse: \[REDACTED\]\.\.\. \(truncated\)$/);
    }
  });
});

describe("redaction of a private_key field", () => {
  const value = "not-a-pem-but-secret-0123456789abcdef";
  const keyFile = JSON.stringify({ type: "service_account", private_key: value, client_email: "x@y.iam.gserviceaccount.com" });

  test('bug: a key file\'s private_key inside a JSON string (\\"private_key\\": \\"...) was left', () => {
    const out = redact(`config: ${JSON.stringify({ "tailer:credentials": keyFile })}`);
    expect(out).not.toContain(value);
    expect(out).toMatch(/^config: \{"tailer:credentials":"\{\\"type\\":\\"service_account\\",\\"private_key\\":\\"\[REDACTED\]/);
  });

  test("bug: a private_key value cut short (no closing quote) was left", () => {
    expect(redact(`parse error near: "private_key": "${value}`)).toBe('parse error near: "private_key": "[REDACTED]');
    expect(redact(`{"private_key": "${value}", "b": 1}`)).toBe('{"private_key": "[REDACTED]", "b": 1}');
  });
});

describe("redaction of a PEM block cut short, then another secret", () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  test.each([
    ["a JWT", `${b64({ alg: "RS256" })}.${b64({ sub: "the-subject" })}.c2ln`, b64({ sub: "the-subject" })],
    ["a Bearer credential", "Bearer abc.def.ghijklmnopqrstuvwxyz", "ghijklmnopqrstuvwxyz"],
  ])("bug: a PEM cut short ate the start of %s right after it, leaving the rest", (_name, next, secret) => {
    const out = redact(`-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\nAAAA${next} and more words`);
    expect(out).not.toContain(secret);
    expect(out).not.toContain("MIIEvQIBADANBgkqhkiG9w0B");
    expect(out).toContain(" and more words"); // the cut-short block stops at a space
  });

  test("bug: a private_key value cut short ate the start of a private_key field right after it, leaving its value", () => {
    const out = redact('"private_key":"first-secret-value\\"private_key":"second-secret-value"');
    expect(out).not.toContain("first-secret-value");
    expect(out).not.toContain("second-secret-value");
  });
});

describe("client tokens", () => {
  test("bug: a token holding an invisible character (a pasted U+200B) or a line break failed as TAILER_NETWORK after 5 attempts", async () => {
    const env = await startEmulator();
    try {
      const good = env.emulator.mintToken();
      for (const [token, shown] of [
        [`\u200b${good}`, "U+200B at position 0"],
        [`${good}\r\nx-injected: 1`, `U+000D at position ${good.length}`],
        [`${good.slice(0, 9)} ${good.slice(9)}`, "U+0020 at position 9"],
      ] as const) {
        const error = await lastStatusErrorWith(env.url, token);
        expect(error).toMatchObject({
          code: ErrorCodes.CREDENTIALS,
          message: expect.stringContaining(`the token from tailer:token cannot be sent: it holds the character ${shown}`),
        });
        expect(JSON.stringify(error) + String((error as Error).message)).not.toContain(good.slice(20, 60));
      }
      expect(await env.admin.requests()).toEqual([]); // nothing was sent
    } finally {
      await env.close();
    }
  });
});

/** What get_last_status of the docs' workflow fails with when the client sends `token` as tailer:token. */
async function lastStatusErrorWith(apiUrl: string, token: string): Promise<unknown> {
  const client = new TailerClient({
    apiUrl,
    tokenSource: { kind: "token", description: "tailer:token", getToken: async () => token, invalidate() {} },
    retry: FAST_RETRY,
    env: {},
  });
  try {
    const identity = {
      account: "000099",
      environment: "DEV",
      configuration_type: "workflow",
      configuration_id: "000099-iowa-liquor-load-pda",
    } as const;
    return await client.getLastStatus(identity).then(
      () => undefined,
      (e: unknown) => e,
    );
  } finally {
    await client.close();
  }
}

describe("client errors", () => {
  test("bug: a token too large for the headers (HTTP 431, no body) was told to fix the request field named in Tailer's message", async () => {
    const env = await startEmulator();
    try {
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
      const token = `${b64({ alg: "RS256" })}.${b64({ pad: "y".repeat(20_000) })}.c2ln`;
      const error = await lastStatusErrorWith(env.url, token);
      expect(error).toMatchObject({
        code: ErrorCodes.BAD_REQUEST,
        status: 431,
        hint: expect.stringMatching(/bearer token is the only large header/),
      });
      expect((error as Error).message).not.toMatch(/field named in Tailer's message/);
    } finally {
      await env.close();
    }
  });
});

describe("emulator transport", () => {
  test("bug: a request line claiming HTTP/2.0 on the HTTP/1 port, under a reset or drop_response fault, got a 500 (internal error)", async () => {
    const h = await startHarness();
    try {
      const body = JSON.stringify({
        action: "get_last_status",
        account: "000099",
        environment: "DEV",
        configuration_type: "table-to-table",
        configuration_id: "000099_iowa_liquor_prepare_pda_DEV",
      });
      const request = `POST /v1/dag/status HTTP/2.0\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ${h.token}\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
      for (const kind of ["reset", "drop_response"] as const) {
        await h.admin.addFault({ kind });
        const answer = await rawExchange(h.url, [request]);
        await h.admin.clearFaults();
        expect(answer.text).toBe(""); // the connection is reset, as for HTTP/1.1
      }
      expect(h.emulator.internalErrorCount).toBe(0);
      expect((await rawExchange(h.url, [request])).status).toBe(200);
    } finally {
      await closeHarnesses();
    }
  });
});

describe("emulator memory", () => {
  test("bug: the request log kept each request's whole path and body fields (15 KB URLs, 60 KB ids: up to 600 MB for a full log)", async () => {
    const h = await startHarness();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const url = new URL(h.url);
      const send = (path: string) =>
        new Promise<number>((resolve, reject) => {
          const r = http.request(
            {
              host: url.hostname,
              port: url.port,
              path,
              method: "POST",
              agent,
              headers: { "content-type": "application/json", "content-length": 2 },
            },
            (res) => {
              res.resume();
              res.on("end", () => resolve(res.statusCode ?? 0));
            },
          );
          r.on("error", reject);
          r.end("{}");
        });
      await send(`/v1/${"w".repeat(15_000)}`); // warm-up
      const before = memoryMiB();
      for (let i = 0; i < 1000; i++) expect(await send(`/v1/${i}${"x".repeat(15_000)}`)).toBe(404);
      const grown = memoryMiB().heap - before.heap;
      expect(grown).toBeLessThan(8); // 1,000 whole paths would hold 15 MB
      const entry = h.emulator.internals.requestLog.list().at(-1);
      expect(entry?.path).toBe(`/v1/999${"x".repeat(193)}`);
      expect(entry?.status).toBe(404);
      // The body's fields: a 60 KB configuration_id (refused: no token) is logged as 200 characters.
      const post = (body: string) =>
        new Promise<number>((resolve, reject) => {
          const r = http.request(
            {
              host: url.hostname,
              port: url.port,
              path: "/v1/dag/status",
              method: "POST",
              agent,
              headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
            },
            (res) => {
              res.resume();
              res.on("end", () => resolve(res.statusCode ?? 0));
            },
          );
          r.on("error", reject);
          r.end(body);
        });
      const base = memoryMiB();
      for (let i = 0; i < 300; i++)
        expect(await post(JSON.stringify({ action: "get_last_status", configuration_id: `${i}${"y".repeat(60_000)}` }))).toBe(401);
      expect(memoryMiB().heap - base.heap).toBeLessThan(8); // 300 whole ids would hold 18 MB
      expect(h.emulator.internals.requestLog.list().at(-1)?.configuration_id).toHaveLength(200);
    } finally {
      agent.destroy();
      await closeHarnesses();
    }
  }, 60_000);
});
