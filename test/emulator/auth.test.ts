/**
 * Authentication, as the gateway in front of the real API (ESPv2, Envoy's jwt_authn) does it: where it
 * reads tokens, the form and claim types it requires, the issuer each trusted key stands for, the
 * times with a 60 s skew, the audience (403), the key and the signature, in that order; its words
 * (the shared table, provider/client/gateway.ts), its `WWW-Authenticate` challenge, and the accounts a
 * token may touch. Nothing of the token is echoed; the emulator's log says which key to trust.
 */

import { createPublicKey } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import * as http2 from "node:http2";
import * as path from "node:path";
import { JWTAccess } from "google-auth-library";
import { generateServiceAccountKey, mintServiceAccountToken } from "../../emulator/dev-account";
import type { LogFields, Logger } from "../../emulator/logger";
import { GATEWAY_REFUSALS, type GatewayRefusalCode } from "../../provider/client/gateway";
import { PRODUCTION_API_URL } from "../../provider/client/schemas";
import { closeAll, type Harness, type HttpResult, PREPARE_PDA, startEmulator, tempDir } from "./helpers/harness";
import {
  claims,
  otherKeyPair,
  rsaKeyPair,
  selfSignedCertificate,
  signAs,
  signHs256,
  signRs256,
  unsigned,
  writeServiceAccountKey,
} from "./helpers/jwt";

const dir = tempDir("emu-auth-");
const trustedSa = writeServiceAccountKey(dir, "trusted.json");
const strangerSa = writeServiceAccountKey(dir, "stranger.json");
const cert = selfSignedCertificate(dir);
const certJson = path.join(dir, "x509.json");
writeFileSync(certJson, JSON.stringify({ "cert-kid": cert.cert }));
const bare = rsaKeyPair();
const barePem = path.join(dir, "bare.pem");
writeFileSync(barePem, bare.publicKeyPem);
const jwk = rsaKeyPair();
const ec = otherKeyPair("ec", "ec-kid");
const ed = otherKeyPair("ed25519", "ed-kid");
const jwksFile = path.join(dir, "jwks.json");
writeFileSync(
  jwksFile,
  JSON.stringify({
    keys: [{ ...createPublicKey(jwk.publicKeyPem).export({ format: "jwk" }), kid: "jwk-kid", alg: "RS256" }, ec.jwk, ed.jwk],
  }),
);

/** A logger that keeps what it is told. */
function recordingLogger() {
  const lines: Array<{ message: string; fields?: LogFields }> = [];
  const keep = (message: string, fields?: LogFields) => lines.push({ message, fields });
  const logger: Logger = { info: () => undefined, warn: keep, error: keep };
  return { logger, lines };
}

// `h` trusts service accounts only (each key bound to its account's email), as ESPv2 does with one
// provider per service account; `any` also trusts keys that name no issuer (certificates, PEM, JWKS).
let h: Harness;
let any: Harness;
let log: ReturnType<typeof recordingLogger>;
beforeAll(async () => {
  log = recordingLogger();
  h = await startEmulator({ trustedKeyFiles: [trustedSa.file], publicUrl: "https://tailer.example.test/", logger: log.logger });
  any = await startEmulator({ trustedKeyFiles: [trustedSa.file, certJson, barePem, jwksFile] });
});
afterAll(closeAll);

const now = () => Math.floor(Date.now() / 1000);
const body = { action: "get_last_status", ...PREPARE_PDA };
const read = (token: string | null, headers: Record<string, string> = {}, on: Harness = h) =>
  on.post("/v1/dag/status", body, { token, headers });
