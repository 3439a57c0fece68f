/**
 * Turns zod issues into field-named messages ("account: must be 6 digits"), the
 * form every 400 of the emulator uses, and parses with them.
 */
import type { z } from "zod";
import { type FieldIssue, ValidationError } from "./errors";

/** Renders a zod path as `a.b[2].c`. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const part of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[part];
  }
  return v;
}

/** JSON's own name for a value's kind: zod names an object by its constructor, which differs across realms (jest, vm). */
function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** zod's message, except a wrong type reads "expected X, received <JSON kind>" whatever realm parsed the body. */
function issueMessage(issue: z.core.$ZodIssue, value: unknown): string {
  // Only zod's default wording is rewritten; a schema's own message ("limit must be a number") stays.
  if (issue.code !== "invalid_type" || !issue.message.startsWith("Invalid input: expected ")) return issue.message;
  return `Invalid input: expected ${issue.expected}, received ${jsonKind(value)}`;
}

/** Field issues from a failed zod parse; a missing field reads "is required" rather than zod's type or value message. */
export function fieldIssues(error: z.ZodError, input: unknown): FieldIssue[] {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    const field = fieldPath(issue.path);
    // zod reports a missing enum or literal as a wrong value: an absent field reads "is required" whatever the code.
    const missing = issue.path.length > 0 && issue.code !== "custom" && valueAt(input, issue.path) === undefined;
    const message = missing ? "is required" : issueMessage(issue, valueAt(input, issue.path));
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ field, message });
  }
  return issues;
}

/** Parses `input` with `schema` or throws a ValidationError naming each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(fieldIssues(result.error, input), prefix);
}
