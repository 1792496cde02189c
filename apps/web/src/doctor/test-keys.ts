// Per-run merchant keys for the doctor's tests: a certificate and private key made by OpenSSL (as WeChat's are, with
// the merchant id in the subject), a second unrelated key, and a WeChat Pay public key. Nothing here is a sandbox key.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type TTestKeys = {
  dir: string;
  certPath: string;
  keyPath: string;
  otherKeyPath: string;
  publicKeyPath: string;
  serial: string;
  certPem: string;
  keyPem: string;
  otherKeyPem: string;
  publicKeyPem: string;
};

export const TEST_MCH_ID = "1900012345";

export function makeTestKeys(days = 365): TTestKeys {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wxpay-doctor-"));
  const serial = crypto
    .randomBytes(20)
    .toString("hex")
    .toUpperCase()
    .replace(/^[89A-F]/, "1");
  const certPath = path.join(dir, "apiclient_cert.pem");
  const keyPath = path.join(dir, "apiclient_key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      String(days),
      "-set_serial",
      `0x${serial}`,
      "-subj",
      `/C=CN/O=Test Shop/OU=${TEST_MCH_ID}/CN=${TEST_MCH_ID} test merchant`,
    ],
    { stdio: "ignore" },
  );
  const other = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const otherKeyPath = path.join(dir, "other_key.pem");
  fs.writeFileSync(otherKeyPath, other.privateKey.export({ type: "pkcs8", format: "pem" }));
  const wechat = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicKeyPath = path.join(dir, "pub_key.pem");
  fs.writeFileSync(publicKeyPath, wechat.publicKey.export({ type: "spki", format: "pem" }));
  const read = (p: string) => fs.readFileSync(p, "utf8");
  return {
    dir,
    certPath,
    keyPath,
    otherKeyPath,
    publicKeyPath,
    serial,
    certPem: read(certPath),
    keyPem: read(keyPath),
    otherKeyPem: read(otherKeyPath),
    publicKeyPem: read(publicKeyPath),
  };
}
