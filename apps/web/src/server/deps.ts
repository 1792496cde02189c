// The process's core dependencies, built once from the validated configuration.
import type { CoreDeps, TCoreConfig } from "@wxpay/core";
import { createCoreDeps, createLogger, DEFAULT_CORE_TUNING, ensurePlatformCertificates } from "@wxpay/core";
import type { DbHandle } from "@wxpay/db";
import { sharedDbHandle } from "@wxpay/db";

import { env } from "../env";

export const SHOP_NAME = "茶与器";

export function dbHandle(): Promise<DbHandle> {
  const e = env();
  return sharedDbHandle({
    databaseUrl: e.DATABASE_URL,
    pgliteDataDir: e.pgliteDataDir,
    migrateOnStart: e.MIGRATE_ON_START,
  });
}

export function coreConfig(): TCoreConfig {
  const e = env();
  return {
    appUrl: e.APP_URL,
    shopName: SHOP_NAME,
    sessionSecret: e.SESSION_SECRET,
    mchId: e.WECHATPAY_MCH_ID,
    key: e.WECHATPAY_KEY,
    previousKeys: e.WECHATPAY_KEY_PREVIOUS ? [e.WECHATPAY_KEY_PREVIOUS] : [],
    ...(e.WECHATPAY_KEY_PREVIOUS_UNTIL ? { previousKeysUntil: e.WECHATPAY_KEY_PREVIOUS_UNTIL } : {}),
    signType: e.WECHATPAY_SIGN_TYPE,
    apiVersion: e.WECHATPAY_API_VERSION,
    officialAccount: { appId: e.WECHAT_APPID, secret: e.WECHAT_APPSECRET },
    miniProgram: { appId: e.WECHAT_MINI_APPID, secret: e.WECHAT_MINI_SECRET },
    trustProxyHops: e.TRUST_PROXY_HOPS,
    ...DEFAULT_CORE_TUNING,
    refundsEnabled: e.REFUNDS_ENABLED,
    rateLimits: {
      perIpPerMinute: e.RATE_LIMIT_PER_IP_PER_MINUTE,
      perCustomerPerMinute: e.RATE_LIMIT_PER_CUSTOMER_PER_MINUTE,
    },
    maxOpenOrdersPerCustomer: e.MAX_OPEN_ORDERS_PER_CUSTOMER,
  };
}

const GLOBAL_KEY = Symbol.for("wxpay.web.coreDeps");
type G = typeof globalThis & { [GLOBAL_KEY]?: Promise<CoreDeps> };

export function coreDeps(): Promise<CoreDeps> {
  const g = globalThis as G;
  g[GLOBAL_KEY] ??= (async () => {
    const e = env();
    const handle = await dbHandle();
    const deps = createCoreDeps({
      db: handle.db,
      config: coreConfig(),
      log: createLogger({ level: e.LOG_LEVEL, stdout: "async" }),
      wechat: {
        payBase: e.WECHAT_PAY_BASE,
        apiBase: e.WECHAT_API_BASE,
        openBase: e.WECHAT_OPEN_BASE,
        ...(e.merchantCert
          ? { merchantCert: { certPem: e.merchantCert.certPem, keyPem: e.merchantCert.keyPem } }
          : {}),
        // Wired whenever the credentials are there: the v3 notify routes stay live whatever the switch says.
        ...(e.v3 ? { v3: e.v3 } : {}),
      },
    });
    // Certificate and switching modes: the cached platform certificates, or one download shared by all instances. A
    // WeChat that does not answer now is not fatal: a notify or answer with an unknown serial downloads again.
    await ensurePlatformCertificates(deps).catch((err: unknown) =>
      deps.log.error("platform certificates not loaded at start", { error: String(err) }),
    );
    return deps;
  })().catch((err: unknown) => {
    delete g[GLOBAL_KEY];
    throw err;
  });
  return g[GLOBAL_KEY];
}
