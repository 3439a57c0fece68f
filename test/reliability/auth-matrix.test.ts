/**
 * The authentication matrix (issue 6): every kind of bad token, sent raw to the emulator (status and
 * the gateway's exact answer) and through TailerClient (the TailerError code, status and Tailer's
 * message), and the client's error never holds the token, in any form it can be printed.
 *
 * Extends test/emulator/auth.test.ts (which checks each refusal once, raw) with the client's side, the
 * request log, and the tokens that never reach verification (huge, header injection).
 */
import { createPublicKey } from "node:crypto";
import { inspect } from "node:util";
import type { TokenSource } from "../../provider/auth";
import { ErrorCodes, isTailerError, TailerClient, type TailerError } from "../../provider/client";
import { GATEWAY_REFUSALS, type GatewayRefusalCode } from "../../provider/client/gateway";
import { httpRequest } from "../emulator/helpers/harness";
import { claims, rsaKeyPair, signHs256, signRs256, unsigned } from "../emulator/helpers/jwt";
import { FAST_RETRY, type RunningEmulator, startEmulator } from "../helpers/emulator";
import { makeServiceAccountKey } from "../helpers/keys";
import { report } from "./helpers";

const QUERY = {
  account: "000099",
  environment: "DEV" as const,
  configuration_type: "table-to-table" as const,
  configuration_id: "000099_iowa_liquor_prepare_pda_DEV",
};
const BODY = { action: "get_last_status", ...QUERY };

const trusted = makeServiceAccountKey("trusted-deployer");
const untrusted = makeServiceAccountKey("stranger");
const stranger = rsaKeyPair();
const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

let env: RunningEmulator;
beforeAll(async () => {
  env = await startEmulator({
    // As ESPv2 trusts a service account: its key, for tokens its account issues, RS256 only.
    trustedKeys: [
      {
        kid: trusted.key.private_key_id,
        publicKeyPem: trusted.publicKeyPem,
        source: "test",
        issuer: trusted.key.client_email,
        alg: "RS256",
      },
    ],
  });
});
afterAll(async () => {
  report("auth matrix", {
    cases: figures.cases,
    rawRequests: figures.raw,
    clientCalls: figures.client,
    internalErrors: env?.emulator.internalErrorCount,
  });
  await env?.close();
});
const figures = { cases: 0, raw: 0, client: 0 };

