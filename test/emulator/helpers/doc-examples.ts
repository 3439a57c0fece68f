/**
 * Extracts the curl examples of the two Tailer API doc pages: each example's
 * JSON body (as text: one of them is not valid JSON), its URL, and the response
 * the page documents after it (if any).
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** Verbatim copies of the two Tailer API documentation pages (the contract), kept in the repository. */
export const SEED_PAGES_DIR = path.join(__dirname, "..", "fixtures", "seeds");

/** One curl example of a doc page. */
export interface DocExample {
  /** Page file name and 1-based example number, for test names. */
  name: string;
  page: string;
  /** The text between `--data '` and `'`. */
  bodyText: string;
  /** The documented URL. */
  url: string;
  /** The API path of the URL. */
  path: string;
  /** The documented response: parsed JSON, or undefined when the page shows none. */
  documentedResponse: Record<string, unknown> | undefined;
  /** The documented response's text as printed. */
  documentedResponseText: string | undefined;
}

/** Balanced `{...}` starting at `start` (strings respected), or undefined. */
function balancedObject(text: string, start: number): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}

/** The first JSON response printed in `segment`: a `{...}` block, or a bare `"key": value` line (older page). */
function documentedResponse(segment: string): { parsed: Record<string, unknown>; text: string } | undefined {
  for (const line of segment.split("\n")) {
    const trimmed = line.trim();
    if (trimmed.startsWith("{")) {
      const offset = segment.indexOf(line) + line.indexOf("{");
      const block = balancedObject(segment, offset);
      if (block === undefined) return undefined;
      return { parsed: JSON.parse(block) as Record<string, unknown>, text: block };
    }
    if (trimmed.startsWith('"')) {
      // The older page prints the launch answer without braces.
      return { parsed: JSON.parse(`{${trimmed}}`) as Record<string, unknown>, text: trimmed };
    }
  }
  return undefined;
}

/** Every curl example of one page, in page order. */
export function examplesOf(file: string): DocExample[] {
  const text = readFileSync(file, "utf8");
  const page = path.basename(file);
  const examples: DocExample[] = [];
  const curl = /--data '([^']*)' \\\s*\n"(https:\/\/[^"]+)"/g;
  const matches = [...text.matchAll(curl)];
  matches.forEach((m, index) => {
    const end = (m.index as number) + m[0].length;
    const nextStart = text.indexOf("TAILER_API_", end);
    const segment = text.slice(end, nextStart === -1 ? text.length : nextStart);
    const response = documentedResponse(segment.replace(/```\w*/g, ""));
    const url = m[2] as string;
    examples.push({
      name: `${page} #${index + 1}`,
      page,
      bodyText: m[1] as string,
      url,
      path: new URL(url).pathname,
      documentedResponse: response?.parsed,
      documentedResponseText: response?.text,
    });
  });
  return examples;
}

/** The doc pages (file paths), newer first. */
export function docPages(): string[] {
  return readdirSync(SEED_PAGES_DIR)
    .filter((f) => f.endsWith(".txt"))
    .sort()
    .map((f) => path.join(SEED_PAGES_DIR, f));
}
