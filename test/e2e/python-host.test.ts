/**
 * Python programs run by the offline CLI through our Python language host (tools/pulumi-cli/pulumi-language-python)
 * and its executor, with the real `pulumi` SDK from PyPI in the virtualenv Pulumi.yaml names.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { processGroup, stackProcesses, waitFor } from "../helpers/processes";
import { createProgramStack, type ProgramStack } from "../helpers/programs";
import { createPythonVirtualenv, pythonProject, pythonSdkVirtualenv } from "../helpers/python";

jest.setTimeout(600_000);

/** Uses only `pulumi`: configuration, a secret, the log, outputs (one derived from the secret), and a failure on demand. */
const PROGRAM = `import pulumi

config = pulumi.Config()
greeting = config.require("greeting")
token = config.require_secret("token")

pulumi.log.info(f"greeting is {greeting}")
if config.get_bool("fail"):
    raise ValueError("the program was asked to fail")

pulumi.export("greeting", greeting)
pulumi.export("shout", pulumi.Output.from_input(greeting).apply(lambda g: g.upper() + "!"))
pulumi.export("token", token)
pulumi.export("tokenLength", token.apply(len))
pulumi.export("where", {"project": pulumi.get_project(), "stack": pulumi.get_stack()})
`;

const SECRET = "s3cr3t-t0ken-value";
const stacks: ProgramStack[] = [];

/** A stack of PROGRAM with its own virtualenv (a copy of the cached SDK one). */
async function programStack(config: Record<string, string> = {}): Promise<ProgramStack> {
  const stack = await createProgramStack(pythonProject("pyhost", PROGRAM), {
    config: { greeting: "hello", ...config },
    secretConfig: { token: SECRET },
  });
  stacks.push(stack);
  await createPythonVirtualenv(join(stack.dir, "venv"));
  return stack;
}

const output = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

beforeAll(async () => {
  await pythonSdkVirtualenv(); // the first run on a machine installs pulumi from PyPI
});
afterAll(() => {
  for (const stack of stacks) stack.dispose();
});

test("pulumi up runs the program in its virtualenv with the stack's config and secret, shows its log and records its outputs", async () => {
  const stack = await programStack();
  const up = await stack.pulumi(["up", "--yes"]);
  expect(up.code).toBe(0);
  expect(output(up)).toContain("greeting is hello");
  expect(output(up)).not.toContain(SECRET);

  expect(await stack.outputs()).toEqual({
    greeting: "hello",
    shout: "HELLO!",
    token: "[secret]",
    tokenLength: "[secret]",
    where: { project: "pyhost", stack: "test" },
  });
  expect(await stack.outputs(true)).toMatchObject({ token: SECRET, tokenLength: SECRET.length });
  const exported = await stack.pulumi(["stack", "export"]);
  expect(exported.code).toBe(0);
  expect(exported.stdout).not.toContain(SECRET); // encrypted in the state
});

test("pulumi preview after an up finds nothing to change, and pulumi destroy empties the stack", async () => {
  const stack = await programStack();
  expect((await stack.pulumi(["up", "--yes"])).code).toBe(0);

  const preview = await stack.pulumi(["preview", "--expect-no-changes"]);
  expect(preview.code).toBe(0);
  expect(output(preview)).toContain("greeting is hello"); // the program ran, as a dry run

  const destroy = await stack.pulumi(["destroy", "--yes"]);
  expect(destroy.code).toBe(0);
  expect(await stack.outputs()).toEqual({});
  const exported = JSON.parse((await stack.pulumi(["stack", "export"])).stdout);
  expect(exported.deployment.resources ?? []).toEqual([]);
});

