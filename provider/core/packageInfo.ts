/** What this package says of itself in its package.json, read once. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The package.json of pulumi-tailer above `start` (sources: two levels up; dist/: three). */
function findManifest(start: string): { name?: string; version?: string } {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (manifest.name === "pulumi-tailer") return manifest;
    } catch {
      // no package.json here: look further up
    }
  }
  return {};
}

/** The version of this package, as its package.json says ("0.0.0" if it cannot be found). */
export const PACKAGE_VERSION: string = findManifest(__dirname).version ?? "0.0.0";
