/** A self-signed certificate for 127.0.0.1, made with the openssl CLI, for the HTTP/2 runs. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** PEM files of a certificate and its key, in `dir`, and the certificate's text (to trust it). */
export function selfSignedCertificate(dir: string): { certFile: string; keyFile: string; ca: string } {
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  return { certFile, keyFile, ca: readFileSync(certFile, "utf8") };
}
