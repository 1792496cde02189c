// `doctor`: every go-live check against one configuration, in order, and the report printed for an operator.
import fs from "node:fs";
import path from "node:path";

import { createDbHandle } from "@wxpay/db";

import { SANDBOX, ZEnv } from "../env";
import type { TCheckResult } from "./checks";
import {
  checkAppUrl,
  checkConfigParses,
  checkDatabase,
  checkMerchantCertificate,
  checkMpVerify,
  checkNoSandboxSecrets,
  checkNotifyUrls,
  checkReachable,
  checkV2Key,
  checkV3Key,
  checkWechatHosts,
  checkWechatPayPublicKey,
  WECHAT_HOSTS,
  ZDoctorEnv,
} from "./checks";

export type TDoctorOptions = {
  now?: Date;
  /** Where relative key paths are resolved (the working directory of the web process). */
  cwd?: string;
  /** Timeout for each WeChat host. */
  reachTimeoutMs?: number;
};

/** The database's migration state, through the same client the web app uses. */
async function databaseHealth(url: string) {
  const handle = await createDbHandle({ databaseUrl: url, maxConnections: 1 });
  try {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("no answer in 10 s")), 10_000).unref(),
    );
    return await Promise.race([handle.health(), timeout]);
  } finally {
    await handle.close();
  }
}

export async function runDoctor(
  raw: Record<string, string | undefined>,
  opts: TDoctorOptions = {},
): Promise<TCheckResult[]> {
  const now = opts.now ?? new Date();
  const cwd = opts.cwd ?? process.cwd();
  const v3 = ZDoctorEnv.safeParse(raw).data ?? ZDoctorEnv.parse({});
  const base = ZEnv.safeParse(raw);
  const get = (name: string) => raw[name]?.trim() || undefined;

  const readFile = (p: string | undefined): string | undefined => {
    if (!p) return undefined;
    try {
      return fs.readFileSync(path.resolve(cwd, p), "utf8");
    } catch {
      return undefined;
    }
  };
  const certPem = readFile(v3.WECHATPAY_MCH_CERT_PATH);
  const keyPem = readFile(v3.WECHATPAY_MCH_KEY_PATH);
  const publicKeyPem = readFile(v3.WECHATPAY_PUBLIC_KEY_PATH);
  const missing = [
    ["WECHATPAY_MCH_CERT_PATH", v3.WECHATPAY_MCH_CERT_PATH, certPem],
    ["WECHATPAY_MCH_KEY_PATH", v3.WECHATPAY_MCH_KEY_PATH, keyPem],
    ["WECHATPAY_PUBLIC_KEY_PATH", v3.WECHATPAY_PUBLIC_KEY_PATH, publicKeyPem],
  ].filter(([, p, pem]) => p && !pem);

  const results: TCheckResult[] = [checkConfigParses(raw)];
  if (missing.length > 0) {
    results.push({
      title: "密钥文件可读 / key files readable",
      status: "fail",
      detail: missing.map(([name, p]) => `${name}=${p}`).join("; "),
      fix: {
        zh: "文件不存在或不可读：检查路径（相对于 web 进程的工作目录）与文件权限",
        en: "the file is missing or unreadable: check the path (relative to the web process's working directory) and its permissions",
      },
    });
  }
  // Unset, the web app serves http://localhost:3000 (env.ts): doctor judges what the app would use.
  const appUrl = get("APP_URL") ?? "http://localhost:3000";
  results.push(
    checkAppUrl(appUrl),
    checkNotifyUrls(appUrl),
    checkWechatHosts(raw),
    checkNoSandboxSecrets(
      raw,
      {
        WECHATPAY_MCH_CERT_PATH: certPem,
        WECHATPAY_MCH_KEY_PATH: keyPem,
        WECHATPAY_PUBLIC_KEY_PATH: publicKeyPem,
      },
      v3.WECHATPAY_API_VERSION,
    ),
  );
  if (v3.WECHATPAY_API_VERSION === "v2" || get("WECHATPAY_KEY"))
    results.push(checkV2Key(get("WECHATPAY_KEY") ?? SANDBOX.WECHATPAY_KEY));
  results.push(
    checkMerchantCertificate({
      certPem,
      keyPem,
      mchId: get("WECHATPAY_MCH_ID"),
      serial: v3.WECHATPAY_MCH_SERIAL,
      now,
    }),
  );
  if (v3.WECHATPAY_API_VERSION === "v3" || v3.WECHATPAY_APIV3_KEY)
    results.push(checkV3Key(v3.WECHATPAY_APIV3_KEY));
  if (v3.WECHATPAY_API_VERSION === "v3" || publicKeyPem || v3.WECHATPAY_PUBLIC_KEY_ID)
    results.push(checkWechatPayPublicKey(publicKeyPem, v3.WECHATPAY_PUBLIC_KEY_ID));
  results.push(checkMpVerify(base.data?.WECHAT_MP_VERIFY ?? {}));
  results.push(await checkDatabase(get("DATABASE_URL"), databaseHealth));
  const hosts = [WECHAT_HOSTS.WECHAT_PAY_BASE, WECHAT_HOSTS.WECHAT_API_BASE];
  results.push(...(await Promise.all(hosts.map((h) => checkReachable(h, opts.reachTimeoutMs)))));
  return results;
}

const MARK = { ok: "✓", fail: "✗", unknown: "?" } as const;

/** One line per check; under each ✗ (and ?) what was found and the fix, in Chinese and in English. */
export function formatReport(results: TCheckResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${MARK[r.status]} ${r.title}${r.detail && r.status === "ok" ? `  (${r.detail})` : ""}`);
    if (r.status !== "ok") {
      if (r.detail) lines.push(`    ${r.detail}`);
      if (r.fix) lines.push(`    修复: ${r.fix.zh}`, `    Fix: ${r.fix.en}`);
    }
  }
  const failed = results.filter((r) => r.status === "fail").length;
  const unknown = results.filter((r) => r.status === "unknown").length;
  lines.push(
    "",
    failed === 0
      ? `可以上线 / ready to go live (${results.length - unknown} ✓${unknown ? `, ${unknown} ? not checkable from this machine` : ""})`
      : `${failed} 项阻止上线 / ${failed} item(s) block going live`,
  );
  return lines.join("\n");
}
