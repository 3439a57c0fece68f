/** Test service-account keys, generated per test run (never committed). */
import { generateKeyPairSync, randomUUID } from "node:crypto";

/** A freshly generated service-account key in Google's JSON key-file shape. */
export interface TestServiceAccountKey {
  type: "service_account";
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
}

/** Makes a service-account key with a new RSA key pair; returns it with its public key PEM. */
export function makeServiceAccountKey(name = "ci-deployer"): { key: TestServiceAccountKey; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key: TestServiceAccountKey = {
    type: "service_account",
    project_id: "tailer-test",
    private_key_id: randomUUID().replace(/-/g, ""),
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: `${name}@tailer-test.iam.gserviceaccount.com`,
    client_id: "1234567890",
  };
  return { key, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}
