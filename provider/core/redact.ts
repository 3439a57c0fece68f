/**
 * Removes secrets from text before it can reach an error, a log line or Pulumi state.
 *
 * Two layers: the exact values this process has handled as secrets (tokens it minted or was given,
 * private keys), and anything shaped like a secret (a JWT, a bearer credential, a PEM private key).
 */

const REDACTED = "[REDACTED]";

// Secrets seen by this process. A Set of strings, so redaction never needs the caller's help.
const knownSecrets = new Set<string>();

// Short values would redact ordinary words; real tokens and keys are far longer.
const MIN_SECRET_LENGTH = 12;

/** Registers a value (token, key) that must never appear in any text this package produces. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) knownSecrets.add(value);
}

// In this order, and each stops where the next secret starts, so that secrets written back to back are
// all removed: the delimited shapes first (a credential's characters include the '-' of "-----BEGIN").
const SHAPES: readonly RegExp[] = [
  // A PEM private key block, even when JSON-escaped; cut short (no END line, a log line quoting the
  // start of a key file), its base64 lines, up to where a JWT or a Bearer credential starts.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----|(?:(?!ey[IJ][A-Za-z0-9_-]{4,}\.ey[IJ]|[Bb][Ee][Aa][Rr][Ee][Rr]\s)(?:[A-Za-z0-9+/=\r\n]|\\[nr]))*)/g,
  // "private_key": "..." inside a service-account key, also when that key's JSON is itself inside a JSON
  // string (\"private_key\": \"..., then up to the end of that string), and when the value is cut short
  // (up to the end of the text).
  /(\\*"private_key\\*"\s*:\s*\\*")(?:(?!\\*"private_key\\*")(?:[^"\\]|\\.))*/g,
  // Bearer credentials in headers or messages (before JWTs, whose signature would eat a following "Bearer").
  /(Bearer\s+)(?:(?!Bearer\s)[A-Za-z0-9._~+/=-]){8,}/gi,
  // A JWT: three base64url segments, the first two starting with '{"', which encodes as `eyJ`, or as
  // `eyI` when the first key starts with a character below '@' (a digit, '$', '"' of an empty key...).
  /ey[IJ][A-Za-z0-9_-]{4,}\.ey[IJ][A-Za-z0-9_-]{4,}\.(?:(?!ey[IJ][A-Za-z0-9_-]{4,}\.ey[IJ])[A-Za-z0-9_-])*/g,
];

/** Returns `text` with every known secret and every secret-shaped substring replaced by [REDACTED]. */
export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const shape of SHAPES) {
    out = out.replace(shape, (match, prefix?: unknown) =>
      typeof prefix === "string" && match.startsWith(prefix) ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return out;
}

/** Deep-redacts every string inside a JSON-like value (used on server messages and error details). */
export function redactValue<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v);
    return out as T;
  }
  return value;
}
