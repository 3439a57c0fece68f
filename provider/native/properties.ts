/**
 * Property bags between the engine and the resource logic. The engine sends secrets wrapped in Pulumi's
 * signature object (we accept secrets, so it does); the resource logic works on plain values. A value
 * that arrived secret goes back secret: the whole top-level property is wrapped again on the way out.
 */
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { registerSecret } from "../core/redact";

/** The key that marks a wrapped special value, and the signature of a secret. */
export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret value. */
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/** Properties the dynamic front keeps in state that a native resource never shows (a migrated stack still has them). */
export const INTERNAL_KEYS = ["__provider", "__urn"] as const;

/** A plain bag, and the top-level keys whose values were (or held) secrets. */
export interface Unwrapped {
  /** The bag without any secret wrapper. */
  values: Record<string, unknown>;
  /** Top-level keys that were secret, in whole or in part. */
  secretKeys: Set<string>;
}

function isSecret(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIGNATURE_KEY] === SECRET_SIGNATURE;
}

function unwrapValue(value: unknown, found: { secret: boolean }): unknown {
  if (isSecret(value)) {
    found.secret = true;
    const inner = unwrapValue(value.value, found);
    // A secret can end up in a message (a configuration id in a progress line): redact it there too.
    if (typeof inner === "string") registerSecret(inner);
    return inner;
  }
  if (Array.isArray(value)) return value.map((item) => unwrapValue(item, found));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, unwrapValue(item, found)]));
  return value;
}

/** Removes every secret wrapper from `bag`, remembering which top-level keys held one. */
export function unwrapSecrets(bag: Record<string, unknown> | undefined): Unwrapped {
  const values: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [key, value] of Object.entries(bag ?? {})) {
    const found = { secret: false };
    values[key] = unwrapValue(value, found);
    if (found.secret) secretKeys.add(key);
  }
  return { values, secretKeys };
}

/** Wraps the values of `secretKeys` as secrets again. */
export function wrapSecrets(bag: Record<string, unknown>, secretKeys: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(bag).map(([key, value]) => [
      key,
      secretKeys.has(key) && value !== undefined ? { [SIGNATURE_KEY]: SECRET_SIGNATURE, value } : value,
    ]),
  );
}

/** The bag without the dynamic front's internal properties and without undefined values (a Struct cannot hold them). */
export function publicProperties(bag: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(bag)) {
    if ((INTERNAL_KEYS as readonly string[]).includes(key) || value === undefined) continue;
    result[key] = withoutUndefined(value);
  }
  return result;
}

function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => [key, withoutUndefined(item)]),
    );
  return value;
}

/** A Struct's content as a plain object (an absent Struct is an empty bag). */
export function fromStruct(struct: Struct | undefined): Record<string, unknown> {
  return (struct?.toJavaScript() as Record<string, unknown> | undefined) ?? {};
}
