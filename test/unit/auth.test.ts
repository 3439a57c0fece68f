import { createVerify } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  clearTokenCache,
  decodeJwtClaims,
  IdTokenSource,
  parseTokenCommandOutput,
  resolveTokenSource,
  tokensMinted,
} from "../../provider/auth";
import { cachedToken } from "../../provider/auth/cache";
import { ErrorCodes, hasErrorCode } from "../../provider/core/errors";
import { makeServiceAccountKey } from "../helpers/keys";

const AUDIENCE = "https://tailer-api-nqonovswsq-ew.a.run.app";
const tmp = mkdtempSync(join(tmpdir(), "tailer-auth-"));

function fakeJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
}

beforeEach(() => clearTokenCache());

describe("token source order", () => {
  test("an explicit token wins over TAILER_API_JWT and a key file", async () => {
    const source = resolveTokenSource({ token: "explicit-token-0123456789", env: { TAILER_API_JWT: "from-env-0123456789" } }, AUDIENCE);
    expect(await source.getToken()).toBe("explicit-token-0123456789");
  });

  test("TAILER_API_JWT wins over GOOGLE_APPLICATION_CREDENTIALS", async () => {
    const source = resolveTokenSource(
      { env: { TAILER_API_JWT: "from-env-0123456789", GOOGLE_APPLICATION_CREDENTIALS: "/nope.json" } },
      AUDIENCE,
    );
    expect(await source.getToken()).toBe("from-env-0123456789");
  });

  test("without any credentials the error lists every way to provide them", () => {
    expect.assertions(3);
    try {
      resolveTokenSource({ env: {} }, AUDIENCE);
    } catch (error) {
      expect(hasErrorCode(error, ErrorCodes.CREDENTIALS)).toBe(true);
      expect(String(error)).toContain("TAILER_API_JWT");
      expect(String(error)).toContain("tailer:tokenCommand");
    }
  });
});

describe("service-account tokens", () => {
  test("are the docs' self-signed JWT: RS256, kid, iss = sub = email, aud = API URL, one hour", async () => {
    const { key, publicKeyPem } = makeServiceAccountKey();
    const source = resolveTokenSource({ credentials: JSON.stringify(key), env: {} }, AUDIENCE);
    const token = await source.getToken();
    const [header, payload, signature] = token.split(".") as [string, string, string];
    expect(JSON.parse(Buffer.from(header, "base64url").toString())).toEqual({ alg: "RS256", typ: "JWT", kid: key.private_key_id });
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    expect(claims).toMatchObject({ iss: key.client_email, sub: key.client_email, email: key.client_email, aud: AUDIENCE });
    expect(claims.exp - claims.iat).toBe(3600);
    const verifier = createVerify("RSA-SHA256");
    verifier.update(`${header}.${payload}`);
    expect(verifier.verify(publicKeyPem, Buffer.from(signature, "base64url"))).toBe(true);
  });

  test("one token per hour: 50 concurrent calls mint once, and the token is reused", async () => {
    const { key } = makeServiceAccountKey();
    const path = join(tmp, "key.json");
    writeFileSync(path, JSON.stringify(key));
    const source = resolveTokenSource({ credentialsFile: path, env: {} }, AUDIENCE);
    const before = tokensMinted();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => source.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(await source.getToken()).toBe(tokens[0]);
    expect(tokensMinted() - before).toBe(1);
  });

  test("a key file that is not a service-account key names the bad field and never quotes the key", async () => {
    const path = join(tmp, "bad.json");
    writeFileSync(
      path,
      JSON.stringify({ type: "service_account", private_key: "-----BEGIN PRIVATE KEY-----\nSECRETSECRET\n-----END PRIVATE KEY-----\n" }),
    );
    const source = resolveTokenSource({ credentialsFile: path, env: {} }, AUDIENCE);
    await expect(source.getToken()).rejects.toThrow(/client_email/);
    await expect(source.getToken()).rejects.not.toThrow(/SECRETSECRET/);
  });

  test("a missing key file says which setting pointed at it", async () => {
    const source = resolveTokenSource({ env: { GOOGLE_APPLICATION_CREDENTIALS: join(tmp, "missing.json") } }, AUDIENCE);
    await expect(source.getToken()).rejects.toThrow(/GOOGLE_APPLICATION_CREDENTIALS.*ENOENT|ENOENT.*GOOGLE_APPLICATION_CREDENTIALS/);
  });
});

