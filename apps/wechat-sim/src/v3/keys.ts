// WeChat's side of the API v3 key material, read once from the sandbox files: the platform certificate and its
// private key, the WeChat Pay public key and its private half. Every merchant starts with the sandbox
// merchant certificate, serial and APIv3 key unless the control API gives it its own.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";

import { SANDBOX, SANDBOX_KEY_FILES } from "../defaults";
import type { MerchantV3 } from "../state";

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");

export type WechatKeys = {
  platformSerial: string;
  platformCertPem: string;
  platformKeyPem: string;
  /** When the platform certificate became effective and when it expires (RFC 3339). */
  platformEffective: string;
  platformExpire: string;
  publicKeyId: string;
  publicKeyPem: string;
  publicKeyPrivatePem: string;
  /** The sandbox merchant's private key: the simulator uses it only to forge notifies signed by the wrong party. */
  mchKeyPem: string;
};

let cached: WechatKeys | undefined;

export function wechatKeys(): WechatKeys {
  if (cached) return cached;
  const platformCertPem = read(SANDBOX_KEY_FILES.platformCert);
  const cert = new X509Certificate(platformCertPem);
  cached = {
    platformSerial: SANDBOX.platformSerial,
    platformCertPem,
    platformKeyPem: read(SANDBOX_KEY_FILES.platformKey),
    platformEffective: rfc3339Beijing(Date.parse(cert.validFrom)),
    platformExpire: rfc3339Beijing(Date.parse(cert.validTo)),
    publicKeyId: SANDBOX.publicKeyId,
    publicKeyPem: read(SANDBOX_KEY_FILES.publicKey),
    publicKeyPrivatePem: read(SANDBOX_KEY_FILES.publicKeyPrivate),
    mchKeyPem: read(SANDBOX_KEY_FILES.mchKey),
  };
  return cached;
}

export function sandboxMerchantV3(signProbeRate: number): MerchantV3 {
  return {
    apiV3Key: SANDBOX.apiV3Key,
    mchSerial: SANDBOX.mchSerial,
    mchCertPem: read(SANDBOX_KEY_FILES.mchCert),
    signingMode: "public-key",
    publicKeyShare: 0.5,
    signProbeRate,
    probeNotifies: 0,
    probeResponses: 0,
    publicKeyCarry: 0,
  };
}

/** RFC 3339 in Beijing time, as WeChat writes every v3 time: `2018-06-08T10:34:56+08:00`. */
export function rfc3339Beijing(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + 8 * 60 * 60 * 1000);
  return `${d.toISOString().slice(0, 19)}+08:00`;
}
