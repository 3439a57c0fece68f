/**
 * Request bodies: decoded as UTF-8, bounded in nesting depth, parsed as JSON, and
 * on failure reported with V8's reason and position (as line, column, offset) but
 * never with the body's text, so nothing a client sent is echoed back.
 */
import { BadRequestError, InvalidJsonError } from "./errors";

/** Deepest nesting of arrays and objects accepted in a body (the API's bodies are flat). */
const MAX_JSON_DEPTH = 32;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses a request body that must be one JSON object; throws a 400 error saying what is wrong and where. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw new BadRequestError("request body is empty; send a JSON object");
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new BadRequestError("request body is not valid UTF-8");
  }
  const tooDeep = depthExceeded(text, MAX_JSON_DEPTH);
  if (tooDeep !== -1) {
    throw new BadRequestError(`request body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels (${where(text, tooDeep)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InvalidJsonError(`request body is not valid JSON: ${describeJsonError((e as Error).message, text)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    throw new BadRequestError(`request body must be a JSON object, got ${kind}`);
  }
  return value as Record<string, unknown>;
}

/** "line L, column C, position P" for an offset in `text` (1-based line and column). */
function where(text: string, position: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${position - lineStart + 1}, position ${position}`;
}

/** Offset where nesting first exceeds `max`, or -1. Strings are skipped, so brackets inside them do not count. */
function depthExceeded(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return i;
    } else if (c === 125 || c === 93) depth--;
  }
  return -1;
}

/**
 * V8's JSON.parse message as the reason and, when V8 gives one, the position: never the quoted input that
 * some messages carry (`Unexpected token 'x', "<the body>" is not valid JSON`), so nothing sent is echoed.
 */
function describeJsonError(message: string, text: string): string {
  const position = /at position (\d+)/.exec(message)?.[1];
  const reason = message
    .replace(/, ".*" is not valid JSON$/s, "")
    .replace(/ (?:in JSON )?at position \d+.*$/s, "")
    .replace(/ of JSON input$/, " of input")
    .slice(0, 120);
  const lowered = reason.charAt(0).toLowerCase() + reason.slice(1);
  const at = position !== undefined ? Number(position) : reason.endsWith("end of input") ? text.length : undefined;
  return at === undefined ? lowered : `${lowered} (${where(text, at)})`;
}
