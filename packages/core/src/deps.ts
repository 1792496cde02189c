// What every use case receives. Built once per process by the app from its validated configuration.
import type { Db } from "@wxpay/db";
import type { PayClient, PlatformClient } from "@wxpay/wechatpay";

import type { TCoreConfig } from "./config";
import type { Logger } from "./log";

export type CoreDeps = {
  db: Db;
  /** The clock, injectable for tests of expiry rules. */
  now: () => Date;
  config: TCoreConfig;
  pay: PayClient;
  platform: PlatformClient;
  log: Logger;
};
