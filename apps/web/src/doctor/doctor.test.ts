// The doctor command as an operator runs it, against the sandbox configuration and against a complete production
// configuration (own keys made for this run, a real PostgreSQL database migrated by the migrate command's code).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDbHandle } from "@wxpay/db";
import type { ThrowawayPostgres } from "@wxpay/testkit/postgres";
import { createTestDatabase, startThrowawayPostgres, withDatabase } from "@wxpay/testkit/postgres";

import type { TTestKeys } from "./test-keys";
import { makeTestKeys, TEST_MCH_ID } from "./test-keys";

const WEB_DIR = path.resolve(import.meta.dirname, "../..");

/** `pnpm --filter @wxpay/web run doctor` with exactly `env` as configuration (plus what a shell needs). */
function runDoctorCommand(env: Record<string, string>) {
  const res = spawnSync("pnpm", ["run", "--silent", "doctor"], {
    cwd: WEB_DIR,
    encoding: "utf8",
    timeout: 90_000,
    env: {
      NODE_ENV: "development",
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ...env,
    },
  });
  return { code: res.status, out: res.stdout + res.stderr };
}

describe("pnpm --filter @wxpay/web run doctor", () => {
  let keys: TTestKeys;
  let databaseUrl: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    keys = makeTestKeys();
    const target = await createTestDatabase("doctor");
    let pg: ThrowawayPostgres | undefined;
    if (target.url) {
      databaseUrl = target.url;
    } else {
      pg = await startThrowawayPostgres();
      databaseUrl = withDatabase(pg.url, "postgres");
    }
    cleanup = async () => {
      await target.drop();
      pg?.stop();
    };
  });
  afterAll(async () => {
    fs.rmSync(keys.dir, { recursive: true, force: true });
    await cleanup?.();
  });

  it("on the sandbox configuration lists every blocker with its fix, and exits 1", () => {
    const { code, out } = runDoctorCommand({});
    expect(code).toBe(1);
    const failed = out.split("\n").filter((l) => l.startsWith("✗ "));
    expect(failed.map((l) => l.split(" / ")[1])).toEqual([
      "APP_URL is a public HTTPS origin",
      "WeChat base URLs point at WeChat",
      "no sandbox secrets in use",
      "merchant API certificate and key",
      "domain verification files",
      "database reachable and migrated",
    ]);
    // Under every ✗: what was found, then the fix in Chinese and in English.
    const lines = out.split("\n");
    for (const l of failed) {
      const i = lines.indexOf(l);
      expect(lines[i + 2], l).toMatch(/^ {4}修复: /);
      expect(lines[i + 3], l).toMatch(/^ {4}Fix: /);
    }
    expect(out).toContain("APP_URL=http://localhost:3000 is not https");
    expect(out).toMatch(/6 项阻止上线 \/ 6 item\(s\) block going live/);
  });

  it("on a complete production configuration prints every item ✓ and exits 0", async () => {
    const handle = await createDbHandle({ databaseUrl });
    try {
      await handle.migrate();
    } finally {
      await handle.close();
    }
    const { code, out } = runDoctorCommand({
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      APP_URL: "https://shop.example.com",
      SESSION_SECRET: "a-real-session-secret-of-forty-characters",
      WECHAT_APPID: "wx0123456789abcdef",
      WECHAT_APPSECRET: "0123456789abcdef0123456789abcdef",
      WECHAT_MINI_APPID: "wxfedcba9876543210",
      WECHAT_MINI_SECRET: "fedcba9876543210fedcba9876543210",
      WECHATPAY_MCH_ID: TEST_MCH_ID,
      WECHATPAY_KEY: "Q8v2Zt5Lw1Nx7Rc4Hs9Kd3Fp6Jm0Ub2Y",
      WECHAT_PAY_BASE: "https://api.mch.weixin.qq.com",
      WECHAT_API_BASE: "https://api.weixin.qq.com",
      WECHAT_OPEN_BASE: "https://open.weixin.qq.com",
      TRUST_PROXY_HOPS: "1",
      MIGRATE_ON_START: "false",
      WECHAT_MP_VERIFY: "MP_verify_Ab12Cd34Ef56Gh78.txt=Ab12Cd34Ef56Gh78",
      WECHATPAY_API_VERSION: "v3",
      WECHATPAY_APIV3_KEY: "v3KeyOfExactlyThirtyTwoBytes0042",
      WECHATPAY_MCH_CERT_PATH: keys.certPath,
      WECHATPAY_MCH_KEY_PATH: keys.keyPath,
      WECHATPAY_MCH_SERIAL: keys.serial,
      WECHATPAY_PUBLIC_KEY_PATH: keys.publicKeyPath,
      WECHATPAY_PUBLIC_KEY_ID: "PUB_KEY_ID_0119000123452026112900000000000007",
    });
    expect(out).not.toContain("✗");
    expect(code, out).toBe(0);
    const marks = out.split("\n").filter((l) => /^[✓✗?] /.test(l));
    // Everything but the WeChat hosts is decided here; the hosts are ✓ where this machine reaches them, else "?".
    expect(marks.filter((l) => !l.includes("reachable")).every((l) => l.startsWith("✓ "))).toBe(true);
    expect(marks.filter((l) => l.startsWith("✓ "))).toHaveLength(
      marks.length - marks.filter((l) => l.startsWith("? ")).length,
    );
    expect(marks.length).toBeGreaterThanOrEqual(13);
    expect(out).toMatch(/database reachable and migrated {2}\((\d+)\/\1 migrations\)/);
    expect(out).toMatch(/可以上线 \/ ready to go live/);
  });
});
