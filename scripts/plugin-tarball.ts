/**
 * `npm run plugin-tarball`: the provider plugin as `pulumi plugin install resource tailer <version>
 * --file <tgz>` takes it, for machines without the npm package (YAML, Python and Go programs). The
 * tarball holds `pulumi-resource-tailer`, one file bundled by esbuild from the compiled provider (so it
 * needs Node.js, and no node_modules), and the package.json that names its version.
 *
 * Built from dist/ (run `npm run build` first); kept in node_modules/.cache, keyed by what it is built
 * from, so the tests and CI build it once per change. Prints the tarball's path.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { CACHE_DIR, digestOf, filesUnder } from "./gen-sdk";
import { REPO } from "./pulumi-cli";

/** The plugin's executable name, as the engine looks for it. */
export const PLUGIN_EXECUTABLE = "pulumi-resource-tailer";

/** The package's version, which the plugin reports and the tarball is installed as. */
export function pluginVersion(): string {
  return JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version;
}

/** The plugin tarball for the current build, made when missing; returns its path. */
export function pluginTarball(): string {
  const dist = join(REPO, "dist", "provider");
  if (!existsSync(join(dist, "native", "main.js"))) throw new Error("dist/provider/native/main.js is missing: run npm run build first");
  const inputs = [...filesUnder(dist).filter((file) => file.endsWith(".js")), join(REPO, "package-lock.json")];
  const tarball = join(CACHE_DIR, `${PLUGIN_EXECUTABLE}-v${pluginVersion()}-${digestOf(inputs)}.tgz`);
  if (existsSync(tarball)) return tarball;
  mkdirSync(CACHE_DIR, { recursive: true });
  const stage = mkdtempSync(join(CACHE_DIR, "plugin-"));
  try {
    const executable = join(stage, PLUGIN_EXECUTABLE);
    buildSync({
      stdin: { contents: 'require("./main").run(process.argv.slice(2));', resolveDir: join(dist, "native"), loader: "js" },
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      outfile: executable,
      banner: { js: "#!/usr/bin/env node" },
      logLevel: "error",
    });
    chmodSync(executable, 0o755);
    writeFileSync(join(stage, "package.json"), `${JSON.stringify({ name: "pulumi-tailer", version: pluginVersion() }, null, 2)}\n`);
    const partial = `${tarball}.${process.pid}.tmp`;
    execFileSync("tar", ["-czf", partial, "-C", stage, PLUGIN_EXECUTABLE, "package.json"]);
    renameSync(partial, tarball);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return tarball;
}

if (require.main === module) console.log(pluginTarball());
