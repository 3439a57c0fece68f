/**
 * The gateway's rules, without a server: the shared table (provider/client/gateway.ts), how a token is
 * read and checked (emulator/jwt.ts), where it is found, how audiences compare and what the challenge
 * says (emulator/auth.ts). The emulator's HTTP answers are specified in test/emulator/auth.test.ts.
 */
import { generateKeyPairSync } from "node:crypto";
import { requestTokens, sanitizeAudience, wwwAuthenticate } from "../../emulator/auth";
import { checkTimes, type ParsedJwt, parseJwt, verifySignature } from "../../emulator/jwt";
import { GATEWAY_CLOCK_SKEW_SECONDS, GATEWAY_REFUSALS, gatewayRefusalOf } from "../../provider/client/gateway";
import { signAs, signRs256 } from "../emulator/helpers/jwt";

const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const NOW = 1_800_000_000;

function parsed(token: string): ParsedJwt {
  const jwt = parseJwt(token);
  if (typeof jwt === "string") throw new Error(`expected a parsed token, got ${jwt}`);
  return jwt;
}

describe("the shared table", () => {
  test("has one message per refusal, every one a 401 but the audience's 403", () => {
    const refusals = Object.values(GATEWAY_REFUSALS);
    expect(new Set(refusals.map((r) => r.message)).size).toBe(refusals.length);
    expect(Object.entries(GATEWAY_REFUSALS).filter(([, r]) => r.status === 403)).toEqual([["jwt_audience", GATEWAY_REFUSALS.jwt_audience]]);
  });

  test("finds a refusal by status and exact words, and nothing else", () => {
    expect(gatewayRefusalOf(403, "Audiences in Jwt are not allowed")).toBe("jwt_audience");
    expect(gatewayRefusalOf(401, "Jwt issuer is not configured")).toBe("jwt_unknown_issuer");
    expect(gatewayRefusalOf(401, "Audiences in Jwt are not allowed")).toBeUndefined();
    expect(gatewayRefusalOf(403, "audiences in jwt are not allowed")).toBeUndefined();
    expect(gatewayRefusalOf(403, undefined)).toBeUndefined();
  });
});

describe("reading a token (jwt_verify_lib's parse)", () => {
  const header = b64({ alg: "RS256", kid: "k" });
  const payload = b64({ iss: "a@b", aud: ["x", "y"], nbf: 5.9, exp: 10 });

  test("keeps what Envoy keeps: alg, kid, iss, the audiences as a list, nbf and exp truncated", () => {
    expect(parsed(`${header}.${payload}.${b64("s")}`)).toMatchObject({
      alg: "RS256",
      kid: "k",
      iss: "a@b",
      audiences: ["x", "y"],
      nbf: 5,
      exp: 10,
    });
    expect(parsed(`${b64({ alg: "ES256" })}.${b64({ aud: "x" })}.${b64("s")}`)).toMatchObject({
      kid: "",
      iss: "",
      audiences: ["x"],
      nbf: 0,
      exp: 0,
    });
  });

  test("skips empty parts as Envoy splits (a..b.c has three parts) and signs what it kept", () => {
    expect(parsed(`${header}..${payload}.${b64("s")}`).signingInput).toBe(`${header}.${payload}`);
    expect(parseJwt(`${header}.${payload}.`)).toBe("jwt_bad_format");
  });

  test("accepts base64url with or without padding, refuses impossible lengths and other alphabets", () => {
    const padded = Buffer.from(JSON.stringify({ alg: "RS256" }))
      .toString("base64")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    expect(typeof parseJwt(`${padded}.${payload}.${b64("s")}`)).toBe("object");
    expect(parseJwt(`${header}.${payload}.abcde`)).toBe("jwt_signature_bad_base64");
    expect(parseJwt(`${header}.${payload}.ab+/`)).toBe("jwt_signature_bad_base64");
  });

  test("refuses a header that is not UTF-8 as not JSON (no replacement characters smuggled in)", () => {
    const latin1 = Buffer.from('{"alg":"RS256","x":"\xe9"}', "latin1").toString("base64url");
    expect(parseJwt(`${latin1}.${payload}.${b64("s")}`)).toBe("jwt_header_bad_json");
  });

  test("takes an empty kid as none", () => {
    expect(parsed(`${b64({ alg: "RS256", kid: "" })}.${payload}.${b64("s")}`).kid).toBe("");
  });
});

describe("token times", () => {
  const at = (claims: Record<string, unknown>) => parsed(`${b64({ alg: "RS256" })}.${b64(claims)}.${b64("s")}`);

  test("regression: times were told apart by matching google-auth-library's error messages; they are now our own checks, with codes", () => {
    expect(checkTimes(at({ exp: NOW - 3600 }), NOW)).toBe("jwt_expired");
    expect(checkTimes(at({ nbf: NOW + 3600 }), NOW)).toBe("jwt_not_yet_valid");
    expect(checkTimes(at({ exp: NOW + 3600 }), NOW)).toBeUndefined();
  });

  test("allow the gateway's 60 s of skew, on both sides, and no more", () => {
    expect(GATEWAY_CLOCK_SKEW_SECONDS).toBe(60);
    expect(checkTimes(at({ exp: NOW - 60 }), NOW)).toBeUndefined();
    expect(checkTimes(at({ exp: NOW - 61 }), NOW)).toBe("jwt_expired");
    expect(checkTimes(at({ nbf: NOW + 60 }), NOW)).toBeUndefined();
    expect(checkTimes(at({ nbf: NOW + 61 }), NOW)).toBe("jwt_not_yet_valid");
  });

  test("check nbf before exp, never iat; no exp never expires", () => {
    expect(checkTimes(at({ nbf: NOW + 3600, exp: NOW - 3600 }), NOW)).toBe("jwt_not_yet_valid");
    expect(checkTimes(at({ iat: NOW + 86_400 }), NOW)).toBeUndefined();
    expect(checkTimes(at({}), NOW)).toBeUndefined();
  });
});

