/**
 * The schema and the generated SDKs: schema.json is what the plugin serves; the committed SDKs are what
 * `npm run gen-sdk` writes today; the Python SDK installs into a venv with PyPI's pulumi, imports and
 * type-checks (mypy --strict); the Go SDK compiles. The venv is kept in node_modules/.cache per SDK version.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { CACHE_DIR, digestOf, filesUnder, generate } from "../../scripts/gen-sdk";
import { offlineEnv, pulumiBinDir, REPO } from "../helpers/pulumi";

jest.setTimeout(600_000);

const SDK = join(REPO, "sdk");

test("schema.json is what the plugin serves (pulumi package get-schema)", () => {
  const scratch = mkdtempSync(join(tmpdir(), "tailer-schema-"));
  try {
    symlinkSync(join(REPO, "dist", "provider", "native", "main.js"), join(scratch, "pulumi-resource-tailer"));
    const env = { ...process.env, ...offlineEnv(join(scratch, "state"), join(scratch, "home")) };
    const served = execFileSync(join(pulumiBinDir(), "pulumi"), ["package", "get-schema", join(scratch, "pulumi-resource-tailer")], {
      env,
      encoding: "utf8",
    });
    expect(JSON.parse(served)).toEqual(JSON.parse(readFileSync(join(REPO, "schema.json"), "utf8")));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test("the committed schema.json and SDKs are what npm run gen-sdk writes today", () => {
  const scratch = mkdtempSync(join(tmpdir(), "tailer-sdk-"));
  try {
    generate(join(scratch, "schema.json"), join(scratch, "sdk"));
    expect(readFileSync(join(scratch, "schema.json"), "utf8")).toBe(readFileSync(join(REPO, "schema.json"), "utf8"));
    const tree = (root: string) =>
      Object.fromEntries(
        filesUnder(root, ["node_modules", "bin", "__pycache__", "go.mod", "go.sum", "build", "dist", "pulumi_tailer.egg-info"]).map((f) => [
          relative(root, f),
          readFileSync(f, "utf8"),
        ]),
      );
    const fresh = tree(join(scratch, "sdk"));
    const committed = tree(SDK);
    // A stale file fails here by name: run npm run gen-sdk and commit what changed.
    expect(Object.keys(committed).sort()).toEqual(Object.keys(fresh).sort());
    for (const [file, text] of Object.entries(fresh)) expect({ file, text: committed[file] }).toEqual({ file, text });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

/** A venv with PyPI's pulumi, mypy and the Python SDK, built once per version of the SDK. */
function pythonVenv(): string {
  const venv = join(CACHE_DIR, `python-${digestOf(filesUnder(join(SDK, "python"), ["__pycache__", "build", "pulumi_tailer.egg-info"]))}`);
  if (existsSync(join(venv, ".complete"))) return venv;
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(CACHE_DIR, { recursive: true });
  execFileSync("python3", ["-m", "venv", venv]);
  const pip = (...args: string[]) => execFileSync(join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", ...args]);
  pip("pulumi==3.248.0", "mypy");
  // From a copy: pip writes build/ and *.egg-info next to the sources.
  const copy = mkdtempSync(join(tmpdir(), "tailer-pysdk-"));
  cpSync(join(SDK, "python"), copy, { recursive: true });
  pip(copy);
  rmSync(copy, { recursive: true, force: true });
  writeFileSync(join(venv, ".complete"), "");
  return venv;
}

const PYTHON_PROGRAM = `
import pulumi
import pulumi_tailer as tailer

status = tailer.ConfigurationStatus(
    "load",
    account="000099",
    environment=tailer.Environment.DEV,
    configuration_type=tailer.ConfigurationType.TABLE_TO_TABLE,
    configuration_id="000099_sales_load_DEV",
    activated=True,
)
run = tailer.JobRun(
    "load-run",
    account="000099",
    environment=tailer.Environment.DEV,
    configuration_type=tailer.ConfigurationType.TABLE_TO_TABLE,
    configuration_id=status.configuration_id,
    timeout_seconds=600,
    triggers={"release": "1"},
    opts=pulumi.ResourceOptions(depends_on=[status]),
)
last = tailer.get_last_status_output(
    account="000099",
    environment=tailer.Environment.DEV,
    configuration_type=tailer.ConfigurationType.TABLE_TO_TABLE,
    configuration_id="000099_sales_load_DEV",
    limit=1,
)
pulumi.export("run_id", run.run_id)
pulumi.export("last", last.runs.apply(lambda runs: [r.status for r in runs]))
`;

test("the Python SDK pip-installs with PyPI's pulumi, imports, and a program on it type-checks (mypy --strict); a wrong type does not", () => {
  const venv = pythonVenv();
  const python = join(venv, "bin", "python");
  const imported = execFileSync(python, ["-c", "import pulumi_tailer as t; print(t.JobRun.__name__, t.get_runs_by_status.__name__)"], {
    encoding: "utf8",
  });
  expect(imported.trim()).toBe("JobRun get_runs_by_status");
  const scratch = mkdtempSync(join(tmpdir(), "tailer-pyprog-"));
  try {
    writeFileSync(join(scratch, "ok.py"), PYTHON_PROGRAM);
    writeFileSync(join(scratch, "wrong.py"), PYTHON_PROGRAM.replace("activated=True", 'activated="yes"'));
    const mypy = (file: string) =>
      spawnSync(join(venv, "bin", "mypy"), ["--strict", "--cache-dir", join(venv, ".mypy_cache"), file], {
        cwd: scratch,
        encoding: "utf8",
      });
    const ok = mypy("ok.py");
    expect(ok.stdout).toContain("Success: no issues found");
    const wrong = mypy("wrong.py");
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout).toMatch(/wrong\.py:5: error: No overload variant of "ConfigurationStatus"/);
    expect(wrong.stdout).toContain("Found 1 error in 1 file");
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});

test("the Go SDK compiles and passes go vet", () => {
  const go = (...args: string[]) =>
    execFileSync("go", args, { cwd: join(SDK, "go"), env: { ...process.env, GOWORK: "off", GOFLAGS: "-mod=readonly" }, stdio: "pipe" });
  go("build", "./...");
  go("vet", "./...");
});
