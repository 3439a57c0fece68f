/** The words users read first: every error starts with its stable code, and each hint points the right way. */
import { errorFromResponse } from "../../provider/client/answerErrors";
import { ErrorCodes, TailerError } from "../../provider/core/errors";
import { closeClients, configure } from "../../provider/resources/clients";
import { configFromObject } from "../../provider/resources/settings";

test("every error's message starts with its stable code, as the README's troubleshooting table is organised", () => {
  expect(new TailerError(ErrorCodes.TIMEOUT, "slow.").message).toMatch(/^TAILER_TIMEOUT: slow\./);
  expect(errorFromResponse("get_last_status", 404, undefined, undefined).message).toMatch(
    /^TAILER_NOT_FOUND: get_last_status: not found\./,
  );
});

test.each([
  ["launch_job", /archived configuration cannot be launched/],
  ["check_run_status", /the run id is a run of that job/],
  ["set_configuration_status", /cannot create configurations: deploy it with the Tailer SDK/],
  ["get_last_status", /cannot create configurations/],
])("a 404 on %s says what that action looked up", (action, hint) => {
  const error = errorFromResponse(action, 404, "not found", undefined);
  expect(error.hint).toMatch(hint);
  if (action !== "launch_job") expect(error.hint).not.toMatch(/launched/);
});

test("missing credentials are found when the provider is configured (at preview), naming every source", async () => {
  const saved = { ...process.env };
  for (const name of ["TAILER_API_JWT", "GOOGLE_APPLICATION_CREDENTIALS", "TAILER_TOKEN_COMMAND", "TAILER_USE_ID_TOKEN"])
    delete process.env[name];
  try {
    const error = (() => {
      try {
        configure(configFromObject({ "tailer:apiUrl": "http://127.0.0.1:9" }));
      } catch (e) {
        return e as TailerError;
      }
      return undefined;
    })();
    expect(error?.code).toBe(ErrorCodes.CREDENTIALS);
    for (const source of [
      "tailer:token",
      "TAILER_API_JWT",
      "tailer:credentials",
      "tailer:credentialsFile",
      "GOOGLE_APPLICATION_CREDENTIALS",
      "tailer:useIdToken",
      "tailer:tokenCommand",
      "TAILER_TOKEN_COMMAND",
    ])
      expect(error?.message).toContain(source);
  } finally {
    process.env = saved;
    await closeClients();
  }
});