describe("keys and signatures (jwt_verify_lib's kid and alg matching)", () => {
  const key = rsa.publicKey;
  const token = (header: Record<string, unknown>, alg = "RS256") => parsed(signAs(alg, header, { aud: "x" }, rsa.privateKey));

  test.each([
    ["same kid, same alg", { kid: "k" }, { kid: "k", alg: "RS256" }, undefined],
    ["a key without kid answers any kid", { kid: "k" }, { kid: "", alg: "" }, undefined],
    ["a token without kid is tried on every key", {}, { kid: "k", alg: "RS256" }, undefined],
    ["another kid", { kid: "k" }, { kid: "other", alg: "RS256" }, "jwks_kid_alg_mismatch"],
    ["another alg", { kid: "k" }, { kid: "k", alg: "RS384" }, "jwks_kid_alg_mismatch"],
  ])("%s", (_name, header, candidate, expected) => {
    expect(verifySignature(token(header), [{ ...candidate, key }])).toBe(expected);
  });

  test("no key at all is a mismatch; a matched key that does not verify is a verification failure", () => {
    expect(verifySignature(token({ kid: "k" }), [])).toBe("jwks_kid_alg_mismatch");
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    expect(verifySignature(token({ kid: "k" }), [{ kid: "k", alg: "RS256", key: other }])).toBe("jwt_verification_fails");
  });

  test("an RSA key without alg verifies RS* and PS* but an HS256 token never", () => {
    for (const alg of ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]) {
      expect([alg, verifySignature(token({}, alg), [{ kid: "", alg: "", key }])]).toEqual([alg, undefined]);
    }
    const hs = parsed(`${b64({ alg: "HS256" })}.${b64({})}.${b64("mac")}`);
    expect(verifySignature(hs, [{ kid: "", alg: "", key }])).toBe("jwt_verification_fails");
  });

  test("tries the next key when one does not verify", () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const jwt = parsed(signRs256({}, { aud: "x" }, rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString()));
    expect(
      verifySignature(jwt, [
        { kid: "", alg: "", key: other },
        { kid: "", alg: "", key },
      ]),
    ).toBeUndefined();
  });
});

describe("where tokens are read, and the challenge", () => {
  test("reads ?access_token, then x-goog-iap-jwt-assertion, then Authorization: Bearer (Envoy's verification order)", () => {
    const request = {
      url: "/v1/dag/status?x=1&access_token=q.q.q&access_token=second",
      headers: { "x-goog-iap-jwt-assertion": "i.i.i", authorization: "Bearer a.a.a" },
    };
    expect(requestTokens(request)).toEqual(["q.q.q", "i.i.i", "a.a.a"]);
  });

  test.each([
    ["Bearer a.b.c", ["a.b.c"]],
    ["Bearer    a.b.c", ["a.b.c"]],
    ["Token x, Bearer a.b.c", ["a.b.c"]],
    ["Bearer !!!", ["Bearer !!!"]], // nothing can start a token: Envoy keeps the whole value
    ["bearer a.b.c", []],
    ["Basic YTpi", []],
  ])("Authorization %j gives %j", (authorization, tokens) => {
    expect(requestTokens({ headers: { authorization } })).toEqual(tokens);
  });

  test("names the URL the request was made to, without its query; error=invalid_token once a token was sent", () => {
    const h1 = { url: "/v1/dag/status?access_token=secret", headers: { host: "127.0.0.1:8080" } };
    expect(wwwAuthenticate(h1, false)).toBe('Bearer realm="http://127.0.0.1:8080/v1/dag/status"');
    expect(wwwAuthenticate({ ...h1, socket: { encrypted: true } }, true)).toBe(
      'Bearer realm="https://127.0.0.1:8080/v1/dag/status", error="invalid_token"',
    );
    const h2 = { url: "/v1/dag/launch", headers: { ":scheme": "https", ":authority": "api.example" } };
    expect(wwwAuthenticate(h2, true)).toBe('Bearer realm="https://api.example/v1/dag/launch", error="invalid_token"');
  });

  test("cuts the path at 256 characters, as Envoy does, and keeps the header printable and its quotes closed", () => {
    const long = wwwAuthenticate({ url: `/${"a".repeat(300)}`, headers: { host: "h" } }, false);
    expect(long).toBe(`Bearer realm="http://h/${"a".repeat(255)}"`);
    expect(wwwAuthenticate({ url: "/p", headers: { host: 'h"x\\y\u00e9' } }, false)).toBe('Bearer realm="http://h%22x%5Cy%E9/p"');
  });
});

describe("audiences, compared as Envoy's check_audience does", () => {
  test.each([
    ["https://api.example/", "api.example"],
    ["http://api.example", "api.example"],
    ["api.example//", "api.example/"],
    ["HTTPS://api.example", "HTTPS://api.example"],
    ["https://API.example", "API.example"],
  ])("%s compares as %s", (audience, sanitized) => {
    expect(sanitizeAudience(audience)).toBe(sanitized);
  });
});
