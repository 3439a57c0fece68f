/**
 * Secrets never leave the provider: the token (tailer:token), the service-account key (tailer:credentials)
 * and the tokens minted from it are planted, then searched for in every place a user or a log collector
 * sees: `pulumi stack export` (plain), the CLI's output at the verbosities we document (default, -v=3,
 * -v=6 with --logtostderr), the provider's progress lines, and error messages.
 */
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "../helpers/emulator";
import { WORLD_SEED } from "../helpers/provider";
import { createE2EStack, type E2EStack, REPO } from "../helpers/pulumi";
import { expectNoKeyMaterial, expectRefusedTokenNotQuoted, JWT } from "../helpers/secrets";

jest.setTimeout(300_000);

const VERBOSITIES = [[], ["-v=3", "--logtostderr", "--logflow"], ["-v=6", "--logtostderr", "--logflow"]];

let env: RunningEmulator;
const stacks: E2EStack[] = [];

// Each test has its own emulator and stacks: none reads what another left.
beforeEach(async () => {
  env = await startEmulator({ seed: WORLD_SEED, clockSpeed: 600 });
});
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.dispose()));
  await env?.close();
});

async function everything(stack: E2EStack, command: string[]): Promise<string> {
  let text = "";
  for (const verbosity of VERBOSITIES) {
    const result = await stack.cli([...command, ...verbosity]);
    // A run that failed early would print nothing to leak: each must have succeeded for the check to mean anything.
    expect([command.join(" "), ...verbosity, result.code]).toEqual([command.join(" "), ...verbosity, 0]);
    text += result.stdout + result.stderr;
  }
  return text;
}

test("tailer:token appears nowhere: not in state, not in the CLI's output, not in the provider's lines", async () => {
  const token = env.emulator.mintToken();
  const stack = await createE2EStack(join(REPO, "examples", "service-account-auth"), env, {}, { "tailer:token": token });
  stacks.push(stack);
  await stack.stack.removeConfig("tailer:credentials");
  const output = await everything(stack, ["up", "--yes"]);
  expect(output).toMatch(/tailer-service-account-auth/); // the commands ran
  expect(output).not.toContain(token);
  expect(output).not.toContain(token.split(".")[2]); // not even the signature
  expect(output).not.toMatch(JWT);
  const refreshed = await everything(stack, ["preview", "--refresh"]);
  expect(refreshed).not.toContain(token);
  const exported = await stack.exportText();
  expect(exported).toContain("pulumi-nodejs:dynamic/tailer:ConfigurationStatus");
  expect(exported).not.toContain(token);
  expect(exported).not.toMatch(JWT);
});

test("a refused token is not quoted by the error that reports it", async () => {
  const wrongAudience = env.emulator.mintToken({ audience: "https://elsewhere.example" });
  const stack = await createE2EStack(join(REPO, "examples", "service-account-auth"), env, {}, { "tailer:token": wrongAudience });
  stacks.push(stack);
  await stack.stack.removeConfig("tailer:credentials");
  const result = await stack.cli(["up", "--yes", "--skip-preview"]);
  expectRefusedTokenNotQuoted(result, wrongAudience);
});

test("the service-account key, and the tokens minted from it, appear nowhere", async () => {
  const stack = await createE2EStack(join(REPO, "examples", "service-account-auth"), env);
  stacks.push(stack);
  const key = env.emulator.devServiceAccountKey as { private_key: string; private_key_id: string };
  const output = await everything(stack, ["up", "--yes"]);
  const exported = await stack.exportText();
  expectNoKeyMaterial([output, exported], key);
});
