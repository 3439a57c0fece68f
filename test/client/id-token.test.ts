/**
 * Google-signed ID tokens (tailer:useIdToken), from the environment's credentials: a fake GCE metadata
 * server hands out an ID token for the requested audience, signed by a key the emulator trusts, as
 * Google's would be on a CI runner in GCP.
 */

import { execFile } from "node:child_process";
import { createSign } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { type RunningEmulator, startEmulator } from "../helpers/emulator";
import { makeServiceAccountKey } from "../helpers/keys";
import { REPO } from "../helpers/pulumi";

const google = makeServiceAccountKey("runner");
const audiences: string[] = [];
let metadata: Server;
let env: RunningEmulator;
const saved = { ...process.env };

function idToken(audience: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${part({ alg: "RS256", typ: "JWT", kid: google.key.private_key_id })}.${part({
    iss: "https://accounts.google.com",
    aud: audience,
    sub: "1234",
    email: google.key.client_email,
    iat: now,
    exp: now + 3600,
  })}`;
  return `${unsigned}.${createSign("RSA-SHA256").update(unsigned).sign(google.key.private_key).toString("base64url")}`;
}

beforeAll(async () => {
  metadata = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://metadata");
    res.setHeader("Metadata-Flavor", "Google");
    if (url.pathname === "/computeMetadata/v1/instance/service-accounts/default/identity") {
      const audience = url.searchParams.get("audience") ?? "";
      audiences.push(audience);
      res.end(idToken(audience));
    } else res.end("tailer-test"); // project-id and the other probes
  });
  await new Promise<void>((resolve) => metadata.listen(0, "127.0.0.1", resolve));
  env = await startEmulator({
    trustedKeys: [{ kid: google.key.private_key_id, publicKeyPem: google.publicKeyPem, source: "google" } as never],
  });
  process.env.GCE_METADATA_HOST = `127.0.0.1:${(metadata.address() as AddressInfo).port}`;
  process.env.METADATA_SERVER_DETECTION = "assume-present";
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
});
afterAll(async () => {
  process.env = saved;
  await env.close();
  await new Promise((resolve) => metadata.close(resolve));
});

test("an ID token for the API URL, fetched once, is accepted by the API", async () => {
  // In a plain node process: google-auth-library loads its HTTP client with a dynamic import, which
  // jest's module sandbox refuses. This is the compiled client a user runs.
  const script = `
    const { TailerClient } = require(${JSON.stringify(join(REPO, "dist", "provider", "client", "index.js"))});
    const { tokensMinted: minted } = require(${JSON.stringify(join(REPO, "dist", "provider", "auth", "index.js"))});
    const client = new TailerClient({ apiUrl: process.argv[1], auth: { useIdToken: true }, env: {} });
    const body = { account: "000099", environment: "DEV", configuration_type: "table-to-table", configuration_id: "000099_iowa_liquor_prepare_pda_DEV" };
    Promise.all([1, 2, 3, 4, 5].map(() => client.getLastStatus(body)))
      .then((results) => { console.log(JSON.stringify({ calls: results.length, tokens: minted() })); return client.close(); })
      .catch((e) => { console.error(String(e)); process.exit(1); });
  `;
  // Asynchronously: the fake metadata server answers from this process.
  const { stdout: output } = await promisify(execFile)(process.execPath, ["-e", script, env.url], { encoding: "utf8", env: process.env });
  expect(JSON.parse(output)).toEqual({ calls: 5, tokens: 1 });
  expect(audiences).toEqual([env.url]);
});
