/** What the secrets tests look for in every text a user or a state can show (both provider modes). */

/** Any JWT-shaped string (header, payload and signature of some length). */
export const JWT = /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/;

/** Fails when a text quotes a line of the service-account key, its id, its PEM armour, or any token. */
export function expectNoKeyMaterial(texts: readonly string[], key: { private_key: string; private_key_id?: string }): void {
  const keyLines = key.private_key.split("\n").filter((line) => line.length > 40);
  for (const text of texts) {
    for (const line of keyLines) expect(text).not.toContain(line);
    if (key.private_key_id) expect(text).not.toContain(key.private_key_id);
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toMatch(JWT);
  }
}

/** A refused token's up failed with the gateway's reason (audience) and without quoting the token. */
export function expectRefusedTokenNotQuoted(result: { code: number; stdout: string; stderr: string }, token: string): void {
  const output = result.stdout + result.stderr;
  expect(result.code).not.toBe(0);
  expect(output).toMatch(/TAILER_FORBIDDEN|the token was minted for another API URL.*Audiences in Jwt are not allowed/s);
  expect(output).not.toContain(token);
  expect(output).not.toMatch(JWT);
}
