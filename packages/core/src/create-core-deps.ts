import type { Db } from "@wxpay/db";
import type { TFetch, TMerchantCert } from "@wxpay/wechatpay";
import { createPayClient, createPlatformClient } from "@wxpay/wechatpay";
import { createV3Merchant } from "@wxpay/wechatpay/v3";

import type { TCoreConfig } from "./config";
import type { CoreDeps } from "./deps";
import { CoreError } from "./errors";
import type { PaymentGateway, TApiVersion } from "./gateway/payment-gateway";
import { createV2Gateway } from "./gateway/v2-gateway";
import { createV3Gateway } from "./gateway/v3-gateway";
import type { Logger } from "./log";
import { consoleLogger } from "./log";
import { downloadPlatformCertificatesOnce } from "./wechat/platform-certificates";

export type TWechatEndpoints = {
  payBase: string;
  apiBase: string;
  openBase: string;
  timeoutMs?: number;
  fetch?: TFetch;
  /** The merchant API certificate (apiclient_cert.pem + apiclient_key.pem) for /secapi/ over mutual TLS. */
  merchantCert?: TMerchantCert;
  /** API v3 credentials; absent = the shop cannot make or settle v3 attempts. */
  v3?: TV3Credentials;
};

export type TV3Credentials = {
  apiV3Key: string;
  /** apiclient_key.pem (signs every v3 request) and its certificate's serial. */
  privateKeyPem: string;
  serialNo: string;
  /** The WeChat Pay public key (PUB_KEY_ID_…); absent = platform-certificate mode. */
  publicKey?: { id: string; pem: string };
  /**
   * With `publicKey`: also accept platform certificates (downloaded when first needed) — WeChat's switch-over between
   * the two, during which answers and notifies may be signed either way.
   */
  acceptPlatformCertificates?: boolean;
};

/** Wires the WeChat clients for the configured merchant and apps. */
export function createCoreDeps(opts: {
  db: Db;
  config: TCoreConfig;
  wechat: TWechatEndpoints;
  now?: () => Date;
  log?: Logger;
}): CoreDeps {
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? consoleLogger;
  const { config, wechat } = opts;
  const pay = createPayClient({
    baseUrl: wechat.payBase,
    mchId: config.mchId,
    key: config.key,
    previousKeys: config.previousKeys,
    ...(config.previousKeysUntil ? { previousKeysUntil: config.previousKeysUntil } : {}),
    ...(wechat.merchantCert ? { cert: wechat.merchantCert } : {}),
    signType: config.signType,
    appId: config.officialAccount.appId,
    timeoutMs: wechat.timeoutMs ?? 10_000,
    now,
    ...(wechat.fetch ? { fetch: wechat.fetch } : {}),
  });
  const adapters: Partial<Record<TApiVersion, PaymentGateway>> = {
    v2: createV2Gateway({ pay, key: config.key, signType: config.signType }),
  };
  const v3 = wechat.v3;
  const v3Merchant = v3
    ? createV3Merchant({
        mchId: config.mchId,
        privateKey: v3.privateKeyPem,
        serialNo: v3.serialNo,
        apiV3Key: v3.apiV3Key,
        appIds: [config.officialAccount.appId, config.miniProgram.appId],
        ...(v3.publicKey ? { publicKey: v3.publicKey } : {}),
        ...(v3.publicKey && v3.acceptPlatformCertificates ? { certificates: [] } : {}),
        baseUrl: wechat.payBase,
        timeoutMs: wechat.timeoutMs ?? 10_000,
        // Request timestamps from the shop's clock (WeChat refuses one more than 5 minutes off).
        now: () => Math.floor(now().getTime() / 1000),
        // A shop on http (local development) may hand WeChat an http notify_url only when WeChat is a local
        // stand-in: the client refuses this option against a real WeChat host.
        allowHttpNotifyUrl: config.appUrl.startsWith("http:"),
        ...(wechat.fetch ? { fetch: wechat.fetch } : {}),
        // Certificate and switching modes: one instance downloads, every instance reads the table.
        certificateDownload: (download) =>
          downloadPlatformCertificatesOnce({ db: opts.db, now, log }, config.mchId, download),
      })
    : undefined;
  if (v3Merchant) adapters.v3 = createV3Gateway({ merchant: v3Merchant, now });
  if (!adapters[config.apiVersion ?? "v2"]) {
    throw new CoreError("WECHAT_REJECTED", "WECHATPAY_API_VERSION=v3 needs the v3 credentials");
  }
  return {
    db: opts.db,
    now,
    config,
    log,
    pay,
    ...(v3Merchant ? { v3: v3Merchant } : {}),
    gateways: {
      current: config.apiVersion ?? "v2",
      of(version) {
        const gateway = adapters[version];
        if (!gateway) throw new CoreError("WECHAT_REJECTED", `WeChat Pay API ${version} is not configured`);
        return gateway;
      },
    },
    platform: createPlatformClient({
      baseUrl: wechat.apiBase,
      openBaseUrl: wechat.openBase,
      timeoutMs: wechat.timeoutMs ?? 10_000,
      now,
      ...(wechat.fetch ? { fetch: wechat.fetch } : {}),
    }),
  };
}
