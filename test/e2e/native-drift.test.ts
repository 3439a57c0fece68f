/**
 * The drift table with the real CLI on the native plugin (installed from its tarball), a YAML program per
 * row through pulumi-yaml's language host: the same rows as test/e2e/drift.test.ts (test/helpers/driftE2E.ts),
 * so the lines a refresh prints reach `pulumi preview --refresh` at the default verbosity through the
 * engine's Log service too, and the evidence outputs, the gate's exit code and what up sends are the same
 * as on the dynamic provider. Rows run side by side; those without the API's Date header on an emulator of
 * their own. Then enforce in the plan.
 */
import { type DriftStackFactory, driftEmulators, runDriftRow, runEnforceAlways } from "../helpers/driftE2E";
import { DRIFT_ROWS, type DriftRow } from "../helpers/driftRows";
import type { WireIdentity } from "../helpers/emulator";
import { createYamlStack } from "../helpers/native";
import type { ProgramStack } from "../helpers/programs";

jest.setTimeout(600_000);

const emulators = driftEmulators();
const stacks: ProgramStack[] = [];
afterAll(async () => {
  for (const stack of stacks) stack.dispose();
});

/** The YAML program of a row: the configuration with what the row declares, `enforce` from the stack config (`drift:enforce`). */
function yamlProgram(configuration: WireIdentity, declared: DriftRow["declared"]): string {
  const status = Object.entries(declared).map(([key, value]) => `      ${key}: ${value}\n`);
  return `name: drift
runtime: yaml
config:
  enforce:
    type: string
    default: evidence
resources:
  salesLoad:
    type: tailer:index:ConfigurationStatus
    properties:
      account: "${configuration.account}"
      environment: ${configuration.environment}
      configurationType: ${configuration.configuration_type}
      configurationId: ${configuration.configuration_id}
${status.join("")}      enforce: \${enforce}
`;
}

const yamlStack: DriftStackFactory = async (env, configuration, declared) => {
  const stack = await createYamlStack(env, yamlProgram(configuration, declared));
  stacks.push(stack);
  return stack;
};

test.concurrent.each(DRIFT_ROWS.map((row, index) => [row.name, row, index] as const))("%s", async (_name, row, index) =>
  runDriftRow(await emulators.forRow(row), row, index, yamlStack),
);

test("enforce: always shows in every plan as an update of the configuration, and each up sends it once, saying why", () =>
  runEnforceAlways(emulators.shared(), DRIFT_ROWS.length, yamlStack, "tailer:index:ConfigurationStatus"));