test("an unhandled exception fails the update with a non-zero exit code and its message shown once", async () => {
  const stack = await programStack({ fail: "true" });
  const up = await stack.pulumi(["up", "--yes"]);
  expect(up.code).not.toBe(0);
  const text = output(up);
  expect(text.match(/ValueError: the program was asked to fail/g)).toHaveLength(1);
  expect(text).toMatch(/Program failed with an unhandled exception:/);
  expect(text).toContain(`File "${join(stack.dir, "__main__.py")}", line 9, in <module>`);
  expect(text).not.toContain("pulumi-language-python-exec"); // the traceback starts at the program
  expect(text).not.toMatch(/non-zero exit code/); // exit code 32: the engine adds nothing
});

test("pulumi install creates the virtualenv Pulumi.yaml names and installs requirements.txt into it", async () => {
  const stack = await createProgramStack(pythonProject("pyhost", PROGRAM), {
    config: { greeting: "hello" },
    secretConfig: { token: SECRET },
  });
  stacks.push(stack);
  const install = await stack.pulumi(["install"]);
  expect(install.code).toBe(0);
  expect(output(install)).toMatch(/Creating virtual environment .*venv/);
  expect(existsSync(join(stack.dir, "venv", "bin", "python"))).toBe(true);
  expect((await stack.pulumi(["preview"])).code).toBe(0);
});

test("uv and poetry are refused with the Pulumi.yaml that works", async () => {
  const files = pythonProject("pyhost", PROGRAM);
  files["Pulumi.yaml"] = "name: pyhost\nruntime:\n  name: python\n  options:\n    toolchain: uv\n";
  const stack = await createProgramStack(files, { config: { greeting: "hello" }, secretConfig: { token: SECRET } });
  stacks.push(stack);
  const preview = await stack.pulumi(["preview"]);
  expect(preview.code).not.toBe(0);
  expect(output(preview)).toContain("`toolchain: uv` is not supported by this offline build's Python language host");
  expect(output(preview)).toContain("{toolchain: pip, virtualenv: venv}");
});

test("a package that ships pulumi-plugin.json, such as a generated SDK, makes its resource plugin a requirement", async () => {
  const stack = await createProgramStack(pythonProject("pyhost", "import pulumi_tailer\n"));
  stacks.push(stack);
  const sdk = join(stack.dir, "..", "sdk");
  const files: Record<string, string> = {
    "pyproject.toml": `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pulumi_tailer"\nversion = "0.1.0"\n\n[tool.setuptools.package-data]\npulumi_tailer = ["pulumi-plugin.json"]\n`,
    "pulumi_tailer/__init__.py": "",
    "pulumi_tailer/pulumi-plugin.json": `{"resource": true, "name": "tailer", "version": "0.1.0"}`,
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(sdk, path)), { recursive: true });
    writeFileSync(join(sdk, path), content);
  }
  await createPythonVirtualenv(join(stack.dir, "venv"), [sdk]);

  const about = await stack.pulumi(["about", "--json"]);
  expect(about.code).toBe(0);
  expect(JSON.parse(about.stdout).plugins).toEqual(expect.arrayContaining([{ name: "tailer", version: "0.1.0", kind: "resource" }]));
});

/** A pulumi.dynamic resource; its create sleeps, or fails, when the `sleep` or `fail` config says so. */
const DYNAMIC_PROGRAM = `import time
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class Greeter(ResourceProvider):
    def create(self, props):
        time.sleep(props["sleep"])
        if props["fail"]:
            raise Exception("create refused by the provider")
        return CreateResult(id_="greeter-" + props["name"], outs={**props, "message": "hello " + props["name"]})

    def delete(self, id, props):
        pulumi.log.info("deleting " + id)


class Greeting(Resource):
    message: pulumi.Output[str]

    def __init__(self, name, sleep, fail):
        super().__init__(Greeter(), name, {"name": name, "sleep": sleep, "fail": fail, "message": None})


config = pulumi.Config()
greeting = Greeting("tailer", config.get_int("sleep") or 0, config.get_bool("fail") or False)
pulumi.export("message", greeting.message)
`;