const now = () => Math.floor(Date.now() / 1000);
const asTrusted = (extra: Record<string, unknown> = {}) => claims(env.url, { iss: trusted.key.client_email, ...extra });
const byTrusted = (extra: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  signRs256({ kid: trusted.key.private_key_id, ...header }, asTrusted(extra), trusted.key.private_key);

/** The gateway's refusal, from the shared table: status, body, request-log code, client code. */
const gateway = (code: GatewayRefusalCode) => {
  const { status, message } = GATEWAY_REFUSALS[code];
  return {
    status,
    body: { code: status, message },
    errorCode: code,
    code: status === 403 ? ErrorCodes.FORBIDDEN : ErrorCodes.UNAUTHENTICATED,
  };
};

interface Case {
  name: string;
  token: () => string;
  /** The emulator's answer. */
  status: number;
  body: Record<string, unknown>;
  /** The request log's error code. */
  errorCode: string;
  /** The client's error code. */
  code: string;
}

const OTHER_ACCOUNT = {
  status: 403,
  body: { code: 403, data: {}, message: "this token is not allowed to use account 000099" },
  errorCode: "account_forbidden",
  code: ErrorCodes.FORBIDDEN,
};

const CASES: Case[] = [
  { name: "no token (empty bearer)", token: () => "", ...gateway("jwt_missing") },
  {
    name: "bad signature (trusted kid, another key signed it)",
    token: () => signRs256({ kid: trusted.key.private_key_id }, asTrusted(), stranger.privateKeyPem),
    ...gateway("jwt_verification_fails"),
  },
  {
    name: "payload altered after signing",
    token: () => {
      const [h, , s] = byTrusted({ accounts: ["000110"] }).split(".");
      return `${h}.${b64(asTrusted({ accounts: ["000099"] }))}.${s}`;
    },
    ...gateway("jwt_verification_fails"),
  },
  { name: "expired", token: () => byTrusted({ iat: now() - 7200, exp: now() - 3600 }), ...gateway("jwt_expired") },
  { name: "expired past the 60 s skew", token: () => byTrusted({ exp: now() - 90 }), ...gateway("jwt_expired") },
  { name: "expired (dev account)", token: () => env.emulator.mintToken({ issuedAt: now() - 7200 }), ...gateway("jwt_expired") },
  { name: "not yet valid (nbf in the future)", token: () => byTrusted({ nbf: now() + 3600 }), ...gateway("jwt_not_yet_valid") },
  { name: "wrong audience", token: () => byTrusted({ aud: "https://example.com" }), ...gateway("jwt_audience") },
  {
    name: "audience of another emulator port",
    token: () => byTrusted({ aud: env.url.replace(/:\d+$/, ":1") }),
    ...gateway("jwt_audience"),
  },
  { name: "no audience", token: () => byTrusted({ aud: undefined }), ...gateway("jwt_audience") },
  { name: "other account (accounts claim)", token: () => byTrusted({ accounts: ["000110"] }), ...OTHER_ACCOUNT },
  { name: "other account (malformed accounts claim restricts to none)", token: () => byTrusted({ accounts: "000099" }), ...OTHER_ACCOUNT },
  {
    name: "alg none",
    token: () => unsigned({ kid: trusted.key.private_key_id }, asTrusted()),
    ...gateway("jwt_bad_format"), // "<header>.<payload>." has two non-empty parts
  },
  {
    name: "alg none with a signature kept",
    token: () => `${b64({ alg: "none", kid: trusted.key.private_key_id })}.${byTrusted().split(".")[1]}.${byTrusted().split(".")[2]}`,
    ...gateway("jwt_header_alg_not_supported"),
  },
  {
    name: "HS256 signed with the trusted public key (key confusion)",
    token: () => signHs256({ kid: trusted.key.private_key_id }, asTrusted(), trusted.publicKeyPem),
    ...gateway("jwks_kid_alg_mismatch"),
  },
  {
    name: "HS256 signed with the public key as DER (key confusion)",
    token: () =>
      signHs256(
        { kid: trusted.key.private_key_id },
        asTrusted(),
        createPublicKey(trusted.publicKeyPem).export({ type: "spki", format: "der" }).toString("latin1"),
      ),
    ...gateway("jwks_kid_alg_mismatch"),
  },
  { name: "RS512 (another algorithm)", token: () => byTrusted({}, { alg: "RS512" }), ...gateway("jwks_kid_alg_mismatch") },
  {
    name: "unknown kid (another key, claiming the trusted account)",
    token: () => signRs256({ kid: "no-such-kid" }, asTrusted(), stranger.privateKeyPem),
    ...gateway("jwks_kid_alg_mismatch"),
  },
  { name: "trusted key but an unknown kid", token: () => byTrusted({}, { kid: "no-such-kid" }), ...gateway("jwks_kid_alg_mismatch") },
  {
    name: "trusted key, another account's iss",
    token: () => byTrusted({ iss: untrusted.key.client_email }),
    ...gateway("jwt_unknown_issuer"),
  },
  { name: "trusted key, no iss", token: () => byTrusted({ iss: undefined }), ...gateway("jwt_unknown_issuer") },
  { name: "kid not a string", token: () => byTrusted({}, { kid: 42 }), ...gateway("jwt_header_bad_kid") },
  {
    name: "a key that is not trusted (a real service-account token)",
    token: () =>
      signRs256({ kid: untrusted.key.private_key_id }, claims(env.url, { iss: untrusted.key.client_email }), untrusted.key.private_key),
    ...gateway("jwt_unknown_issuer"),
  },
  { name: "malformed: one part", token: () => "abcdefghijklmnop", ...gateway("jwt_bad_format") },
  { name: "malformed: two parts", token: () => byTrusted().split(".").slice(0, 2).join("."), ...gateway("jwt_bad_format") },
  { name: "malformed: four parts", token: () => `${byTrusted()}.${b64("x")}`, ...gateway("jwt_bad_format") },
  { name: "malformed: not base64", token: () => "a!!!.????.****", ...gateway("jwt_header_bad_base64") },
  // Envoy's extraction starts the token at the first character that can start one: here the first dot.
  { name: "malformed: no token character before the first dot", token: () => "!!!!.????.****", ...gateway("jwt_bad_format") },
  {
    name: "malformed: base64 of no JSON",
    token: () => `${b64("not json")}.${b64("at all")}.${b64("sig")}`,
    ...gateway("jwt_header_bad_json"),
  },
  { name: "malformed: JSON arrays", token: () => `${b64([1])}.${b64([2])}.${b64("sig")}`, ...gateway("jwt_header_bad_json") },
  { name: "malformed: empty parts", token: () => "..", ...gateway("jwt_bad_format") },
  { name: "malformed: exp not a number", token: () => byTrusted({ exp: "tomorrow" }), ...gateway("jwt_payload_exp_not_integer") },
  { name: "malformed: iat negative", token: () => byTrusted({ iat: -1 }), ...gateway("jwt_payload_iat_out_of_range") },
  { name: "malformed: aud a number", token: () => byTrusted({ aud: 42 }), ...gateway("jwt_payload_aud_not_string") },
  {
    name: "huge (12 KB of claims, garbage signature)",
    token: () => `${b64({ alg: "RS256", kid: trusted.key.private_key_id })}.${b64(asTrusted({ pad: "x".repeat(9000) }))}.${b64("sig")}`,
    ...gateway("jwt_verification_fails"),
  },
  {
    name: "huge (12 KB of claims, validly signed by a trusted key, other account)",
    token: () => byTrusted({ pad: "x".repeat(9000), accounts: ["000110"] }),
    ...OTHER_ACCOUNT,
  },
];

/** A token source that hands the token over as it is (no client-side expiry check, no re-mint). */
const fixed = (token: string): TokenSource => ({
  kind: "token",
  description: "a test token",
  getToken: async () => token,
  invalidate() {},
});

/** Every way the error can be printed or serialized. */
function printed(error: TailerError): string[] {
  return [
    error.message,
    String(error),
    String(error.stack),
    JSON.stringify(error),
    inspect(error, { depth: 6 }),
    String(error.serverMessage),
    String(error.hint),
  ];
}

/** The token, or any 16-character piece of it, in `text`. */
function leaks(text: string, token: string): string | undefined {
  if (token.length < 16) return token.length >= 8 && text.includes(token) ? token : undefined;
  for (let i = 0; i + 16 <= token.length; i += 8) {
    const piece = token.slice(i, i + 16);
    if (text.includes(piece)) return piece;
  }
  return undefined;
}

async function clientError(client: TailerClient): Promise<TailerError> {
  const error: unknown = await client.getLastStatus(QUERY).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isTailerError(error)) throw new Error(`expected a TailerError, got ${inspect(error)}`);
  return error;
}

