// One merchant's v3 setup, wired once: the verifier for its mode (public key, platform certificates, or both
// during the switch-over), the certificate store that refreshes itself when WeChat signs with a certificate
// it has not seen, the client, the notify parsers and the pay parameters — so callers hold one object.
import type { KeyObject } from "node:crypto";

import { CertificateStore, encryptionKey } from "./certificates";
import { createV3Client } from "./client";
import type { TV3CertificatesResult, TV3Client, TV3ClientConfig } from "./client";
import { loadPrivateKey } from "./crypto";
import { parseV3PayNotify, parseV3RefundNotify } from "./notify";
import type { TV3NotifyConfig, TV3PayNotifyResult, TV3RefundNotifyResult } from "./notify";
import { v3JsapiPayParams, v3MiniProgramPayParams } from "./pay-params";
import type { TV3JsapiPayParams, TV3MiniPayParams } from "./pay-params";
import { WechatpayVerifier, wechatpayPublicKey } from "./verifier";
import type { TPlatformCertificate, TSignedMessage } from "./verifier";

export type TV3Mode = "public-key" | "certificate" | "switching";

export type TV3MerchantConfig = {
  mchId: string;
  /** The merchant API private key (`apiclient_key.pem`) and its certificate serial. */
  privateKey: KeyObject | string;
  serialNo: string;
  /** The 32-character APIv3 key. */
  apiV3Key: string;
  /** AppIDs this merchant orders with; notifies for any other are refused. */
  appIds: readonly string[];
  /** The WeChat Pay public key: public-key mode, or with `certificates` the switch-over. */
  publicKey?: { id: string; pem: string | Buffer };
  /**
   * Platform-certificate mode (alone) or the switch-over (with `publicKey`): the certificates already held,
   * e.g. from a cache — may be empty, then they are downloaded when first needed.
   */
  certificates?: readonly TPlatformCertificate[];
  /** Told when a download brings new platform certificates (to cache them, e.g. in the database). */
  onCertificates?: (certificates: TPlatformCertificate[]) => void;
  /**
   * Wraps every platform-certificate download (certificate and switching modes): `download` is the real
   * GET /v3/certificates. A shop with several instances puts it behind a lock shared by all of them and answers
   * from its cache when another instance has just downloaded — WeChat need not hear the same question N times.
   */
  certificateDownload?: (download: () => Promise<TV3CertificatesResult>) => Promise<TV3CertificatesResult>;
} & Pick<
  TV3ClientConfig,
  | "baseUrl"
  | "fetch"
  | "timeoutMs"
  | "userAgent"
  | "maxResponseBytes"
  | "maxBillBytes"
  | "allowHttpNotifyUrl"
  | "now"
>;

export type TV3Merchant = {
  mode: TV3Mode;
  client: TV3Client;
  verifier: WechatpayVerifier;
  /** Present in certificate and switching modes. */
  certificates: CertificateStore | undefined;
  /** Sync: verify + decrypt + map. */
  parsePayNotify(m: TSignedMessage): TV3PayNotifyResult;
  parseRefundNotify(m: TSignedMessage): TV3RefundNotifyResult;
  /** As above, but a notify signed by a certificate not yet held triggers one (rate-limited) download first. */
  parsePayNotifyRefreshing(m: TSignedMessage): Promise<TV3PayNotifyResult>;
  parseRefundNotifyRefreshing(m: TSignedMessage): Promise<TV3RefundNotifyResult>;
  jsapiPayParams(appId: string, prepayId: string): TV3JsapiPayParams;
  miniProgramPayParams(appId: string, prepayId: string): TV3MiniPayParams;
  /** The key and Wechatpay-Serial for encrypting sensitive fields. */
  encryptionKey(): { serial: string; key: KeyObject } | undefined;
};

export function createV3Merchant(config: TV3MerchantConfig): TV3Merchant {
  const privateKey =
    typeof config.privateKey === "string" ? loadPrivateKey(config.privateKey) : config.privateKey;
  const publicKey = config.publicKey
    ? wechatpayPublicKey(config.publicKey.id, config.publicKey.pem)
    : undefined;
  const mode: TV3Mode = publicKey ? (config.certificates ? "switching" : "public-key") : "certificate";
  // The store downloads through the client, and the client verifies through the store: the download closure
  // reads `client` only when called, after it exists.
  const certificates =
    mode === "public-key"
      ? undefined
      : new CertificateStore(config.certificates ?? [], {
          download: () => {
            const download = () => client.downloadCertificates(config.apiV3Key);
            return config.certificateDownload ? config.certificateDownload(download) : download();
          },
          ...(config.onCertificates ? { onUpdate: config.onCertificates } : {}),
        });
  const verifier = new WechatpayVerifier({
    ...(config.now ? { now: config.now } : {}),
    ...(publicKey ? { publicKey } : {}),
    ...(certificates ? { certificates } : {}),
  });
  const client: TV3Client = createV3Client({
    mchId: config.mchId,
    privateKey,
    serialNo: config.serialNo,
    verifier,
    ...(certificates ? { onUnknownSerial: (serial: string) => certificates.refreshFor(serial) } : {}),
    ...pick(config, [
      "baseUrl",
      "fetch",
      "timeoutMs",
      "userAgent",
      "maxResponseBytes",
      "maxBillBytes",
      "allowHttpNotifyUrl",
      "now",
    ]),
  });
  const notifyConfig: TV3NotifyConfig = {
    verifier,
    apiV3Key: config.apiV3Key,
    mchId: config.mchId,
    appIds: config.appIds,
  };

  async function refreshing<R extends { ok: boolean }>(
    m: TSignedMessage,
    parse: (m: TSignedMessage) => R,
  ): Promise<R> {
    const first = parse(m);
    const rejection = (first as { rejection?: { verify?: string; serial?: string } }).rejection;
    if (
      !first.ok &&
      certificates &&
      rejection?.verify === "UNKNOWN_SERIAL" &&
      rejection.serial !== undefined &&
      !rejection.serial.startsWith("PUB_KEY_ID_") &&
      (await certificates.refreshFor(rejection.serial))
    ) {
      return parse(m);
    }
    return first;
  }

  return {
    mode,
    client,
    verifier,
    certificates,
    parsePayNotify: (m) => parseV3PayNotify(m, notifyConfig),
    parseRefundNotify: (m) => parseV3RefundNotify(m, notifyConfig),
    parsePayNotifyRefreshing: (m) => refreshing(m, (x) => parseV3PayNotify(x, notifyConfig)),
    parseRefundNotifyRefreshing: (m) => refreshing(m, (x) => parseV3RefundNotify(x, notifyConfig)),
    jsapiPayParams: (appId, prepayId) => v3JsapiPayParams({ appId, prepayId, privateKey }),
    miniProgramPayParams: (appId, prepayId) => v3MiniProgramPayParams({ appId, prepayId, privateKey }),
    encryptionKey: () =>
      encryptionKey({ ...(publicKey ? { publicKey } : {}), ...(certificates ? { certificates } : {}) }),
  };
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
