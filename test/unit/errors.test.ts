import { errorFromResponse } from "../../provider/client/answerErrors";
import { GATEWAY_REFUSALS } from "../../provider/client/gateway";
import { ErrorCodes, hasErrorCode, isTailerError, TailerError } from "../../provider/core/errors";
import { redact, registerSecret } from "../../provider/core/redact";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4QHkuY29tIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

describe("the error family", () => {
  test("regression: instanceof failed across module copies (jest realms, Pulumi's reloaded providers); the brand decides", () => {
    let OtherTailerError: typeof TailerError | undefined;
    jest.isolateModules(() => {
      OtherTailerError = require("../../provider/core/errors").TailerError;
    });
    expect(OtherTailerError).toBeDefined();
    expect(OtherTailerError).not.toBe(TailerError);
    const foreign = new (OtherTailerError as typeof TailerError)(ErrorCodes.NOT_FOUND, "x");
    expect(foreign instanceof TailerError).toBe(true);
    expect(new Error("x") instanceof TailerError).toBe(false);
    expect(isTailerError(foreign)).toBe(true);
    expect(hasErrorCode(foreign, ErrorCodes.NOT_FOUND)).toBe(true);
  });

  test("plain errors and look-alikes are not Tailer errors", () => {
    expect(isTailerError(new Error("x"))).toBe(false);
    expect(isTailerError({ code: ErrorCodes.NOT_FOUND })).toBe(false);
    expect(isTailerError(null)).toBe(false);
  });

  test("carry action, status, request id, Tailer's message and what to do next", () => {
    const error = errorFromResponse("launch_job", 404, "Configuration 000099_x_DEV not found", "req-123", 1);
    expect(error.code).toBe(ErrorCodes.NOT_FOUND);
    expect(error).toMatchObject({
      action: "launch_job",
      status: 404,
      requestId: "req-123",
      serverMessage: "Configuration 000099_x_DEV not found",
    });
    expect(error.message).toContain("launch_job");
    expect(error.message).toContain("HTTP 404");
    expect(error.message).toContain("Configuration 000099_x_DEV not found");
    expect(error.hint).toMatch(/_<ENV>/);
  });

  test.each([
    [401, ErrorCodes.UNAUTHENTICATED],
    [403, ErrorCodes.FORBIDDEN],
    [404, ErrorCodes.NOT_FOUND],
    [400, ErrorCodes.BAD_REQUEST],
    [413, ErrorCodes.BAD_REQUEST],
    [429, ErrorCodes.RATE_LIMITED],
    [500, ErrorCodes.SERVER_ERROR],
    [503, ErrorCodes.SERVER_ERROR],
  ])("HTTP %i maps to %s", (status, code) => {
    expect(errorFromResponse("get_last_status", status, undefined, undefined, 1).code).toBe(code);
  });

  test("regression: the gateway's 403 for another audience read as 'may not access this account'; it now says the token was minted for another URL", () => {
    const audience = errorFromResponse("get_last_status", 403, GATEWAY_REFUSALS.jwt_audience.message, "r-1", 1);
    expect(audience.code).toBe(ErrorCodes.FORBIDDEN);
    expect(audience.message).toMatch(/minted for another API URL/);
    expect(audience.hint).toMatch(/tailer:apiUrl/);
    const account = errorFromResponse("get_last_status", 403, "this token is not allowed to use account 000099", "r-2", 1);
    expect(account.message).toMatch(/may not access this account/);
    // Only the gateway's own words, with its own status, count: a 401 with the same text is a 401.
    expect(errorFromResponse("get_last_status", 401, GATEWAY_REFUSALS.jwt_audience.message, "r-3", 1).code).toBe(
      ErrorCodes.UNAUTHENTICATED,
    );
  });

  test("redact tokens inside the constructor: message, server message, hint, cause and JSON", () => {
    const error = new TailerError(ErrorCodes.UNAUTHENTICATED, `refused Bearer ${JWT}`, {
      serverMessage: `token ${JWT} is bad`,
      hint: `do not send ${JWT}`,
      cause: new Error(`socket said ${JWT}`),
    });
    const everything = [
      error.message,
      error.serverMessage,
      error.hint,
      JSON.stringify(error),
      String((error.cause as Error).message),
      String(error.stack),
    ].join("\n");
    expect(everything).not.toContain(JWT);
    expect(everything).toContain("[REDACTED]");
  });
});

describe("redact", () => {
  test("removes registered secrets even when they do not look like tokens", () => {
    registerSecret("opaque-secret-value-42");
    expect(redact("the value opaque-secret-value-42 leaked")).toBe("the value [REDACTED] leaked");
  });

  test("removes PEM private keys and private_key fields of key files", () => {
    const pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----";
    expect(redact(`key: ${pem}`)).toBe("key: [REDACTED]");
    expect(redact('{"private_key": "abc\\ndef", "client_email": "a@b"}')).toBe('{"private_key": "[REDACTED]", "client_email": "a@b"}');
  });

  test("keeps the Bearer prefix and hides the credential", () => {
    expect(redact("Authorization: Bearer abcdefghijklmnop")).toBe("Authorization: Bearer [REDACTED]");
  });

  test("leaves ordinary text alone", () => {
    const text = "run 20201230-112837-0a795c70-2557-4a60-ba16-788aa2bea179 of 000099_iowa_liquor_prepare_pda_DEV ended FAILED";
    expect(redact(text)).toBe(text);
  });
});
