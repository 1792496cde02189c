import type { SignType } from "@wxpay/wechatpay";

import type { TApiVersion } from "./gateway/payment-gateway";

/** The shop's configuration as core needs it; the app builds it from its validated env module. */
export type TCoreConfig = {
  /** Public origin, no trailing slash: builds notify_url and redirect URLs. */
  appUrl: string;
  /** Shown by WeChat on the H5 cashier (scene_info wap_name) and used as the order body prefix. */
  shopName: string;
  sessionSecret: string;
  mchId: string;
  key: string;
  /** The previous APIv2 key during a rotation: accepted on verify until `until`, and each use is an alert. */
  previousKeys: readonly string[];
  /** When the previous keys stop being accepted (WECHATPAY_KEY_PREVIOUS_UNTIL); absent = until removed. */
  previousKeysUntil?: Date;
  signType: SignType;
  /** WECHATPAY_API_VERSION: the API new attempts and refunds are made with (default v2); old ones keep theirs. */
  apiVersion?: TApiVersion;
  /** Refunds go over mutual TLS with the merchant API certificate; off = the shop never asks WeChat for one. */
  refundsEnabled: boolean;
  officialAccount: { appId: string; secret: string };
  miniProgram: { appId: string; secret: string };
  trustProxyHops: number;
  /** How long an unpaid order stays payable. WeChat: time_expire must be at least 5 minutes away. */
  orderTtlMs: number;
  /** Minimum spacing of orderquery calls made on behalf of one order by orderStatus. */
  orderQueryMinIntervalMs: number;
  /** Lifetime of a mini-program Bearer token. */
  miniTokenTtlMs: number;
  /**
   * Requests per minute per action (createOrder, prepay, orderStatus ×4, miniLogin, OAuth start) from one IP and
   * from one customer, across all instances; 0 = no limit.
   */
  rateLimits: { perIpPerMinute: number; perCustomerPerMinute: number };
  /** Unpaid, unexpired orders one customer may have at once; 0 = no cap. */
  maxOpenOrdersPerCustomer: number;
};

/** Production defaults of the abuse limits (the web app's env can change them). */
export const DEFAULT_LIMITS = {
  rateLimits: { perIpPerMinute: 60, perCustomerPerMinute: 20 },
  maxOpenOrdersPerCustomer: 10,
} as const;

export const DEFAULT_CORE_TUNING = {
  refundsEnabled: true,
  orderTtlMs: 30 * 60 * 1000,
  orderQueryMinIntervalMs: 3000,
  miniTokenTtlMs: 2 * 60 * 60 * 1000,
} as const;

export const NOTIFY_PATH = "/api/wechat/pay/notify";
export const NOTIFY_PATH_V3 = "/api/wechat/v3/pay/notify";
export const OAUTH_CALLBACK_PATH = "/api/wechat/oauth/callback";
export const resultPath = (orderId: string) => `/orders/${orderId}/result`;

/** The APIv2 keys a notify may be verified with now: the current one, and the previous ones until their end. */
export function activeKeys(config: TCoreConfig, now: Date): string[] {
  const until = config.previousKeysUntil;
  const previousOk = until === undefined || now.getTime() < until.getTime();
  return [config.key, ...(previousOk ? config.previousKeys : [])];
}
