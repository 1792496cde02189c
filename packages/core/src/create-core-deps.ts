import type { Db } from "@wxpay/db";
import type { TFetch, TMerchantCert } from "@wxpay/wechatpay";
import { createPayClient, createPlatformClient } from "@wxpay/wechatpay";

import type { TCoreConfig } from "./config";
import type { CoreDeps } from "./deps";
import type { Logger } from "./log";
import { consoleLogger } from "./log";

export type TWechatEndpoints = {
  payBase: string;
  apiBase: string;
  openBase: string;
  timeoutMs?: number;
  fetch?: TFetch;
  /** The merchant API certificate (apiclient_cert.pem + apiclient_key.pem) for /secapi/ over mutual TLS. */
  merchantCert?: TMerchantCert;
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
  const { config, wechat } = opts;
  return {
    db: opts.db,
    now,
    config,
    log: opts.log ?? consoleLogger,
    pay: createPayClient({
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
    }),
    platform: createPlatformClient({
      baseUrl: wechat.apiBase,
      openBaseUrl: wechat.openBase,
      timeoutMs: wechat.timeoutMs ?? 10_000,
      now,
      ...(wechat.fetch ? { fetch: wechat.fetch } : {}),
    }),
  };
}
