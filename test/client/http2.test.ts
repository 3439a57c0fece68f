/** The real API is reached over HTTP/2: the client negotiates it by ALPN and multiplexes calls over one connection. */
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

test("an untrusted certificate is a clear network error, not a hang", async () => {
  const client = env.client({ retry: { maxAttempts: 1 } });
  await expect(
    client.getLastStatus({
      account: "000099",
      environment: "DEV",
      configuration_type: "table-to-table",
      configuration_id: "000099_iowa_liquor_prepare_pda_DEV",
    }),
  ).rejects.toThrow(/connection to https:\/\/127\.0\.0\.1:\d+ failed/);
});
