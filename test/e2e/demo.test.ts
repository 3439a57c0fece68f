/**
 * `npm run demo` as CI or a pipe sees it (stdout not a terminal): the story in plain text, with the Tailer Studio
 * change shown as the curl commands it stands for, the drift shown with its evidence, and what destroy did.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO } from "../helpers/pulumi";

jest.setTimeout(600_000);

/** Runs the built demo with its output piped; resolves with its exit code and what it printed. */
function demo(): Promise<{ code: number; output: string }> {
  const { FORCE_COLOR: _force, NO_COLOR: _no, ...env } = process.env; // colour, if any, is the demo's choice
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(REPO, "dist", "scripts", "demo.js")], {
      cwd: REPO,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? -1, output }));
  });
}

test("npm run demo, piped: plain text without progress noise, the Studio change as curl, drift with its evidence, what destroy did", async () => {
  const { code, output } = await demo();
  expect({ code, tail: code === 0 ? "" : output.slice(-4000) }).toEqual({ code: 0, tail: "" });

  // Plain text: no escape codes (colours, cursor moves), no progress dots or "@ updating" lines.
  expect(output).not.toContain("\x1b");
  expect(output).not.toMatch(/^@ (updating|previewing|destroying|refreshing)/im);
  expect(output).not.toMatch(/^\.+\s*$/m);

  // The out-of-band change, as the calls a Studio user's action stands for.
  expect(output).toMatch(/^\$ TOKEN=\$\(npx tailer-emulator token --url http:\/\/127\.0\.0\.1:\d+\)/m);
  expect(output).toMatch(
    /^\$ curl -sS -H "Authorization: Bearer \$TOKEN" -H "content-type: application\/json" http:\/\/127\.0\.0\.1:\d+\/v1\/configuration\/status \\\n {4}-d '\{"action":"set_configuration_status",.*"configuration_id":"000099_sales_aggregate_DEV","activated":false,"archived":false\}'\n\{"message":"ok"\}$/m,
  );
  expect(output).toMatch(
    /\/v1\/dag\/launch \\\n {4}-d '\{"action":"launch_job",.*"configuration_id":"000099_sales_aggregate_DEV"\}'\n\{"run_id":"[^"]+"\}$/m,
  );

  // The drift gate fails, and the demo quotes the evidence: the drifted configuration, the change, the run.
  const evidence = output.slice(output.indexOf("Drift caught"));
  expect(evidence).toMatch(/^Drift caught: the gate exited [1-9]\d*\. The evidence, from the diff above:$/m);
  expect(evidence).toMatch(
    /^ {2}\[id=000099\/DEV\/table-to-table\/000099_sales_aggregate_DEV\]\n {2}~ activated\s+: true => false\n {2}\+ lastRunId\s+: "[^"]+"\n {2}\+ lastRunStartDate\s+: "[^"]+"\n {2}\+ lastRunStatus\s+: "DEACTIVATED"\n\n==> pulumi up --refresh/m,
  );

  // Destroy says what it did per onDelete, and the demo shows Tailer's state after it.
  expect(output).toContain("tailer: 000099_sales_aggregate_DEV (DEV) disabled in Tailer (onDelete: disable)");
  expect(output).toContain("tailer: 000099_sales_load_DEV (DEV) left as it is in Tailer (onDelete: keep)");
  expect(output).toMatch(
    /^000099_sales_load_DEV: active \(onDelete: keep\)\n000099_sales_aggregate_DEV: disabled \(onDelete: disable\)\n000099_sales_export: disabled \(onDelete: keep\)$/m,
  );
});