describe.each(CASES)("a token: $name", (c) => {
  test(`emulator: ${c.status} with the gateway's (or API's) answer; logged as ${c.errorCode}, without the token`, async () => {
    figures.cases++;
    figures.raw++;
    const token = c.token();
    await env.admin.clearRequests();
    const r = await httpRequest(`${env.url}/v1/dag/status`, BODY, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(c.status);
    expect(r.body).toEqual(c.body);
    expect(r.headers["content-type"]).toBe("application/json");
    const challenge = `Bearer realm="${env.url}/v1/dag/status"${c.errorCode === "jwt_missing" ? "" : ', error="invalid_token"'}`;
    expect(r.headers["www-authenticate"]).toBe(c.errorCode === "account_forbidden" ? undefined : challenge);
    if (token.length >= 8) expect(r.text).not.toContain(token);
    const log = await env.admin.requests();
    expect(log.map((e) => [e.status, e.error_code, e.auth_ok])).toEqual([[c.status, c.errorCode, c.errorCode === "account_forbidden"]]);
    if (token.length >= 8) expect(JSON.stringify(log)).not.toContain(token);
  });

  test(`client: ${c.code}, with the status and Tailer's message, never the token`, async () => {
    figures.client++;
    const token = c.token();
    const client = new TailerClient({ apiUrl: env.url, tokenSource: fixed(token), retry: FAST_RETRY, env: {} });
    try {
      const error = await clientError(client);
      expect(error.code).toBe(c.code);
      expect(error.status).toBe(c.status);
      expect(error.serverMessage).toBe(c.body.message);
      if (c.errorCode === "jwt_audience") expect(error.message).toMatch(/minted for another API URL/);
      expect(error.action).toBe("get_last_status");
      expect(error.requestId).toMatch(/^[0-9a-f]{8}-\d+$/);
      expect(error.attempts).toBe(1); // 401 and 403 are final: a fixed token is not retried
      for (const text of printed(error)) expect(leaks(text, token)).toBeUndefined();
    } finally {
      await client.close();
    }
  });
});

describe("tokens the gateway accepts (the emulator used to refuse them)", () => {
  test.each([
    ["iat in the future (only nbf and exp are checked)", () => byTrusted({ iat: now() + 3600, exp: now() + 7200 })],
    ["no iat", () => byTrusted({ iat: undefined })],
    ["no exp", () => byTrusted({ exp: undefined })],
    ["valid for three days (no lifetime limit)", () => byTrusted({ exp: now() + 3 * 86400 })],
    ["expired 30 s ago (within the 60 s skew)", () => byTrusted({ exp: now() - 30 })],
    [
      "https:// for the emulator's http:// URL (the audience's scheme is ignored)",
      () => byTrusted({ aud: env.url.replace("http:", "https:") }),
    ],
  ])("%s: 200, and the client reads the runs", async (_name, token) => {
    figures.cases++;
    figures.raw++;
    const r = await httpRequest(`${env.url}/v1/dag/status`, BODY, { headers: { authorization: `Bearer ${token()}` } });
    expect(r.status).toBe(200);
    const client = new TailerClient({ apiUrl: env.url, tokenSource: fixed(token()), retry: FAST_RETRY, env: {} });
    try {
      expect((await client.getLastStatus(QUERY)).length).toBeGreaterThan(0);
      figures.client++;
    } finally {
      await client.close();
    }
  });

  test("a token in ?access_token= is read, and neither the request log nor a refusal holds it", async () => {
    figures.cases++;
    figures.raw += 2;
    await env.admin.clearRequests();
    const good = byTrusted();
    expect((await httpRequest(`${env.url}/v1/dag/status?access_token=${good}`, BODY)).status).toBe(200);
    const expired = byTrusted({ exp: now() - 3600 });
    const r = await httpRequest(`${env.url}/v1/dag/status?access_token=${expired}`, BODY);
    expect([r.status, r.body]).toEqual([401, gateway("jwt_expired").body]);
    const seen = r.text + JSON.stringify(r.headers) + JSON.stringify(await env.admin.requests());
    for (const token of [good, expired]) expect(leaks(seen, token)).toBeUndefined();
  });
});

describe("tokens that never reach verification", () => {
  test("a token too big for the HTTP headers: 431 from the HTTP layer; the client's TAILER_BAD_REQUEST points at the token, holds no piece of it", async () => {
    figures.cases++;
    figures.raw++;
    const token = `${b64({ alg: "RS256" })}.${b64({ pad: "y".repeat(20_000) })}.${b64("sig")}`;
    const r = await httpRequest(`${env.url}/v1/dag/status`, BODY, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(431); // node's HTTP parser, as a gateway's would: the request never reaches the API
    const client = new TailerClient({ apiUrl: env.url, tokenSource: fixed(token), retry: FAST_RETRY, env: {} });
    try {
      const error = await clientError(client);
      figures.client++;
      expect(error).toMatchObject({ code: ErrorCodes.BAD_REQUEST, status: 431, attempts: 1, hint: expect.stringMatching(/bearer token/) });
      for (const text of printed(error)) expect(leaks(text, token)).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  test.each([
    ["a line break (header injection)", (t: string) => `${t}\r\nx-injected: yes`],
    ["an invisible character pasted with it", (t: string) => `\u200b${t}`],
    ["a space", (t: string) => `${t.slice(0, 10)} ${t.slice(10)}`],
    ["a non-ASCII letter", (t: string) => `${t.slice(0, 10)}é${t.slice(10)}`],
  ])("a token with %s is never sent: TAILER_CREDENTIALS at once, no piece of it", async (_name, spoil) => {
    figures.cases++;
    const token = spoil(byTrusted());
    await env.admin.clearRequests();
    const client = new TailerClient({ apiUrl: env.url, tokenSource: fixed(token), retry: FAST_RETRY, env: {} });
    try {
      const error = await clientError(client);
      figures.client++;
      expect(error).toMatchObject({
        code: ErrorCodes.CREDENTIALS,
        status: undefined,
        message: expect.stringMatching(/cannot be sent: it holds the character U\+[0-9A-F]{4}/),
      });
      for (const text of printed(error)) expect(leaks(text, token)).toBeUndefined();
    } finally {
      await client.close();
    }
    expect(await env.admin.requests()).toEqual([]);
  });

  test("another scheme than Bearer, Bearer without a token, or a lower-case bearer, is Jwt is missing", async () => {
    for (const authorization of [
      "Basic dXNlcjpwYXNz",
      "Bearer",
      "Bearer ",
      "Token abc.def.ghi",
      `bearer${byTrusted()}`,
      `bearer ${byTrusted()}`,
    ]) {
      figures.raw++;
      const r = await httpRequest(`${env.url}/v1/dag/status`, BODY, { headers: { authorization } });
      expect([r.status, r.body]).toEqual([401, gateway("jwt_missing").body]);
      expect(r.headers["www-authenticate"]).toBe(`Bearer realm="${env.url}/v1/dag/status"`);
    }
  });
});

describe("through the client's own token sources", () => {
  test("an expired fixed token (tailer:token) fails before any call: TAILER_CREDENTIALS, the token nowhere", async () => {
    const token = byTrusted({ iat: now() - 7200, exp: now() - 3600 });
    await env.admin.clearRequests();
    const client = new TailerClient({ apiUrl: env.url, auth: { token }, retry: FAST_RETRY, env: {} });
    try {
      const error = await clientError(client);
      figures.client++;
      expect(error.code).toBe(ErrorCodes.CREDENTIALS);
      expect(error.message).toMatch(/expired at/);
      for (const text of printed(error)) expect(leaks(text, token)).toBeUndefined();
    } finally {
      await client.close();
    }
    expect(await env.admin.requests()).toEqual([]);
  });

  test("no credentials at all: TAILER_CREDENTIALS before any call", async () => {
    await env.admin.clearRequests();
    const client = new TailerClient({ apiUrl: env.url, retry: FAST_RETRY, env: {} });
    try {
      expect((await clientError(client)).code).toBe(ErrorCodes.CREDENTIALS);
      figures.client++;
    } finally {
      await client.close();
    }
    expect(await env.admin.requests()).toEqual([]);
  });

  test("a service-account key the API does not trust: one fresh token is tried, then TAILER_UNAUTHENTICATED (issuer not configured), no piece of the key", async () => {
    await env.admin.clearRequests();
    const client = new TailerClient({ apiUrl: env.url, auth: { credentials: JSON.stringify(untrusted.key) }, retry: FAST_RETRY, env: {} });
    try {
      const error = await clientError(client);
      figures.client++;
      expect(error.code).toBe(ErrorCodes.UNAUTHENTICATED);
      expect(error.serverMessage).toBe(GATEWAY_REFUSALS.jwt_unknown_issuer.message);
      const body = untrusted.key.private_key.split("\n").slice(1, -2).join("");
      for (const text of printed(error)) expect(leaks(text, body)).toBeUndefined();
    } finally {
      await client.close();
    }
    const log = await env.admin.requests();
    expect(log.map((e) => [e.status, e.error_code])).toEqual([
      [401, "jwt_unknown_issuer"],
      [401, "jwt_unknown_issuer"],
    ]);
  });

  test("a trusted service-account key works (the matrix's control case)", async () => {
    const client = new TailerClient({ apiUrl: env.url, auth: { credentials: JSON.stringify(trusted.key) }, retry: FAST_RETRY, env: {} });
    try {
      expect((await client.getLastStatus(QUERY)).length).toBeGreaterThan(0);
      figures.client++;
    } finally {
      await client.close();
    }
    expect(env.emulator.internalErrorCount).toBe(0);
  });
});