test("a pulumi.dynamic resource is created and deleted through the Python dynamic provider (pulumi-resource-pulumi-python)", async () => {
  const stack = await createProgramStack(pythonProject("pyhost", DYNAMIC_PROGRAM));
  stacks.push(stack);
  await createPythonVirtualenv(join(stack.dir, "venv"));
  const up = await stack.pulumi(["up", "--yes"]);
  expect(up.code).toBe(0);
  expect(await stack.outputs()).toEqual({ message: "hello tailer" });
  const destroy = await stack.pulumi(["destroy", "--yes"]);
  expect(destroy.code).toBe(0);
  expect(output(destroy)).toContain("deleting greeter-tailer");
});

test("regression: a failed resource's update shows the provider's error, and the program it interrupts no traceback", async () => {
  // The engine then cancels the program twice (Cancel, then stopping the host's process group): the executor
  // used to wait for its RPCs in flight, and the second SIGINT printed a KeyboardInterrupt traceback.
  const stack = await createProgramStack(pythonProject("pyhost", DYNAMIC_PROGRAM), { config: { fail: "true" } });
  stacks.push(stack);
  await createPythonVirtualenv(join(stack.dir, "venv"));
  const up = await stack.pulumi(["up", "--yes", "--skip-preview"]);
  expect(up.code).not.toBe(0);
  expect(output(up)).toContain("create refused by the provider");
  expect(output(up)).not.toMatch(/KeyboardInterrupt/);
  // The program's errors are the stack's diagnostics. The provider's error is the resource's, and newer PyPI pulumi
  // releases (3.272.0) put pulumi.dynamic's own traceback in it.
  // The stack's block runs to the next resource's header (two spaces in) or section; blank lines may split it,
  // by severity, in either order (CI saw the host's "interrupted" message first).
  const stackDiagnostics = /pulumi:pulumi:Stack \([^)]*\):\n([\s\S]*?)\n(?= {2}\S|\S)/.exec(output(up))?.[1];
  expect(stackDiagnostics).toContain("update failed");
  expect(stackDiagnostics).not.toMatch(/Traceback/);
});

test("a killed CLI leaves no Python process behind: the language host and the dynamic provider see the engine gone", async () => {
  const stack = await createProgramStack(pythonProject("pyhost", DYNAMIC_PROGRAM), { config: { sleep: "600" } });
  stacks.push(stack);
  await createPythonVirtualenv(join(stack.dir, "venv"));
  const up = stack.start(["up", "--yes", "--skip-preview"]);
  const program = /pulumi-language-python-exec/;
  const provider = /pulumi-resource-pulumi-python/;
  // One listing per probe, groups read at once: a process forking shows its parent's command line until it
  // execs, and CI listed four matches (two gone a moment later) right after a probe that saw one of each.
  const running = async () => {
    const programs = stackProcesses(stack, program);
    const providers = stackProcesses(stack, provider);
    const groups = [...programs, ...providers].map(processGroup);
    return programs.length === 1 && providers.length === 1 && !groups.includes(undefined) ? groups : undefined;
  };
  const groups = await waitFor(running, "the program and its dynamic provider to run (the create sleeps)");

  // Orphaned, not killed with the CLI: the host and the provider run in process groups of their own, so the
  // kill below does not reach them and they must act. (Checked before the kill: the program itself may end at
  // once afterwards, its calls to the dead engine failing; CI saw it gone before a check after the kill.)
  const cli = up.child.pid as number;
  expect(groups).toHaveLength(2);
  expect(groups).not.toContain(cli);
  expect(groups).not.toContain(undefined);
  process.kill(-cli, "SIGKILL"); // the CLI's process group
  await up.exited;
  // Both check the engine every 10 s; the host interrupts the program and exits 12 s later.
  await waitFor(async () => stackProcesses(stack, /./).length === 0 || undefined, "every process of the killed update to exit", 60_000);
});