/** A token of the trusted service account (iss = its email, kid = its key id), for `h`'s URL unless told. */
const bySa = (extra: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  signRs256(
    { kid: trustedSa.key.private_key_id, ...header },
    claims(h.url, { iss: trustedSa.key.client_email, sub: trustedSa.key.client_email, ...extra }),
    trustedSa.key.private_key,
  );
const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
const saHeader = b64({ alg: "RS256", kid: trustedSa.key.private_key_id });
const saPayload = (extra: Record<string, unknown> = {}) => b64(claims(h.url, { iss: trustedSa.key.client_email, ...extra }));

/** The gateway's answer for `code`: its status, its `{code, message}` body, its challenge. */
function expectRefusal(r: HttpResult, code: GatewayRefusalCode): void {
  const { status, message } = GATEWAY_REFUSALS[code];
  expect([r.status, r.body]).toEqual([status, { code: status, message }]);
  const realm = `Bearer realm="${h.url}/v1/dag/status"`;
  expect(r.headers["www-authenticate"]).toBe(code === "jwt_missing" ? realm : `${realm}, error="invalid_token"`);
}

describe("where the gateway reads the token (ESPv2's defaults)", () => {
  it("answers 401 Jwt is missing without one, with a challenge naming the URL", async () => {
    expectRefusal(await read(null), "jwt_missing");
  });

  it.each([
    ["another scheme", `Basic ${Buffer.from("a:b").toString("base64")}`],
    ["Bearer without a token", "Bearer "],
    ["a lower-case bearer (Envoy matches `Bearer ` as written)", "bearer TOKEN"],
  ])("answers Jwt is missing for %s", async (_name, authorization) => {
    expectRefusal(await read(null, { authorization: authorization.replace("TOKEN", bySa()) }), "jwt_missing");
  });

  it("regression: ?access_token= in the URL was ignored (ESPv2 reads it)", async () => {
    expect((await h.post(`/v1/dag/status?access_token=${bySa()}`, body, { token: null })).status).toBe(200);
  });

  it("reads the x-goog-iap-jwt-assertion header", async () => {
    expect((await read(null, { "x-goog-iap-jwt-assertion": bySa() })).status).toBe(200);
  });

  it("takes the token from after `Bearer `, skipping what cannot start a token", async () => {
    expect((await read(null, { authorization: `Bearer   ${bySa()}` })).status).toBe(200);
  });

  it("requires every token sent to pass (a good header and an expired query token: Jwt is expired)", async () => {
    const expired = bySa({ iat: now() - 7200, exp: now() - 3600 });
    expectRefusal(await h.post(`/v1/dag/status?access_token=${expired}`, body, { token: bySa() }), "jwt_expired");
  });

  it("lets several tokens use only the accounts they all allow (403 in the API's form otherwise)", async () => {
    const only110 = bySa({ accounts: ["000110"] });
    const r = await h.post(`/v1/dag/status?access_token=${only110}`, body, { token: bySa({ accounts: ["000099"] }) });
    expect([r.status, r.body.message]).toEqual([403, "this token is not allowed to use account 000099"]);
  });

  it("over HTTPS and HTTP/2, the challenge names https:// and the :authority the client used", async () => {
    const tls = await startEmulator({ tls: { cert: cert.cert, key: cert.key } });
    const session = http2.connect(tls.url, { ca: cert.cert });
    try {
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
        const stream = session.request({ ":method": "POST", ":path": "/v1/dag/status", "content-type": "application/json" });
        stream.on("response", resolve);
        stream.on("error", reject);
        stream.end(JSON.stringify(body));
        stream.resume();
      });
      expect([headers[":status"], headers["www-authenticate"]]).toEqual([401, `Bearer realm="${tls.url}/v1/dag/status"`]);
    } finally {
      session.close();
    }
  });

  it("leaves the query out of the challenge: a token sent there is not echoed", async () => {
    const r = await h.post(`/v1/dag/status?access_token=${bySa({ exp: now() - 3600 })}&x=1`, body, { token: null });
    expectRefusal(r, "jwt_expired");
  });
});