describe("static tokens", () => {
  test("an expired token fails before any call, with the expiry and the fix", async () => {
    const expired = fakeJwt({ exp: Math.floor(Date.now() / 1000) - 3600 });
    const source = resolveTokenSource({ env: { TAILER_API_JWT: expired } }, AUDIENCE);
    const error = await source.getToken().catch((e: unknown) => e);
    expect(hasErrorCode(error, ErrorCodes.CREDENTIALS)).toBe(true);
    expect(String(error)).toMatch(/TAILER_API_JWT expired at/);
    expect(String(error)).not.toContain(expired);
  });
});

describe("token commands", () => {
  test("parse the `User token : <jwt>` line of tailer auth get-token", () => {
    const jwt = fakeJwt({ exp: 1 });
    const output = ["Tailer SDK", "", "Firebase token : abc", "", "Refresh token : def", "", `User token : ${jwt}`].join("\n");
    expect(parseTokenCommandOutput(output)).toBe(jwt);
  });

  test("accept a command printing only the token", () => {
    const jwt = fakeJwt({ exp: 1 });
    expect(parseTokenCommandOutput(`${jwt}\n`)).toBe(jwt);
  });

  function countingCommand(name: string, jwt: string): { command: string; runs: () => number } {
    const counter = join(tmp, `${name}.count`);
    writeFileSync(counter, "");
    const script = join(tmp, `${name}.sh`);
    writeFileSync(script, `#!/bin/sh\necho x >> ${counter}\necho "User token : ${jwt}"\n`);
    chmodSync(script, 0o755);
    return { command: script, runs: () => readFileSync(counter, "utf8").split("\n").filter(Boolean).length };
  }

  test("run once per token lifetime, however many calls wait", async () => {
    const jwt = fakeJwt({ exp: Math.floor(Date.now() / 1000) + 3600 });
    const { command, runs } = countingCommand("hour", jwt);
    const source = resolveTokenSource({ tokenCommand: command, env: {} }, AUDIENCE);
    await Promise.all([source.getToken(), source.getToken(), source.getToken()]);
    expect(await source.getToken()).toBe(jwt);
    expect(runs()).toBe(1);
  });

  test("run again when the token is within five minutes of expiry", async () => {
    const jwt = fakeJwt({ exp: Math.floor(Date.now() / 1000) + 120 });
    const { command, runs } = countingCommand("soon", jwt);
    const source = resolveTokenSource({ tokenCommand: command, env: {} }, AUDIENCE);
    await source.getToken();
    await source.getToken();
    expect(runs()).toBe(2);
  });

  test("a failing command reports its exit and stderr, redacted", async () => {
    const leaked = fakeJwt({ exp: 2 });
    const source = resolveTokenSource({ tokenCommand: `echo "bad ${leaked}" >&2; exit 3`, env: {} }, AUDIENCE);
    const error = await source.getToken().catch((e: unknown) => e);
    expect(hasErrorCode(error, ErrorCodes.CREDENTIALS)).toBe(true);
    expect(String(error)).toContain("exited with 3");
    expect(String(error)).not.toContain(leaked);
  });

  test("decodeJwtClaims reads exp without verifying", () => {
    expect(decodeJwtClaims(fakeJwt({ exp: 42 }))?.exp).toBe(42);
    expect(decodeJwtClaims("not-a-jwt")).toBeUndefined();
  });
});

describe("what the provider process loads", () => {
  test("JWTAccess from its own module is the library's JWTAccess (the deep path still exists)", () => {
    const deep = require("google-auth-library/build/src/auth/jwtaccess").JWTAccess;
    expect(deep).toBe(require("google-auth-library").JWTAccess);
  });
});

describe("invalidation", () => {
  const fresh = (token: string) => async () => ({ token, expiresAtMs: Date.now() + 3_600_000 });

  test("regression: IdTokenSource.invalidate cleared every source's cached token, not only its own", async () => {
    clearTokenCache();
    await cachedToken("sa|someone@x.iam.gserviceaccount.com|k1|https://api", fresh("service-account-token-1"));
    await cachedToken("id|adc|https://api", fresh("google-id-token-0001"));
    new IdTokenSource("https://api").invalidate();
    const reminted: string[] = [];
    await cachedToken("sa|someone@x.iam.gserviceaccount.com|k1|https://api", async () => {
      reminted.push("service account");
      return fresh("service-account-token-2")();
    });
    await cachedToken("id|adc|https://api", async () => {
      reminted.push("id token");
      return fresh("google-id-token-0002")();
    });
    expect(reminted).toEqual(["id token"]);
  });
});
