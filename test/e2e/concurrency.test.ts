/** Two stacks managing different configurations of one account, deployed at the same time, do not interfere. */
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "../helpers/emulator";
import { createE2EStack, type E2EStack, REPO } from "../helpers/pulumi";

jest.setTimeout(300_000);

const COUNT = 20;
let env: RunningEmulator;
const stacks: E2EStack[] = [];

// Each test its own emulator and stacks: one test's config change or deployment never meets the other's, in any order.
beforeEach(async () => {
  env = await startEmulator({ seed: null, clockSpeed: 600 });
  const base = { account: "000099", environment: "DEV" as const, configuration_type: "table-to-table" as const };
  await env.admin.putConfigurations(
    ["alpha", "beta"].flatMap((team) =>
      Array.from({ length: COUNT }, (_, i) => ({ ...base, configuration_id: `000099_${team}_${i}_DEV`, activated: false })),
    ),
  );
  for (const team of ["alpha", "beta"])
    stacks.push(
      await createE2EStack(join(REPO, "test", "e2e", "programs", "estate"), env, {
        "estate:prefix": team,
        "estate:statuses": String(COUNT),
      }),
    );
});
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.dispose()));
  await env?.close();
});

test("parallel ups of two teams' stacks both converge, each on its own configurations", async () => {
  const [alpha, beta] = await Promise.all(stacks.map((s) => s.stack.up()));
  expect(alpha?.summary.result).toBe("succeeded");
  expect(beta?.summary.result).toBe("succeeded");
  const configurations = await env.admin.listConfigurations({ account: "000099" });
  for (const team of ["alpha", "beta"])
    for (let i = 0; i < COUNT; i++)
      expect(configurations.find((c) => c.configuration_id === `000099_${team}_${i}_DEV`)?.activated).toBe(i % 3 !== 0);
  // And each sees no change afterwards, even refreshed, even in parallel.
  await Promise.all(stacks.map((s) => s.stack.preview({ expectNoChanges: true, refresh: true })));
});

test("a configuration declared twice in one program fails the preview, naming both resources, before any call", async () => {
  const twice = stacks[0] as E2EStack;
  await twice.stack.setConfig("estate:duplicate", { value: "true" });
  await env.admin.clearRequests();
  const error = await twice.stack.preview().then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error?.message).toMatch(/"status-duplicate" declares configuration 000099_alpha_1_DEV .* already declared by "status-1"/);
  expect(await env.admin.requests()).toHaveLength(0);
});
