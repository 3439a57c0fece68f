/**
 * Request bodies: decoded as UTF-8, bounded in nesting depth, parsed as JSON, and
 * on failure reported with a position (line, column, offset) but never with the
 * body's text, so nothing a client sent is echoed back.
 */
import { BadRequestError, InvalidJsonError } from "./errors";

/** Deepest nesting of arrays and objects accepted in a body (the API's bodies are flat). */
export const MAX_JSON_DEPTH = 32;

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
  } catch {
    const error = locateJsonError(text);
    throw new InvalidJsonError(`request body is not valid JSON: ${error.reason} (${where(text, error.position)})`);
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

/** A JSON syntax error's offset and a short reason. */
export interface JsonErrorLocation {
  position: number;
  reason: string;
}

/**
 * Finds the first syntax error of a text JSON.parse rejected. JSON.parse's own
 * messages only sometimes carry a position and sometimes quote the input, so a
 * small validator (only run on failure, depth already bounded) says where.
 */
export function locateJsonError(text: string): JsonErrorLocation {
  let i = 0;
  const fail = (reason: string): never => {
    throw { position: Math.min(i, text.length), reason } satisfies JsonErrorLocation;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describe()}`);
  };
  const describe = () => (i >= text.length ? "end of input" : `character '${text[i]}'`);
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) fail("control character in string");
      if (c === 92) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i++;
            fail("bad \\u escape in string");
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else {
          i++;
          fail("bad escape in string");
        }
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "-") fail(`unexpected ${describe()}`);
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describe()}`);
        string();
        ws();
        if (text[i] !== ":") fail(`expected ':' after a property name, found ${describe()}`);
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail(`expected ',' or '}' after a property value, found ${describe()}`);
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail(`expected ',' or ']' after an array element, found ${describe()}`);
      }
    }
    if (c === '"') string();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) number();
    else fail(`unexpected ${describe()}`);
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${describe()} after the JSON value`);
  } catch (e) {
    if (typeof e === "object" && e !== null && "position" in e) return e as JsonErrorLocation;
    throw e;
  }
  // JSON.parse rejected what this validator accepts: should not happen; report the end.
  return { position: text.length, reason: "unexpected input" };
}