describe("the token's form and claim types, in Envoy's words (regression: each was answered Jwt verification fails)", () => {
  const sig = b64("signature");
  it.each<[string, () => string, GatewayRefusalCode]>([
    ["one part", () => "abcdef", "jwt_bad_format"],
    ["two parts", () => "a.b", "jwt_bad_format"],
    ["four parts", () => "a.b.c.d", "jwt_bad_format"],
    ["only dots", () => "..", "jwt_bad_format"],
    ["a header that is not base64url", () => "a*b.c.d", "jwt_header_bad_base64"],
    ["a header that is not JSON", () => `${b64("not json")}.${saPayload()}.${sig}`, "jwt_header_bad_json"],
    ["a header that is a JSON number", () => `${b64(1)}.${saPayload()}.${sig}`, "jwt_header_bad_json"],
    ["no alg", () => `${b64({ kid: "k" })}.${saPayload()}.${sig}`, "jwt_header_bad_alg"],
    ["alg not a string", () => `${b64({ alg: 256 })}.${saPayload()}.${sig}`, "jwt_header_bad_alg"],
    ["alg none", () => `${b64({ alg: "none" })}.${saPayload()}.${sig}`, "jwt_header_alg_not_supported"],
    ["an unknown alg", () => `${b64({ alg: "RS1024" })}.${saPayload()}.${sig}`, "jwt_header_alg_not_supported"],
    ["kid not a string", () => `${b64({ alg: "RS256", kid: 42 })}.${saPayload()}.${sig}`, "jwt_header_bad_kid"],
    ["a payload that is not base64url", () => `${saHeader}.a*b.${sig}`, "jwt_payload_bad_base64"],
    ["a payload that is a JSON list", () => `${saHeader}.${b64([1])}.${sig}`, "jwt_payload_bad_json"],
    ["iss not a string", () => `${saHeader}.${saPayload({ iss: 7 })}.${sig}`, "jwt_payload_iss_not_string"],
    ["sub not a string", () => `${saHeader}.${saPayload({ sub: null })}.${sig}`, "jwt_payload_sub_not_string"],
    ["iat not a number", () => `${saHeader}.${saPayload({ iat: "now" })}.${sig}`, "jwt_payload_iat_not_integer"],
    ["iat negative", () => `${saHeader}.${saPayload({ iat: -1 })}.${sig}`, "jwt_payload_iat_out_of_range"],
    ["nbf not a number", () => `${saHeader}.${saPayload({ nbf: true })}.${sig}`, "jwt_payload_nbf_not_integer"],
    ["nbf negative", () => `${saHeader}.${saPayload({ nbf: -5 })}.${sig}`, "jwt_payload_nbf_out_of_range"],
    ["exp not a number", () => `${saHeader}.${saPayload({ exp: "tomorrow" })}.${sig}`, "jwt_payload_exp_not_integer"],
    ["exp past 2^64", () => `${saHeader}.${saPayload({ exp: 2 ** 64 })}.${sig}`, "jwt_payload_exp_out_of_range"],
    ["jti not a string", () => `${saHeader}.${saPayload({ jti: 1 })}.${sig}`, "jwt_payload_jti_not_string"],
    ["aud a number", () => `${saHeader}.${saPayload({ aud: 5 })}.${sig}`, "jwt_payload_aud_not_string"],
    ["aud a list holding a number", () => `${saHeader}.${saPayload({ aud: ["x", 1] })}.${sig}`, "jwt_payload_aud_not_string"],
    ["a signature that is not base64url", () => `${saHeader}.${saPayload()}.a*b`, "jwt_signature_bad_base64"],
  ])("refuses %s", async (_name, token, code) => {
    expectRefusal(await read(token()), code);
  });
});

describe("the issuer: each trusted key stands for its account", () => {
  it("refuses a service account it does not trust: Jwt issuer is not configured, and the log says which kid and how to trust it", async () => {
    const token = signRs256(
      { kid: strangerSa.key.private_key_id },
      claims(h.url, { iss: strangerSa.key.client_email }),
      strangerSa.key.private_key,
    );
    log.lines.length = 0;
    expectRefusal(await read(token), "jwt_unknown_issuer");
    expectRefusal(await read(token), "jwt_unknown_issuer");
    expect(log.lines).toHaveLength(1); // once per issuer and kid, not per request
    const [line] = log.lines;
    expect(line?.message).toContain(JSON.stringify(strangerSa.key.private_key_id));
    expect(line?.message).toContain(strangerSa.key.client_email);
    expect(line?.message).toContain("--trust <file>");
    expect(line?.fields).toMatchObject({ kid: strangerSa.key.private_key_id, issuer: strangerSa.key.client_email });
    expect(JSON.stringify(log.lines)).not.toContain(token.split(".")[2]);
  });

  it("regression: iss was not bound to the trusted key's account (a token claiming another account is refused)", async () => {
    expectRefusal(await read(bySa({ iss: "someone-else@example.iam.gserviceaccount.com" })), "jwt_unknown_issuer");
  });

  it("refuses a token without iss when every key names its issuer", async () => {
    expectRefusal(await read(bySa({ iss: undefined })), "jwt_unknown_issuer");
  });

  it("refuses an unknown kid of a trusted issuer (a rotated key): Jwks doesn't have key to match kid or alg, and logs it", async () => {
    log.lines.length = 0;
    expectRefusal(await read(bySa({}, { kid: "rotated-kid" })), "jwks_kid_alg_mismatch");
    expect(log.lines.map((l) => l.fields?.kid)).toEqual(["rotated-kid"]);
  });

  it("regression (a token of another folder's dev key got a bare 401): refuses it, and the log says how to mint one this emulator trusts", async () => {
    const otherEmulatorsKey = generateServiceAccountKey(); // the dev key another state folder holds
    log.lines.length = 0;
    expectRefusal(await read(mintServiceAccountToken(otherEmulatorsKey, { audience: h.url })), "jwks_kid_alg_mismatch");
    expect(log.lines.map((l) => l.message)).toEqual([
      expect.stringContaining(
        "It is a dev-account token signed with another emulator's key (another state folder): mint it with `tailer-emulator token --url <this emulator's URL>`, or in the folder this emulator runs in.",
      ),
    ]);
  });

  it("does not trust the dev account when devAccount is false", async () => {
    const other = await startEmulator({ devAccount: false, trustedKeyFiles: [trustedSa.file] });
    expect(() => other.emulator.mintToken()).toThrow(/dev account is disabled/);
    const r = await other.post("/v1/dag/status", body, { token: h.emulator.mintToken({ audience: other.url }) });
    expect([r.status, r.body.message]).toEqual([401, GATEWAY_REFUSALS.jwt_unknown_issuer.message]);
  });
});

