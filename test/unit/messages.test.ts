/** The words users read first: every error starts with its stable code, and each hint points the right way. */
import { errorFromResponse } from "../../provider/client/answerErrors";
import { GATEWAY_REFUSALS } from "../../provider/client/gateway";
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

test.each([["jwt_unknown_issuer"], ["jwks_kid_alg_mismatch"], ["jwt_verification_fails"]] as const)(
  "a 401 for an untrusted key (%s) says so, and how to get a token the emulator trusts, not that the URL is wrong",
  (refusal) => {
    const error = errorFromResponse("get_last_status", 401, GATEWAY_REFUSALS[refusal].message, "r-1");
    expect(error.message).toMatch(
      /^TAILER_UNAUTHENTICATED: get_last_status: the API does not trust the key that signed the token \(not its age, not its URL\)\./,
    );
    expect(error.hint).toContain("npx tailer-emulator token --url <its URL>");
    expect(error.hint).not.toMatch(/minted for|API URL you call/);
  },
);

test("a 401 for an expired token says it expired", () => {
  const error = errorFromResponse("get_last_status", 401, GATEWAY_REFUSALS.jwt_expired.message, "r-1");
  expect(error.message).toMatch(/^TAILER_UNAUTHENTICATED: get_last_status: the token has expired\./);
  expect(errorFromResponse("get_last_status", 401, "Jwt is missing", "r-2").message).toMatch(/the API refused the token\./);
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
