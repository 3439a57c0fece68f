import { undiciTransport } from "../../provider/client/transport";

test("undici's Agent and request API are loaded alone, from where undici itself takes them (the deep paths still exist)", () => {
  expect(require.resolve("undici/lib/dispatcher/agent.js")).toMatch(/undici\/lib\/dispatcher\/agent\.js$/);
  expect(require.resolve("undici/lib/api/index.js")).toMatch(/undici\/lib\/api\/index\.js$/);
  expect(undiciTransport().Agent).toBe(require("undici/lib/dispatcher/agent.js"));
});

test("a bug in sending (no network error code) is thrown as it is, not retried as a network failure", async () => {
  const { TailerClient } = require("../../provider/client");
  const broken = { request: () => Promise.reject(new TypeError("dispatcher.request is not a function")), close: async () => {} };
  let attempts = 0;
  const client = new TailerClient({
    apiUrl: "http://127.0.0.1:9",
    auth: { token: "a-token-0123456789" },
    env: {},
    dispatcher: {
      ...broken,
      request: () => {
        attempts++;
        return broken.request();
      },
    },
  });
  await expect(
    client.getLastStatus({ account: "000099", environment: "DEV", configuration_type: "storage-to-storage", configuration_id: "x" }),
  ).rejects.toThrow(TypeError);
  expect(attempts).toBe(1);
});
