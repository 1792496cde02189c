// Throwaway certificates for the mutual-TLS tests, made with the openssl CLI in a temp dir: a CA, a
// server certificate for localhost, a merchant client certificate (PEM and PKCS#12, CN = mch_id as
// WeChat issues them) and an intruder certificate from another CA.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export type TTestPki = {
  caPem: string;
  serverKeyPem: string;
  serverCertPem: string;
  clientKeyPem: string;
  clientCertPem: string;
  clientPfx: Uint8Array;
  clientPfxPassphrase: string;
  intruderKeyPem: string;
  intruderCertPem: string;
  cleanup(): void;
};

export function makeTestPki(mchId: string): TTestPki {
  const dir = mkdtempSync(path.join(tmpdir(), "wxpay-pki-"));
  const f = (name: string): string => path.join(dir, name);
  const ssl = (...args: string[]): void => {
    execFileSync("openssl", args, { stdio: "pipe" });
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

  ssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=wxpay test CA",
  );
  writeFileSync(f("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  ssl("req", ...ec, "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=localhost");
  ssl(
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("server.pem"),
    "-days",
    "2",
    "-extfile",
    f("server.ext"),
  );
  ssl("req", ...ec, "-keyout", f("client.key"), "-out", f("client.csr"), "-subj", `/CN=${mchId}`);
  ssl(
    "x509",
    "-req",
    "-in",
    f("client.csr"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("client.pem"),
    "-days",
    "2",
  );
  ssl(
    "pkcs12",
    "-export",
    "-inkey",
    f("client.key"),
    "-in",
    f("client.pem"),
    "-out",
    f("client.p12"),
    "-passout",
    `pass:${mchId}`,
  );
  ssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    f("intruder.key"),
    "-out",
    f("intruder.pem"),
    "-days",
    "2",
    "-subj",
    `/CN=${mchId}`,
  );

  const read = (name: string): string => readFileSync(f(name), "utf8");
  return {
    caPem: read("ca.pem"),
    serverKeyPem: read("server.key"),
    serverCertPem: read("server.pem"),
    clientKeyPem: read("client.key"),
    clientCertPem: read("client.pem"),
    clientPfx: new Uint8Array(readFileSync(f("client.p12"))),
    clientPfxPassphrase: mchId,
    intruderKeyPem: read("intruder.key"),
    intruderCertPem: read("intruder.pem"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
