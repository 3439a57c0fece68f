/**
 * Authentication, as the Google gateway in front of the real API does it:
 * RS256 JWTs of trusted service accounts, audience = the API's URL, time limits,
 * and the accounts a token may touch. Gateway wording; nothing of the token echoed.
 */

import { createPublicKey } from "node:crypto";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { JWTAccess } from "google-auth-library";
import { PRODUCTION_API_URL } from "../../provider/client/schemas";
import { closeAll, type Harness, PREPARE_PDA, startEmulator, tempDir } from "./helpers/harness";
import { claims, rsaKeyPair, selfSignedCertificate, signHs256, signRs256, unsigned, writeServiceAccountKey } from "./helpers/jwt";

const dir = tempDir("emu-auth-");
const trustedSa = writeServiceAccountKey(dir, "trusted.json");
const cert = selfSignedCertificate(dir);
const certJson = path.join(dir, "x509.json");
writeFileSync(certJson, JSON.stringify({ "cert-kid": cert.cert }));
const bare = rsaKeyPair();
const barePem = path.join(dir, "bare.pem");
writeFileSync(barePem, bare.publicKeyPem);
const jwk = rsaKeyPair();
const jwksFile = path.join(dir, "jwks.json");
writeFileSync(
  jwksFile,
  JSON.stringify({ keys: [{ ...createPublicKey(jwk.publicKeyPem).export({ format: "jwk" }), kid: "jwk-kid", alg: "RS256", use: "sig" }] }),
);

let h: Harness;
beforeAll(async () => {
  h = await startEmulator({ trustedKeyFiles: [trustedSa.file, certJson, barePem, jwksFile], publicUrl: "https://tailer.example.test/" });
});
afterAll(closeAll);

const body = { action: "get_last_status", ...PREPARE_PDA };
const read = (token: string | null, headers: Record<string, string> = {}) => h.post("/v1/dag/status", body, { token, headers });
const gateway = (message: string) => ({ code: 401, message });

