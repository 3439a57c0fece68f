/**
 * The secrets check of test/e2e/secrets.test.ts, for a Python program on the native provider (examples/python-quickstart):
 * the token (tailer:token), the service-account key (tailer:credentials) and the tokens minted from it are planted,
 * then searched for in `pulumi stack export` (plain), the CLI's output at the verbosities we document (default,
 * -v=3, -v=6 with --logtostderr: the Python host's and the plugin's logs included), and error messages.
 */
import type { ProgramStack } from "../helpers/programs";
import { exampleFiles, pythonTests } from "../helpers/python";
import { expectNoKeyMaterial, expectRefusedTokenNotQuoted, JWT } from "../helpers/secrets";

jest.setTimeout(600_000);

const VERBOSITIES = [[], ["-v=3", "--logtostderr", "--logflow"], ["-v=6", "--logtostderr", "--logflow"]];

const python = pythonTests();

/** `pulumi <command>` at each verbosity: everything it printed. */
async function everything(stack: ProgramStack, command: string[]): Promise<string> {
  let text = "";
  for (const verbosity of VERBOSITIES) {
    const result = await stack.pulumi([...command, ...verbosity]);
    if (result.code !== 0) throw new Error(`pulumi ${command.join(" ")} failed (${result.code}):\n${result.stdout}${result.stderr}`);
    text += result.stdout + result.stderr;
  }
  return text;
}

async function exported(stack: ProgramStack): Promise<string> {
  const result = await stack.pulumi(["stack", "export"]);
  if (result.code !== 0) throw new Error(`pulumi stack export failed: ${result.stderr}`);
  return result.stdout;
}

test("tailer:token appears nowhere: not in state, not in the CLI's output, not in the Python host's or the plugin's lines", async () => {
  const token = python.env.emulator.mintToken();
  const stack = await python.stack(exampleFiles("python-quickstart"), { "tailer:token": token });
  const output = await everything(stack, ["up", "--yes"]);
  expect(output).toMatch(/tailer: run \d{8}-\d{6}-[0-9a-f-]+ of 000099_sales_load_DEV: SUCCESS/); // the commands ran
  expect(output).toMatch(/pulumi-language-python/); // with the host's logs
  const refreshed = await everything(stack, ["preview", "--refresh"]);
  const state = await exported(stack);
  expect(state).toContain('"type": "tailer:index:JobRun"');
  for (const text of [output, refreshed, state]) {
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split(".")[2]); // not even the signature
    expect(text).not.toMatch(JWT);
  }
});

test("a refused token is not quoted by the error that reports it", async () => {
  const wrongAudience = python.env.emulator.mintToken({ audience: "https://elsewhere.example" });
  const stack = await python.stack(exampleFiles("python-quickstart"), { "tailer:token": wrongAudience });
  const result = await stack.pulumi(["up", "--yes", "--skip-preview"]);
  expectRefusedTokenNotQuoted(result, wrongAudience);
});

test("the service-account key, and the tokens minted from it, appear nowhere", async () => {
  const stack = await python.stack(exampleFiles("python-quickstart"));
  const key = python.env.emulator.devServiceAccountKey as { private_key: string; private_key_id: string };
  const output = await everything(stack, ["up", "--yes"]);
  expect(output).toMatch(/tailer: run \d{8}-\d{6}-[0-9a-f-]+ of 000099_sales_load_DEV: SUCCESS/);
  const state = await exported(stack);
  expectNoKeyMaterial([output, state], key);
});
