/**
 * `npm run gen-sdk`: writes schema.json from the provider's schema module, then the Node.js, Python and
 * Go SDKs under sdk/ with tools/sdk-gen (pkg/v3's code generators). The generator binary is built once
 * per version of its sources and kept in node_modules/.cache; `go build` reuses the Go build cache.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { schemaText } from "../provider/native/schema";
import { REPO } from "./pulumi-cli";

/** Where builds that only depend on the sources they were made from are kept between runs. */
export const CACHE_DIR = join(REPO, "node_modules", ".cache", "pulumi-tailer");

/** A short digest of files' contents (and names), to key cached builds. */
export function digestOf(files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort()) hash.update(`${file}\0`).update(readFileSync(file)).update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** Every file under `dir` (relative to it is not needed: absolute paths), skipping node_modules and build outputs. */
export function filesUnder(dir: string, skip: readonly string[] = ["node_modules", "bin", "__pycache__"]): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skip.includes(entry.name)) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path, skip) : [path];
  });
}

/** The sdk-gen binary for the current sources, built when missing. */
export function sdkGenerator(): string {
  const sources = join(REPO, "tools", "sdk-gen");
  const binary = join(CACHE_DIR, `sdk-gen-${digestOf(filesUnder(sources))}`);
  if (!existsSync(binary)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    execFileSync("go", ["build", "-mod=readonly", "-o", binary, "."], {
      cwd: sources,
      env: { ...process.env, GOWORK: "off", CGO_ENABLED: "0" },
      stdio: ["ignore", "inherit", "inherit"],
    });
  }
  return binary;
}

/** Writes `schemaFile` and the SDKs generated from it under `outDir/<language>`. */
export function generate(schemaFile: string, outDir: string, languages = "nodejs,python,go"): void {
  writeFileSync(schemaFile, schemaText());
  execFileSync(sdkGenerator(), ["-schema", schemaFile, "-out", outDir, "-lang", languages], { stdio: ["ignore", "inherit", "inherit"] });
}

if (require.main === module) generate(join(REPO, "schema.json"), join(REPO, "sdk"));