describe("token times (wall clock, 60 s of skew, nbf and exp only)", () => {
  it("an expired token gets 401 Jwt is expired", async () => {
    expectRefusal(await read(h.emulator.mintToken({ issuedAt: now() - 7200 })), "jwt_expired");
  });

  it("regression: a 5-minute skew let tokens expired for up to 5 minutes pass (the gateway allows 60 s)", async () => {
    expectRefusal(await read(bySa({ exp: now() - 90 })), "jwt_expired");
    expect((await read(bySa({ exp: now() - 30 }))).status).toBe(200);
  });

  it("a token whose nbf is more than 60 s ahead gets 401 Jwt not yet valid; within the skew it passes", async () => {
    expectRefusal(await read(bySa({ nbf: now() + 90 })), "jwt_not_yet_valid");
    expect((await read(bySa({ nbf: now() + 30 }))).status).toBe(200);
  });

  it("regression: a future iat was refused (the gateway checks only nbf and exp)", async () => {
    expect((await read(bySa({ iat: now() + 3600, exp: now() + 7200 }))).status).toBe(200);
  });

  it("regression: tokens without iat or exp, or valid for days, were refused (ESPv2 requires neither, nor a lifetime)", async () => {
    expect((await read(bySa({ iat: undefined }))).status).toBe(200);
    expect((await read(bySa({ exp: undefined }))).status).toBe(200);
    expect((await read(bySa({ exp: now() + 3 * 86400 }))).status).toBe(200);
  });
});

describe("audiences (compared as Envoy does: no http:// or https://, one trailing slash)", () => {
  const as = (audience: string | undefined) => read(bySa({ aud: audience }));

  it.each([
    ["its own URL", () => h.url],
    ["its own URL with a trailing slash", () => `${h.url}/`],
    ["the localhost form of its URL", () => h.url.replace("127.0.0.1", "localhost")],
    ["the documented production URL", () => PRODUCTION_API_URL],
    ["the --public-url, slash or not", () => "https://tailer.example.test"],
    ["regression: https instead of http was refused (Envoy ignores the scheme)", () => h.url.replace("http:", "https:")],
  ])("accepts %s", async (_name, audience) => {
    expect((await as(audience())).status).toBe(200);
  });

  it.each([
    ["another port", () => h.url.replace(/:\d+$/, ":1")],
    ["another host", () => "https://example.com"],
    ["a path under its URL", () => `${h.url}/v1/dag/status`],
    ["no aud at all", () => undefined],
  ])("regression: refused %s with 401; the gateway answers 403 Audiences in Jwt are not allowed", async (_name, audience) => {
    expectRefusal(await as(audience()), "jwt_audience");
  });
});

