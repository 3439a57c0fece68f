/** Hand-made JWTs for authentication tests, including the malicious kinds. */

import {
  constants,
  createHmac,
  createPrivateKey,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  type SignKeyObjectInput,
  sign,
} from "node:crypto";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { generateServiceAccountKey } from "../../../emulator/dev-account";

const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

/** An RS256 token with any header and claims. */
export function signRs256(header: Record<string, unknown>, payload: Record<string, unknown>, privateKeyPem: string): string {
  const input = `${b64({ alg: "RS256", typ: "JWT", ...header })}.${b64(payload)}`;
  return `${input}.${createSign("RSA-SHA256").update(input).sign(privateKeyPem).toString("base64url")}`;
}

/** A token signed with any asymmetric algorithm Envoy implements (RS*, PS*, ES*, EdDSA). */
export function signAs(alg: string, header: Record<string, unknown>, payload: Record<string, unknown>, key: string | KeyObject): string {
  const input = `${b64({ typ: "JWT", ...header, alg })}.${b64(payload)}`;
  const hash = alg === "EdDSA" ? null : alg.endsWith("384") ? "sha384" : alg.endsWith("512") ? "sha512" : "sha256";
  const k = typeof key === "string" ? createPrivateKey(key) : key;
  const options: SignKeyObjectInput = alg.startsWith("PS")
    ? { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : alg.startsWith("ES")
      ? { key: k, dsaEncoding: "ieee-p1363" }
      : { key: k };
  return `${input}.${sign(hash, Buffer.from(input), options).toString("base64url")}`;
}

/** An HS256 token whose HMAC secret is `secret` (the classic "public key as HMAC secret" attack). */
export function signHs256(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string): string {
  const input = `${b64({ ...header, alg: "HS256", typ: "JWT" })}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** An unsigned token (`alg: none`). */
export function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  return `${b64({ ...header, alg: "none", typ: "JWT" })}.${b64(payload)}.`;
}

/** Standard service-account-like claims for `aud`, valid now. */
export function claims(aud: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000);
  return {
    iss: "someone@example.iam.gserviceaccount.com",
    sub: "someone@example.iam.gserviceaccount.com",
    aud,
    iat,
    exp: iat + 3600,
    ...extra,
  };
}

/** A fresh RSA key pair as PEM. */
export function rsaKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** A fresh key pair of another type (EC P-256 or Ed25519), the public half as a JWK with `kid` and `alg`. */
export function otherKeyPair(type: "ec" | "ed25519", kid: string) {
  const { privateKey, publicKey } = type === "ec" ? generateKeyPairSync("ec", { namedCurve: "P-256" }) : generateKeyPairSync("ed25519");
  return { privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: type === "ec" ? "ES256" : "EdDSA", use: "sig" } };
}

/** A service-account key file in a temp folder; returns the path and the key. */
export function writeServiceAccountKey(dir: string, name = "sa.json") {
  const key = generateServiceAccountKey(`${name.replace(/\W/g, "")}@test-project.iam.gserviceaccount.com`);
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(key));
  return { file, key };
}

/** The shared test certificate helper (openssl). */
export { selfSignedCertificate } from "../../helpers/tls";
