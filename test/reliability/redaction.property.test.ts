/**
 * Redaction (issue 6): `redact()` removes every generated secret-shaped string embedded in arbitrary
 * text (JWTs, PEM private key blocks, `"private_key": "..."` fields, `Bearer` credentials), and a
 * TailerError never shows a registered secret, whatever field or cause carried it.
 *
 * Counts: TAILER_RELIABILITY_REDACTIONS per property, else 2,000 under TAILER_STRESS=1 and 400 under `npm test`.
 */
import { inspect } from "node:util";
import fc from "fast-check";
import { ErrorCodes, TailerError } from "../../provider/core/errors";
import { redact, redactValue, registerSecret } from "../../provider/core/redact";
import { count, fcSeed, report } from "./helpers";

const RUNS = count("TAILER_RELIABILITY_REDACTIONS", { normal: 400, stress: 2000 });
const figures = { texts: 0, secretsEmbedded: 0, errors: 0 };
const started = Date.now();
afterAll(() => report("redaction", { ...figures, seconds: (Date.now() - started) / 1000 }));

const b64url = (v: string | Buffer) => Buffer.from(v).toString("base64url");
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** A high-entropy core every generated secret carries: it must never survive redaction. */
const core = fc.array(fc.constantFrom(...ALNUM), { minLength: 24, maxLength: 40 }).map((a) => a.join(""));

/** Arbitrary text around the secrets: ASCII, any Unicode, or log-like words. */
const filler = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 20, unit: "binary" }),
  fc.constantFrom("", " ", "\n", "error: ", "token=", "Authorization: ", '{"message":"', '"}', "\t", "=", ".", "-", "_", "eyJ", "Bearer"),
);

/** A secret and the strings that must not appear after redaction. */
interface Secret {
  kind: string;
  text: string;
  mustVanish: string[];
}

/** JSON values for JWT claims: any keys (not only ones starting with a letter), any values. */
const claims = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 6 });

const jwt: fc.Arbitrary<Secret> = fc
  .record({
    header: fc.record(
      {
        alg: fc.constantFrom("RS256", "HS256", "ES256", "none"),
        typ: fc.constantFrom("JWT", undefined),
        kid: fc.option(fc.stringMatching(/^[0-9a-f]{8,40}$/)),
      },
      { requiredKeys: ["alg"] },
    ),
    extraHeader: fc.option(claims),
    claims,
    core,
    signature: fc.uint8Array({ minLength: 0, maxLength: 300 }),
  })
  .map(({ header, extraHeader, claims, core, signature }) => {
    const h = b64url(JSON.stringify({ ...(extraHeader ?? {}), ...header }));
    const p = b64url(JSON.stringify({ ...claims, sub: core }));
    const token = `${h}.${p}.${b64url(Buffer.from(signature))}`;
    return { kind: "jwt", text: token, mustVanish: [token, p] };
  });

const pem: fc.Arbitrary<Secret> = fc
  .record({
    label: fc.constantFrom("", "RSA ", "EC ", "ENCRYPTED ", "OPENSSH ", "DSA "),
    core,
    body: fc.array(fc.base64String({ minLength: 4, maxLength: 64 }), { minLength: 1, maxLength: 8 }),
    newline: fc.constantFrom("\n", "\r\n"),
    escaped: fc.boolean(),
    // Cut short, as in a log line that quotes the start of a key file: no END line.
    truncated: fc.boolean(),
  })
  .map(({ label, core, body, newline, escaped, truncated }) => {
    const lines = [`-----BEGIN ${label}PRIVATE KEY-----`, core, ...body];
    const block = (truncated ? lines : [...lines, `-----END ${label}PRIVATE KEY-----`]).join(newline);
    // JSON-escaped, as it appears inside a key file's text or a JSON log line.
    const text = escaped ? JSON.stringify(block).slice(1, -1) : block;
    return { kind: "pem", text, mustVanish: [core] };
  });

const privateKeyField: fc.Arbitrary<Secret> = fc
  .record({
    core,
    before: fc.string({ maxLength: 20 }),
    after: fc.string({ maxLength: 20 }),
    spaceBefore: fc.constantFrom("", " ", "  ", "\n"),
    spaceAfter: fc.constantFrom("", " ", "\n  "),
    form: fc.constantFrom("field", "key-file", "key-file-in-a-json-string", "cut-short"),
  })
  .map(({ core, before, after, spaceBefore, spaceAfter, form }) => {
    const value = `${before}${core}${after}`;
    const keyFile = JSON.stringify(
      { type: "service_account", private_key_id: "abc", private_key: value, client_email: "x@y.iam.gserviceaccount.com" },
      null,
      2,
    );
    const field = `"private_key"${spaceBefore}:${spaceAfter}${JSON.stringify(value)}`;
    const text =
      form === "field"
        ? field
        : form === "key-file"
          ? keyFile
          : form === "key-file-in-a-json-string" // the key file's text inside JSON (a config value, a log line)
            ? JSON.stringify(keyFile)
            : field.slice(0, field.indexOf(core) + core.length); // a log line that quotes the start of it
    return { kind: "private_key", text, mustVanish: [core] };
  });

