/**
 * How the tests install npm packages into fresh projects: from the machine's npm cache first (offline when it
 * can), and with better-sqlite3's native module taken from a local prebuild of the one this repository built,
 * through prebuild-install's own `local-prebuilds` setting, instead of compiling SQLite again (a minute and more).
 * Everything else of the install is what a user's `npm install` does.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR } from "../../scripts/gen-sdk";
import { REPO } from "./pulumi";

/** The prebuild tarball prebuild-install looks for: `<dir>/better-sqlite3-v<version>-node-v<abi>-<platform>-<arch>.tar.gz`. */
function betterSqlitePrebuildDir(): string | undefined {
  const moduleDir = join(REPO, "node_modules", "better-sqlite3");
  const binary = join(moduleDir, "build", "Release", "better_sqlite3.node");
  if (!existsSync(binary)) return undefined; // not built here: the install compiles it
  const { version } = JSON.parse(readFileSync(join(moduleDir, "package.json"), "utf8")) as { version: string };
  const dir = join(CACHE_DIR, "prebuilds");
  const tarball = join(dir, `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`);
  if (!existsSync(tarball)) {
    mkdirSync(dir, { recursive: true });
    const stage = `${tarball}.${process.pid}.tmp`;
    execFileSync("tar", ["-czf", stage, "-C", moduleDir, "build/Release/better_sqlite3.node"]);
    execFileSync("mv", ["-f", stage, tarball]);
  }
  return dir;
}

/** Environment for `npm install` in a test's fresh project (add it to the process's). */
export function npmInstallEnv(): Record<string, string> {
  const prebuilds = betterSqlitePrebuildDir();
  return {
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    ...(prebuilds ? { npm_config_better_sqlite3_local_prebuilds: prebuilds } : {}),
  };
}