describe("Envoy's check order: form, issuer, times, audience, key, signature", () => {
  const stranger = rsaKeyPair();
  it.each<[string, () => string, GatewayRefusalCode]>([
    [
      "bad claim types before the issuer",
      () => `${saHeader}.${saPayload({ iss: "nobody", exp: "x" })}.${b64("s")}`,
      "jwt_payload_exp_not_integer",
    ],
    ["the issuer before the times", () => bySa({ iss: "nobody", exp: now() - 3600 }), "jwt_unknown_issuer"],
    ["the times before the audience", () => bySa({ aud: "https://example.com", exp: now() - 3600 }), "jwt_expired"],
    ["nbf before exp", () => bySa({ nbf: now() + 3600, exp: now() - 3600 }), "jwt_not_yet_valid"],
    ["the audience before the key", () => bySa({ aud: "https://example.com" }, { kid: "rotated-kid" }), "jwt_audience"],
    [
      "the audience before the signature",
      () =>
        signRs256(
          { kid: trustedSa.key.private_key_id },
          claims("https://example.com", { iss: trustedSa.key.client_email }),
          stranger.privateKeyPem,
        ),
      "jwt_audience",
    ],
  ])("checks %s", async (_name, token, code) => {
    expectRefusal(await read(token()), code);
  });
});

describe("keys and signatures", () => {
  it("a trusted kid with another key's signature: Jwt verification fails", async () => {
    const token = signRs256(
      { kid: trustedSa.key.private_key_id },
      claims(h.url, { iss: trustedSa.key.client_email }),
      rsaKeyPair().privateKeyPem,
    );
    expectRefusal(await read(token), "jwt_verification_fails");
  });

  it("a payload altered after signing: Jwt verification fails", async () => {
    const [head, , signature] = bySa({ accounts: ["000110"] }).split(".");
    expectRefusal(await read(`${head}.${saPayload({ accounts: ["000099"] })}.${signature}`), "jwt_verification_fails");
  });

  it("HS256 signed with the public key, or RS512, against a service-account key (RS256 only): no key matches kid and alg", async () => {
    const publicPem = createPublicKey(trustedSa.key.private_key).export({ type: "spki", format: "pem" }).toString();
    const hs = signHs256({ kid: trustedSa.key.private_key_id }, claims(h.url, { iss: trustedSa.key.client_email }), publicPem);
    expectRefusal(await read(hs), "jwks_kid_alg_mismatch");
    const rs512 = signAs(
      "RS512",
      { kid: trustedSa.key.private_key_id },
      claims(h.url, { iss: trustedSa.key.client_email }),
      trustedSa.key.private_key,
    );
    expectRefusal(await read(rs512), "jwks_kid_alg_mismatch");
  });

  it("alg none with the signature kept is refused before any key", async () => {
    const [, payload, signature] = bySa().split(".");
    expectRefusal(
      await read(`${b64({ alg: "none", kid: trustedSa.key.private_key_id })}.${payload}.${signature}`),
      "jwt_header_alg_not_supported",
    );
  });

  it("a key that names no alg verifies RS384, RS512 and PS256 (as Envoy does), not HS256", async () => {
    const c = claims(any.url);
    for (const alg of ["RS384", "RS512", "PS256", "PS512"]) {
      expect([alg, (await read(signAs(alg, { kid: "any" }, c, bare.privateKeyPem), {}, any)).status]).toEqual([alg, 200]);
    }
    const hs = signHs256({ kid: "any" }, c, bare.publicKeyPem);
    expect((await read(hs, {}, any)).body.message).toBe(GATEWAY_REFUSALS.jwt_verification_fails.message);
  });

  it("verifies ES256 and EdDSA with a JWKS's EC and Ed25519 keys; a short Ed25519 signature has its own words", async () => {
    expect((await read(signAs("ES256", { kid: "ec-kid" }, claims(any.url), ec.privateKey), {}, any)).status).toBe(200);
    const eddsa = signAs("EdDSA", { kid: "ed-kid" }, claims(any.url), ed.privateKey);
    expect((await read(eddsa, {}, any)).status).toBe(200);
    const short = `${eddsa.split(".").slice(0, 2).join(".")}.${b64("too short")}`;
    expect((await read(short, {}, any)).body.message).toBe(GATEWAY_REFUSALS.jwt_ed25519_signature_wrong_length.message);
  });
});

