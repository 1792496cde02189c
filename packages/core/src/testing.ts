// Test helpers for packages that exercise core for real: a migrated database of its own (PostgreSQL from
// the test harness, else in-memory PGlite) and core deps wired to a WeChat (the simulator) over HTTP.
import fs from "node:fs";

import type { DbHandle } from "@wxpay/db";
import { createDbHandle } from "@wxpay/db";
import { createTestDatabase } from "@wxpay/testkit/postgres";

import type { TCoreConfig } from "./config";
import { DEFAULT_CORE_TUNING } from "./config";
import type { TV3Credentials } from "./create-core-deps";
import { createCoreDeps } from "./create-core-deps";
import type { CoreDeps } from "./deps";
import type { Logger } from "./log";
import { silentLogger } from "./log";

/** The simulator's sandbox merchant and apps (the values .env.example documents). */
export const SANDBOX_CONFIG: TCoreConfig = {
  appUrl: "http://127.0.0.1:3000",
  shopName: "茶与器",
  sessionSecret: "test-session-secret-0123456789-0123456789",
  mchId: "1230000109",
  key: "192006250b4c09247ec02edce69f6a2d",
  previousKeys: [],
  signType: "MD5",
  officialAccount: { appId: "wxd930ea5d5a258f4f", secret: "5f1c3e6a9b2d4c7e8f0a1b2c3d4e5f60" },
  miniProgram: { appId: "wx2421b1c4370ec43b", secret: "0a9b8c7d6e5f40312233445566778899" },
  trustProxyHops: 0,
  ...DEFAULT_CORE_TUNING,
  // Off unless a test is about them: the integration suites place hundreds of orders from 127.0.0.1.
  rateLimits: { perIpPerMinute: 0, perCustomerPerMinute: 0 },
  maxOpenOrdersPerCustomer: 0,
};

const sandboxFile = (name: string) =>
  fs.readFileSync(new URL(`../../../apps/wechat-sim/sandbox/${name}`, import.meta.url), "utf8");

/** The simulator's API v3 sandbox merchant: APIv3 key, merchant key and serial, WeChat Pay public key. */
export function sandboxV3Credentials(
  mode: "public-key" | "certificate" | "switching" = "public-key",
): TV3Credentials {
  return {
    apiV3Key: "wxpaystackSandboxApiV3Key0123456",
    privateKeyPem: sandboxFile("apiclient_key.pem"),
    serialNo: "5A1B2C3D4E5F60718293A4B5C6D7E8F901234567",
    ...(mode === "switching" ? { acceptPlatformCertificates: true } : {}),
    ...(mode !== "certificate"
      ? {
          publicKey: { id: "PUB_KEY_ID_0112300001092026112900000000000001", pem: sandboxFile("pub_key.pem") },
        }
      : {}),
  };
}

export type TTestCore = {
  deps: CoreDeps;
  handle: DbHandle;
  /** Undefined on PGlite. */ databaseUrl: string | undefined;
  close(): Promise<void>;
};

export async function createTestCore(opts: {
  label: string;
  wechatBase: string;
  config?: Partial<TCoreConfig>;
  now?: () => Date;
  log?: Logger;
  maxConnections?: number;
}): Promise<TTestCore> {
  const target = await createTestDatabase(opts.label);
  const handle = await createDbHandle({
    databaseUrl: target.url,
    pgliteDataDir: "memory://",
    maxConnections: opts.maxConnections ?? 20,
  });
  await handle.migrate();
  const deps = createCoreDeps({
    db: handle.db,
    config: { ...SANDBOX_CONFIG, ...opts.config },
    wechat: {
      payBase: opts.wechatBase,
      apiBase: opts.wechatBase,
      openBase: opts.wechatBase,
      timeoutMs: 5000,
      v3: sandboxV3Credentials(),
    },
    log: opts.log ?? silentLogger,
    ...(opts.now ? { now: opts.now } : {}),
  });
  return {
    deps,
    handle,
    databaseUrl: target.url,
    async close() {
      await handle.close();
      await target.drop();
    },
  };
}
