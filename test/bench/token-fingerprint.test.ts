/** The request log's token fingerprint, which the benchmarks use to count the tokens a client minted. */
import { createHash } from "node:crypto";
import { type RunningEmulator, startEmulator } from "../helpers/emulator";

let env: RunningEmulator;
beforeAll(async () => {
  env = await startEmulator();
});
afterAll(async () => env?.close());

const body = JSON.stringify({
  action: "get_last_status",
  account: "000099",
  environment: "DEV",
  configuration_type: "table-to-table",
  configuration_id: "000099_iowa_liquor_prepare_pda_DEV",
});
const post = (authorization?: string) =>
  fetch(`${env.url}/v1/dag/status`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    body,
  });

test("each entry carries the first 12 hex characters of the token's SHA-256, never the token; null without a token", async () => {
  await env.admin.clearRequests();
  const first = env.emulator.mintToken();
  const second = env.emulator.mintToken({ expiresInSeconds: 1800 });
  expect((await post(`Bearer ${first}`)).status).toBe(200);
  // The gateway's prefix is "Bearer " exactly (Envoy's value_prefix): this one is refused, yet fingerprinted.
  expect((await post(`bearer  ${first} `)).status).toBe(401);
  expect((await post(`Bearer ${second}`)).status).toBe(200);
  expect((await post()).status).toBe(401);
  const log = await env.admin.requests();
  const fingerprint = (token: string) => createHash("sha256").update(token).digest("hex").slice(0, 12);
  expect(log.map((e) => e.token_fingerprint)).toEqual([fingerprint(first), fingerprint(first), fingerprint(second), null]);
  expect(JSON.stringify(log)).not.toContain(first);
  expect(new Set(log.map((e) => e.token_fingerprint).filter(Boolean)).size).toBe(2);
});
