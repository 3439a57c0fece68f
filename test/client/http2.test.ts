/** The real API is reached over HTTP/2: the client negotiates it by ALPN and multiplexes calls over one connection. */
import { ErrorCodes, hasErrorCode, isTailerError } from "../../provider/client";
import { LaunchUncertainError } from "../../provider/client/launch";
import { type RunningEmulator, startEmulator } from "../helpers/emulator";
import { selfSignedCertificate } from "../helpers/tls";

let env: RunningEmulator;
let ca: string;

beforeAll(async () => {
  const certificate = selfSignedCertificate();
  ca = certificate.cert;
  env = await startEmulator({ tls: certificate });
});
afterAll(() => env.close());

test("over HTTPS the client speaks HTTP/2", async () => {
  expect(env.url).toMatch(/^https:/);
  const client = env.client({ ca });
  // The admin client uses fetch, which does not trust the test CA: read the log in process.
  const requestLog = env.emulator.internals.requestLog;
  requestLog.clear();
  await Promise.all(
    Array.from({ length: 10 }, () =>
      client.getLastStatus({
        account: "000099",
        environment: "DEV",
        configuration_type: "table-to-table",
        configuration_id: "000099_iowa_liquor_prepare_pda_DEV",
      }),
    ),
  );
  const log = requestLog.list();
  expect(log).toHaveLength(10);
  expect(new Set(log.map((e) => e.http_version))).toEqual(new Set(["2.0"]));
});

const T2T = {
  account: "000099",
  environment: "DEV" as const,
  configuration_type: "table-to-table" as const,
  configuration_id: "000099_iowa_liquor_prepare_pda_DEV",
};

test("regression: a TLS failure (an untrusted CA) was retried 5 times as TAILER_NETWORK; it is TAILER_TLS at once, nothing sent", async () => {
  const requestLog = env.emulator.internals.requestLog;
  requestLog.clear();
  const error = await env
    .client()
    .getLastStatus(T2T)
    .catch((e: unknown) => e);
  expect(hasErrorCode(error, ErrorCodes.TLS)).toBe(true);
  expect(String(error)).toMatch(/TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed \(.*(SELF_SIGNED|self.signed).*\); nothing was sent/);
  expect(isTailerError(error) && error.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
  expect(isTailerError(error) && error.attempts).toBe(1);
  expect(requestLog.list()).toHaveLength(0);
});

test("regression: launch_job behind an untrusted certificate ended LAUNCH_UNCERTAIN although nothing was sent; it is TAILER_TLS", async () => {
  const error = await env
    .client({ reconcileWindowMs: 0 })
    .launchJob(T2T, { before: { runs: [] } })
    .catch((e: unknown) => e);
  expect(hasErrorCode(error, ErrorCodes.TLS)).toBe(true);
  expect(error).not.toBeInstanceOf(LaunchUncertainError);
});
