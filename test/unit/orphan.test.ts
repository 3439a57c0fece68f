/** A provider process whose engine is gone (pulumi killed) exits rather than living on as an orphan. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { exitCodeOnceEngineCloses } from "../helpers/provider-rpc";
import { REPO } from "../helpers/pulumi";

test("the dynamic-provider process exits once its engine stops listening, not before", async () => {
  const runtime = join(REPO, "dist", "provider", "resources", "engineWatch.js");
  const script = (address: string) =>
    `require(${JSON.stringify(runtime)}).watchEngine(["node", "/x/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js", ${JSON.stringify(address)}], 100); setInterval(() => {}, 1000);`;
  expect(await exitCodeOnceEngineCloses(script)).toBe(1);
});

test("elsewhere (a program, a test) it watches nothing, even with no engine at that address", async () => {
  const runtime = join(REPO, "dist", "provider", "resources", "engineWatch.js");
  const script = `require(${JSON.stringify(runtime)}).watchEngine(["node", "/work/program/index.js", "127.0.0.1:1"], 50); setTimeout(() => process.exit(0), 600);`;
  const child = spawn(process.execPath, ["-e", script], { stdio: "ignore" });
  expect(await new Promise((resolve) => child.on("exit", (code) => resolve(code)))).toBe(0);
});
