// What every use case receives. Built once per process by the app from its validated configuration.
import type { Db } from "@wxpay/db";
import type { PayClient, PlatformClient } from "@wxpay/wechatpay";
import type { TV3Merchant } from "@wxpay/wechatpay/v3";

import type { TCoreConfig } from "./config";
import type { PaymentGateways } from "./gateway/payment-gateway";
import type { Logger } from "./log";

export type CoreDeps = {
  db: Db;
  /** The clock, injectable for tests of expiry rules. */
  now: () => Date;
  config: TCoreConfig;
  /** The v2 client itself: the v2 adapter's, and the v2 notify parsers' keys. Use cases go through `gateways`. */
  pay: PayClient;
  /** WeChat Pay behind one port: an adapter per API version; `current` serves new attempts and refunds. */
  gateways: PaymentGateways;
  /** The v3 merchant (verifier, notify parsers), when v3 credentials are configured: read by the v3 notify use cases. */
  v3?: TV3Merchant;
  platform: PlatformClient;
  log: Logger;
};