describe("a request without a usable token", () => {
  it("gets 401 Jwt is missing without an Authorization header", async () => {
    const r = await read(null);
    expect(r.status).toBe(401);
    expect(r.body).toEqual(gateway("Jwt is missing"));
  });

  it("gets 401 Jwt is missing with another scheme or an empty bearer", async () => {
    expect((await read(null, { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` })).body).toEqual(gateway("Jwt is missing"));
    expect((await read(null, { authorization: "Bearer " })).body).toEqual(gateway("Jwt is missing"));
  });

  it.each([
    ["not a JWT", "abc"],
    ["two segments", "a.b"],
    ["garbage base64", "!!!.???.***"],
    ["JSON that is not an object", `${Buffer.from("1").toString("base64url")}.${Buffer.from("2").toString("base64url")}.c`],
  ])("gets 401 Jwt verification fails when malformed (%s)", async (_name, token) => {
    expect((await read(token)).body).toEqual(gateway("Jwt verification fails"));
  });
});

describe("a forged or foreign token", () => {
  it("with alg none is refused", async () => {
    const token = unsigned({ kid: trustedSa.key.private_key_id }, claims(h.url));
    expect((await read(token)).body).toEqual(gateway("Jwt verification fails"));
  });

  it("HS256-signed with the trusted public key as HMAC secret is refused", async () => {
    const publicPem = createPublicKey(trustedSa.key.private_key).export({ type: "spki", format: "pem" }).toString();
    const token = signHs256({ kid: trustedSa.key.private_key_id }, claims(h.url), publicPem);
    expect((await read(token)).body).toEqual(gateway("Jwt verification fails"));
  });

  it("with an unknown kid is refused", async () => {
    const stranger = rsaKeyPair();
    expect((await read(signRs256({ kid: "unknown-kid" }, claims(h.url), stranger.privateKeyPem))).body).toEqual(
      gateway("Jwt verification fails"),
    );
  });

  it("with a trusted kid but another key's signature is refused", async () => {
    const stranger = rsaKeyPair();
    const token = signRs256({ kid: trustedSa.key.private_key_id }, claims(h.url), stranger.privateKeyPem);
    expect((await read(token)).body).toEqual(gateway("Jwt verification fails"));
  });

  it("whose payload was altered after signing is refused", async () => {
    const token = signRs256({ kid: trustedSa.key.private_key_id }, claims(h.url, { accounts: ["000110"] }), trustedSa.key.private_key);
    const [head, , sig] = token.split(".");
    const widened = Buffer.from(JSON.stringify(claims(h.url, { accounts: ["000099"] }))).toString("base64url");
    expect((await read(`${head}.${widened}.${sig}`)).body).toEqual(gateway("Jwt verification fails"));
  });

  it("without iat or exp is refused", async () => {
    const { iat: _iat, ...noIat } = claims(h.url);
    expect((await read(signRs256({ kid: trustedSa.key.private_key_id }, noIat, trustedSa.key.private_key))).body).toEqual(
      gateway("Jwt verification fails"),
    );
  });

  it("valid for more than a day is refused", async () => {
    const token = signRs256(
      { kid: trustedSa.key.private_key_id },
      claims(h.url, { exp: Math.floor(Date.now() / 1000) + 3 * 86400 }),
      trustedSa.key.private_key,
    );
    expect((await read(token)).body).toEqual(gateway("Jwt verification fails"));
  });
});

describe("token times (wall clock)", () => {
  const now = () => Math.floor(Date.now() / 1000);

  it("an expired token gets 401 Jwt is expired", async () => {
    expect((await read(h.emulator.mintToken({ issuedAt: now() - 7200 }))).body).toEqual(gateway("Jwt is expired"));
  });

  it("a token issued in the future gets 401 Jwt not yet valid", async () => {
    expect((await read(h.emulator.mintToken({ issuedAt: now() + 3600 }))).body).toEqual(gateway("Jwt not yet valid"));
  });

  it("a token whose nbf is in the future gets 401 Jwt not yet valid", async () => {
    expect((await read(h.emulator.mintToken({ extraClaims: { nbf: now() + 3600 } }))).body).toEqual(gateway("Jwt not yet valid"));
  });

  it("within the 5-minute clock skew a just-expired token still passes", async () => {
    expect((await read(h.emulator.mintToken({ issuedAt: now() - 3660 }))).status).toBe(200);
  });
});

describe("audiences", () => {
  const as = (audience: string) => read(h.emulator.mintToken({ audience }));

  it.each([
    ["its own URL", () => h.url],
    ["its own URL with a trailing slash", () => `${h.url}/`],
    ["the localhost form of its URL", () => h.url.replace("127.0.0.1", "localhost")],
    ["the documented production URL", () => PRODUCTION_API_URL],
    ["the --public-url, slash or not", () => "https://tailer.example.test"],
  ])("accepts %s", async (_name, audience) => {
    expect((await as(audience())).status).toBe(200);
  });

  it.each([
    ["another port", () => h.url.replace(/:\d+$/, ":1")],
    ["another host", () => "https://example.com"],
    ["a path under its URL", () => `${h.url}/v1/dag/status`],
    ["https instead of http", () => h.url.replace("http:", "https:")],
  ])("refuses %s with 401 Audiences in Jwt are not allowed", async (_name, audience) => {
    expect((await as(audience())).body).toEqual(gateway("Audiences in Jwt are not allowed"));
  });
});

describe("the accounts claim", () => {
  it("lets a token touch only its accounts (403 otherwise, in the API's error form)", async () => {
    const only110 = h.emulator.mintToken({ accounts: ["000110"] });
    const r = await read(only110);
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ code: 403, data: {}, message: "this token is not allowed to use account 000099" });
    expect((await read(h.emulator.mintToken({ accounts: ["000110", "000099"] }))).status).toBe(200);
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

  it("accepts tokens signed for a {kid: certificate} file, a bare PEM public key and a JWKS", async () => {
    expect((await read(signRs256({ kid: "cert-kid" }, claims(h.url), cert.key))).status).toBe(200);
    expect((await read(signRs256({ kid: "anything" }, claims(h.url), bare.privateKeyPem))).status).toBe(200);
    expect((await read(signRs256({ kid: "jwk-kid" }, claims(h.url), jwk.privateKeyPem))).status).toBe(200);
  });

  it("does not trust the dev account when devAccount is false", async () => {
    const other = await startEmulator({ devAccount: false, trustedKeyFiles: [trustedSa.file] });
    expect(() => other.emulator.mintToken()).toThrow(/dev account is disabled/);
    const devToken = h.emulator.mintToken({ audience: other.url });
    expect((await other.post("/v1/dag/status", body, { token: devToken })).body).toEqual(gateway("Jwt verification fails"));
  });
});

describe("error bodies", () => {
  it("never echo the token or its claims", async () => {
    const marker = "secret-marker-7f3a";
    const tokens = [
      h.emulator.mintToken({ audience: `https://${marker}.example`, extraClaims: { note: marker } }),
      h.emulator.mintToken({ issuedAt: Math.floor(Date.now() / 1000) - 7200, extraClaims: { note: marker } }),
      signRs256({ kid: marker }, claims(marker, { note: marker }), rsaKeyPair().privateKeyPem),
      unsigned({ kid: marker }, claims(marker)),
      `${marker}.${marker}.${marker}`,
    ];
    for (const token of tokens) {
      const r = await read(token);
      expect(r.status).toBe(401);
      expect(r.text).not.toContain(marker);
      expect(r.text).not.toContain(token.slice(0, 20));
    }
  });

  it("are logged as auth failures in the request log", async () => {
    await h.admin.clearRequests();
    await read(null);
    await read(h.token);
    const log = await h.admin.requests();
    expect(log.map((e) => [e.status, e.auth_ok, e.error_code])).toEqual([
      [401, false, "jwt_missing"],
      [200, true, null],
    ]);
  });
});