const bearer: fc.Arbitrary<Secret> = fc
  .record({
    scheme: fc.constantFrom("Bearer", "bearer", "BEARER"),
    space: fc.constantFrom(" ", "  ", "\t"),
    core,
    extra: fc.array(fc.constantFrom(..."-._~+/"), { maxLength: 4 }).map((a) => a.join("")),
    padding: fc.constantFrom("", "=", "=="),
  })
  .map(({ scheme, space, core, extra, padding }) => {
    const credential = `${extra}${core}${padding}`;
    return { kind: "bearer", text: `${scheme}${space}${credential}`, mustVanish: [core] };
  });

const secret = fc.oneof(jwt, pem, privateKeyField, bearer);

/** Text: filler, secrets and filler interleaved. */
const textWithSecrets = fc
  .array(fc.tuple(filler, secret), { minLength: 1, maxLength: 4 })
  .chain((parts) => filler.map((tail) => ({ text: parts.map(([f, s]) => f + s.text).join("") + tail, secrets: parts.map(([, s]) => s) })));

describe("redact()", () => {
  test.each([
    ["a JWT", jwt],
    ["a PEM private key block", pem],
    ['a "private_key": "..." field', privateKeyField],
    ["a Bearer credential", bearer],
  ])("removes %s embedded in arbitrary text", async (_name, arbitrary) => {
    fc.assert(
      fc.property(filler, arbitrary, filler, (before, s, after) => {
        figures.texts++;
        figures.secretsEmbedded++;
        const out = redact(before + s.text + after);
        for (const v of s.mustVanish) if (out.includes(v)) throw new Error(`${s.kind} survived: ${JSON.stringify(out)}`);
        expect(out).toContain("[REDACTED]");
      }),
      { numRuns: RUNS, ...fcSeed() },
    );
  });

  test("removes every secret of a text mixing several, and redactValue does it at any depth", () => {
    fc.assert(
      fc.property(textWithSecrets, fc.constantFrom("text", "value"), ({ text, secrets }, how) => {
        figures.texts++;
        figures.secretsEmbedded += secrets.length;
        const out = how === "text" ? redact(text) : JSON.stringify(redactValue({ a: [{ b: text }], c: text }));
        for (const s of secrets)
          for (const v of s.mustVanish) if (out.includes(v)) throw new Error(`${s.kind} survived in ${JSON.stringify(out)}`);
      }),
      { numRuns: RUNS, ...fcSeed() },
    );
  });

  test("is idempotent and leaves text without secrets alone", () => {
    // No letter that starts a shape (B/b of Bearer, e of eyJ, -, ", p of private_key): nothing to redact.
    const plain = fc.string({ maxLength: 80 }).filter((s) => !/[Bbe"\-p]/.test(s));
    fc.assert(
      fc.property(plain, textWithSecrets, (p, { text }) => {
        figures.texts += 2;
        expect(redact(p)).toBe(p);
        expect(redact(redact(text))).toBe(redact(text));
      }),
      { numRuns: RUNS, ...fcSeed() },
    );
  });
});

describe("TailerError", () => {
  /** A registered secret: any text of at least 12 characters, with a unique core. */
  const registered = fc
    .tuple(fc.string({ maxLength: 10 }), core, fc.string({ maxLength: 10 }))
    .map(([a, c, b]) => a + c + b)
    .filter((s) => !s.includes("[REDACTED]"));

  test("never shows a registered secret in its message, JSON, stack, string form or inspection", () => {
    fc.assert(
      fc.property(
        registered,
        fc.record({ message: filler, serverMessage: filler, hint: filler, requestId: filler, causeMessage: filler }),
        fc.constantFrom("message", "serverMessage", "hint", "requestId", "cause", "cause-stack", "cause-string", "everywhere"),
        fc.constantFrom(...Object.values(ErrorCodes)),
        (value, parts, where, code) => {
          figures.errors++;
          registerSecret(value);
          const put = (field: string, text: string) => (where === field || where === "everywhere" ? `${text}${value}${text}` : text);
          let cause: unknown = new Error(put("cause", parts.causeMessage));
          if (where === "cause-stack" || where === "everywhere") (cause as Error).stack = `Error: boom\n    at secret (${value})`;
          if (where === "cause-string") cause = `failed with ${value}`;
          const error = new TailerError(code, put("message", parts.message), {
            action: "launch_job",
            status: 401,
            serverMessage: put("serverMessage", parts.serverMessage),
            hint: put("hint", parts.hint),
            requestId: put("requestId", parts.requestId),
            attempts: 3,
            cause,
          });
          const views = [
            error.message,
            JSON.stringify(error),
            JSON.stringify(error.toJSON()),
            String(error.stack),
            String(error),
            inspect(error, { depth: 5 }),
            inspect(error.cause, { depth: 5 }),
            String(error.serverMessage),
            String(error.hint),
            String(error.requestId),
          ];
          for (const view of views) if (view.includes(value)) throw new Error(`the secret survived (${where}): ${view}`);
        },
      ),
      { numRuns: RUNS, ...fcSeed() },
    );
  });
});
