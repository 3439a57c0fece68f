/** A self-signed certificate for 127.0.0.1 and a host name, made with the openssl CLI for the test run. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A PEM certificate and key, and the files holding them. */
export interface TestCertificate {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/** Generates a fresh self-signed certificate valid for 127.0.0.1 and `cn` (localhost by default), in `dir` or a new folder. */
export function selfSignedCertificate(dir: string = mkdtempSync(join(tmpdir(), "tailer-tls-")), cn = "localhost"): TestCertificate {
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
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
      `/CN=${cn}`,
      "-addext",
      `subjectAltName=IP:127.0.0.1,DNS:${cn}`,
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), certFile, keyFile };
}
