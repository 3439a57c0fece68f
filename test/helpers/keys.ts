/** Test service-account keys, generated per test run (never committed). */
import { createPublicKey } from "node:crypto";
import { generateServiceAccountKey, type ServiceAccountKey } from "../../emulator/dev-account";

/** Makes a service-account key with a new RSA key pair; returns it with its public key PEM. */
export function makeServiceAccountKey(name = "ci-deployer"): { key: ServiceAccountKey; publicKeyPem: string } {
  const key = generateServiceAccountKey(`${name}@tailer-test.iam.gserviceaccount.com`);
  return { key, publicKeyPem: createPublicKey(key.private_key).export({ type: "spki", format: "pem" }).toString() };
}