describe("the accounts claim", () => {
  it("lets a token touch only its accounts (403 otherwise, in the API's error form)", async () => {
    const r = await read(bySa({ accounts: ["000110"] }));
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ code: 403, data: {}, message: "this token is not allowed to use account 000099" });
    expect(r.headers["www-authenticate"]).toBeUndefined(); // the API's answer, not the gateway's
    expect((await read(bySa({ accounts: ["000110", "000099"] }))).status).toBe(200);
  });

  it("applies to launches too, and nothing is launched", async () => {
    const before = (await h.admin.listRuns(PREPARE_PDA)).length;
    const r = await h.post("/v1/dag/launch", { action: "launch_job", ...PREPARE_PDA }, { token: h.emulator.mintToken({ accounts: [] }) });
    expect(r.status).toBe(403);
    expect((await h.admin.listRuns(PREPARE_PDA)).length).toBe(before);
  });
});

describe("trusted keys", () => {
  it("accepts a token of a trusted service-account key file, made by google-auth-library (as the provider makes it)", async () => {
    const access = new JWTAccess(trustedSa.key.client_email, trustedSa.key.private_key, trustedSa.key.private_key_id);
    const headers = await access.getRequestHeaders(h.url);
    expect((await read(null, { authorization: headers.get("authorization") as string })).status).toBe(200);
  });

  it("accepts tokens of any issuer signed for a {kid: certificate} file, a bare PEM public key and a JWKS", async () => {
    const c = claims(any.url, { iss: "whoever@example.com" });
    expect((await read(signRs256({ kid: "cert-kid" }, c, cert.key), {}, any)).status).toBe(200);
    expect((await read(signRs256({ kid: "anything" }, c, bare.privateKeyPem), {}, any)).status).toBe(200);
    expect((await read(signRs256({ kid: "jwk-kid" }, c, jwk.privateKeyPem), {}, any)).status).toBe(200);
  });
});

describe("error bodies", () => {
  it("regression: refusals carried no WWW-Authenticate challenge (every 401, and the audience's 403, now do)", async () => {
    const missing = await read(null);
    const invalid = await read(bySa({ exp: now() - 3600 }));
    const audience = await read(bySa({ aud: "https://example.com" }));
    expect([missing.status, missing.headers["www-authenticate"]]).toEqual([401, `Bearer realm="${h.url}/v1/dag/status"`]);
    expect([invalid.status, invalid.headers["www-authenticate"]]).toEqual([
      401,
      `Bearer realm="${h.url}/v1/dag/status", error="invalid_token"`,
    ]);
    expect([audience.status, audience.headers["www-authenticate"]]).toEqual([
      403,
      `Bearer realm="${h.url}/v1/dag/status", error="invalid_token"`,
    ]);
  });

  it("never echo the token or its claims, in the body or the challenge", async () => {
    const marker = "secret-marker-7f3a";
    const tokens = [
      h.emulator.mintToken({ audience: `https://${marker}.example`, extraClaims: { note: marker } }),
      h.emulator.mintToken({ issuedAt: now() - 7200, extraClaims: { note: marker } }),
      signRs256({ kid: marker }, claims(marker, { iss: marker, note: marker }), rsaKeyPair().privateKeyPem),
      unsigned({ kid: marker }, claims(marker)),
      `${marker}.${marker}.${marker}`,
    ];
    for (const token of tokens) {
      for (const r of [await read(token), await h.post(`/v1/dag/status?access_token=${token}`, body, { token: null })]) {
        expect([401, 403]).toContain(r.status);
        const seen = r.text + String(r.headers["www-authenticate"]);
        expect(seen).not.toContain(marker);
        expect(seen).not.toContain(token.slice(0, 20));
      }
    }
  });

  it("are logged in the request log with the refusal's code", async () => {
    await h.admin.clearRequests();
    await read(null);
    await read(bySa({ aud: "https://example.com" }));
    await read(h.token);
    const entries = await h.admin.requests();
    expect(entries.map((e) => [e.status, e.auth_ok, e.error_code])).toEqual([
      [401, false, "jwt_missing"],
      [403, false, "jwt_audience"],
      [200, true, null],
    ]);
  });
});

describe("the one table", () => {
  it("is what the emulator README's gateway section lists: every refusal with its status and words", () => {
    const readme = readFileSync(path.join(__dirname, "../../emulator/README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Authentication"), readme.indexOf("## State, seed file"));
    for (const [code, { status, message }] of Object.entries(GATEWAY_REFUSALS)) {
      const row = section.split("\n").find((line) => line.startsWith("| ") && line.includes(`\`${message}\``));
      expect([code, row?.includes(`| ${status} |`)]).toEqual([code, true]);
    }
  });
});
