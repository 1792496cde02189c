// The go-live checks behind `pnpm --filter @wxpay/web doctor`. Each check looks at one thing WeChat or production
// needs and answers ✓, ✗ with the fix (Chinese and English), or "unknown" when this machine cannot tell.
import crypto from "node:crypto";

import { z } from "zod";

import { SANDBOX, ZEnv } from "../env";

export type TFix = { zh: string; en: string };
export type TCheckResult = {
  title: string;
  status: "ok" | "fail" | "unknown";
  /** What was found (the failing value, the reason it is unknown). */
  detail?: string;
  fix?: TFix;
};

const ok = (title: string, detail?: string): TCheckResult => ({
  title,
  status: "ok",
  ...(detail ? { detail } : {}),
});
const fail = (title: string, detail: string, fix: TFix): TCheckResult => ({
  title,
  status: "fail",
  detail,
  fix,
});

/** The notify paths the shop gives WeChat, each with WeChat's length limit for it. */
export const NOTIFY_PATHS = {
  v2: [
    // WeChat v2: notify_url String(256) for unifiedorder and refund.
    { path: "/api/wechat/pay/notify", max: 256 },
    { path: "/api/wechat/refund/notify", max: 256 },
  ],
  v3: [
    // WeChat v3: notify_url string(255) for ordering, string(256) for refunds.
    { path: "/api/wechat/v3/pay/notify", max: 255 },
    { path: "/api/wechat/v3/refund/notify", max: 256 },
  ],
} as const;

/** WeChat's real hosts (DESIGN.md), one per base URL setting. */
export const WECHAT_HOSTS = {
  WECHAT_PAY_BASE: "https://api.mch.weixin.qq.com",
  WECHAT_API_BASE: "https://api.weixin.qq.com",
  WECHAT_OPEN_BASE: "https://open.weixin.qq.com",
} as const;

/**
 * The sandbox secrets of apps/wechat-sim (values, and SHA-256 of each sandbox key's public half, SPKI DER): they are
 * published in the repository, so a shop using any of them signs with keys that everyone has.
 */
export const SANDBOX_SECRETS = {
  ...SANDBOX,
  WECHATPAY_APIV3_KEY: "wxpaystackSandboxApiV3Key0123456",
  WECHATPAY_PUBLIC_KEY_ID: "PUB_KEY_ID_0112300001092026112900000000000001",
  WECHATPAY_MCH_SERIAL: "5A1B2C3D4E5F60718293A4B5C6D7E8F901234567",
  keyFingerprints: {
    "apiclient_key.pem / apiclient_cert.pem":
      "d7106b119dbd7a57f65d44acc3e521b8eabbc628e5f6e47e7c4861950ead8fe6",
    "pub_key.pem": "6e4195b6cb02330f0c7533918dd2bc83b007b3a21a24da59f4169b41ecd7c6f8",
    "platform_cert.pem": "f8823f570fb1a69f18ecf53baf3126045ba81e7f9849e8a3281f22f829220a38",
  } as Record<string, string>,
};

const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

/** The settings doctor reads beyond the web app's own (the API v3 and certificate names of DESIGN.md). */
export const ZDoctorEnv = z.object({
  WECHATPAY_API_VERSION: optional.pipe(z.enum(["v2", "v3"]).default("v2")),
  WECHATPAY_APIV3_KEY: optional,
  WECHATPAY_MCH_CERT_PATH: optional,
  WECHATPAY_MCH_KEY_PATH: optional,
  WECHATPAY_MCH_SERIAL: optional,
  WECHATPAY_PUBLIC_KEY_PATH: optional,
  WECHATPAY_PUBLIC_KEY_ID: optional,
});
export type TDoctorEnv = z.infer<typeof ZDoctorEnv>;

/** The web app reads the configuration without complaint (apps/web/src/env.ts). */
export function checkConfigParses(raw: Record<string, string | undefined>): TCheckResult {
  const title = "配置有效 / configuration is valid";
  const issues = [
    ...(ZEnv.safeParse(raw).error?.issues ?? []),
    ...(ZDoctorEnv.safeParse(raw).error?.issues ?? []),
  ];
  if (issues.length === 0) return ok(title);
  return fail(title, issues.map((i) => `${i.path.join(".") || "env"}: ${i.message}`).join("; "), {
    zh: "按上面的提示改正这些变量（见 .env.example）",
    en: "correct these variables as the messages say (see .env.example)",
  });
}

const isLocalHost = (host: string) =>
  /^(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+)$/.test(
    host,
  ) || host.endsWith(".local");

/** APP_URL is the public HTTPS origin: WeChat calls notify_url and opens pages only on public HTTPS domains. */
export function checkAppUrl(appUrl: string | undefined): TCheckResult {
  const title = "APP_URL 是公网 HTTPS 地址 / APP_URL is a public HTTPS origin";
  const fix = {
    zh: "把 APP_URL 设为商城对外的 https 域名（已备案），不带路径和参数，例如 https://shop.example.com",
    en: "set APP_URL to the shop's public https origin (an ICP-registered domain), no path or query, e.g. https://shop.example.com",
  };
  let u: URL;
  try {
    u = new URL(appUrl ?? "");
  } catch {
    return fail(title, `APP_URL=${appUrl ?? ""} is not a URL`, fix);
  }
  if (u.protocol !== "https:") return fail(title, `APP_URL=${appUrl} is not https`, fix);
  if (isLocalHost(u.hostname)) return fail(title, `APP_URL=${appUrl} is not a public host`, fix);
  if (u.search || u.hash || (u.pathname !== "/" && u.pathname !== ""))
    return fail(title, `APP_URL=${appUrl} has a path, query or fragment`, fix);
  return ok(title, u.origin);
}

/**
 * Every notify_url the shop sends, v2 and v3 (attempts of either version may be in flight, so both sets are live):
 * no query string, within WeChat's length limits.
 */
export function checkNotifyUrls(appUrl: string | undefined): TCheckResult {
  const title = "回调地址 notify_url 合规 / notify URLs meet WeChat's rules";
  const base = (appUrl ?? "").replace(/\/+$/, "");
  const problems: string[] = [];
  for (const { path, max } of [...NOTIFY_PATHS.v2, ...NOTIFY_PATHS.v3]) {
    const url = `${base}${path}`;
    if (/[?#]/.test(url)) problems.push(`${url} carries a query string or fragment`);
    if (url.length > max) problems.push(`${url} is ${url.length} characters (WeChat allows ${max})`);
  }
  if (problems.length === 0) return ok(title, `${base}/api/wechat/…/notify`);
  return fail(title, problems.join("; "), {
    zh: "notify_url 不能携带参数且不超过 255/256 个字符：缩短 APP_URL，去掉其中的 ? 与 #",
    en: "notify_url must carry no query and stay within 255/256 characters: shorten APP_URL and remove any ? or #",
  });
}

/** The three base URLs point at WeChat itself, not at the simulator. */
export function checkWechatHosts(raw: Record<string, string | undefined>): TCheckResult {
  const title = "微信接口地址指向微信 / WeChat base URLs point at WeChat";
  const wrong = Object.entries(WECHAT_HOSTS)
    .filter(([name, host]) => (raw[name]?.trim() || "").replace(/\/+$/, "") !== host)
    .map(([name]) => `${name}=${raw[name]?.trim() || "(unset: the simulator)"}`);
  if (wrong.length === 0) return ok(title);
  return fail(title, wrong.join("; "), {
    zh: `设为微信的正式地址：${Object.entries(WECHAT_HOSTS)
      .map(([n, h]) => `${n}=${h}`)
      .join(" ")}`,
    en: `set WeChat's real hosts: ${Object.entries(WECHAT_HOSTS)
      .map(([n, h]) => `${n}=${h}`)
      .join(" ")}`,
  });
}

/** SHA-256 of a key's public half (SPKI DER), from a certificate, a private key or a public key in PEM. */
export function publicKeyFingerprint(pem: string): string {
  let key: crypto.KeyObject;
  if (pem.includes("CERTIFICATE")) key = new crypto.X509Certificate(pem).publicKey;
  else if (pem.includes("PRIVATE KEY")) key = crypto.createPublicKey(crypto.createPrivateKey(pem));
  else key = crypto.createPublicKey(pem);
  return crypto
    .createHash("sha256")
    .update(key.export({ type: "spki", format: "der" }))
    .digest("hex");
}

/** No sandbox value, and no sandbox key file, is in use. */
export function checkNoSandboxSecrets(
  raw: Record<string, string | undefined>,
  keyFiles: Record<string, string | undefined>,
  apiVersion: "v2" | "v3" = "v2",
): TCheckResult {
  const title = "未使用沙箱密钥 / no sandbox secrets in use";
  const names = [
    "WECHAT_APPID",
    "WECHAT_APPSECRET",
    "WECHAT_MINI_APPID",
    "WECHAT_MINI_SECRET",
    "WECHATPAY_MCH_ID",
    "WECHATPAY_KEY",
    "SESSION_SECRET",
    "WECHATPAY_APIV3_KEY",
    "WECHATPAY_PUBLIC_KEY_ID",
    "WECHATPAY_MCH_SERIAL",
  ] as const;
  const found: string[] = [];
  for (const name of names) {
    const value = raw[name]?.trim();
    const sandbox = SANDBOX_SECRETS[name];
    // Unset web-app settings fall back to the sandbox (env.ts); unset v3 settings are simply absent. A v3 shop
    // may have no v2 key at all.
    const fallsBack = !value && name in SANDBOX && !(name === "WECHATPAY_KEY" && apiVersion === "v3");
    if (value === sandbox || fallsBack) found.push(`${name}${value ? "" : " (unset)"}`);
  }
  if (raw.WECHATPAY_KEY_PREVIOUS?.trim() === SANDBOX.WECHATPAY_KEY) found.push("WECHATPAY_KEY_PREVIOUS");
  const sandboxPrints = new Set(Object.values(SANDBOX_SECRETS.keyFingerprints));
  for (const [name, pem] of Object.entries(keyFiles)) {
    if (!pem) continue;
    try {
      if (sandboxPrints.has(publicKeyFingerprint(pem))) found.push(`${name} (a sandbox key file)`);
    } catch {
      // unreadable keys are reported by their own checks
    }
  }
  if (found.length === 0) return ok(title);
  return fail(title, found.join(", "), {
    zh: "换成自己的值：公众号/小程序的 AppID 与 AppSecret（公众平台），商户号与 API 密钥、APIv3 密钥、商户 API 证书与私钥、微信支付公钥（商户平台 → 账户中心 → API安全），以及新生成的 SESSION_SECRET（openssl rand -hex 32）",
    en: "use your own: AppIDs and AppSecrets (WeChat Official Accounts Platform), merchant id, API key, APIv3 key, merchant API certificate and key, WeChat Pay public key (Merchant Platform → Account Center → API Security), and a fresh SESSION_SECRET (openssl rand -hex 32)",
  });
}

/** WeChat: the v2 API key is 32 characters, letters and digits (set in 商户平台 → API安全). */
export function checkV2Key(key: string | undefined): TCheckResult {
  const title = "API v2 密钥格式 / API v2 key format";
  if (key && /^[A-Za-z0-9]{32}$/.test(key)) return ok(title);
  return fail(title, key ? `${key.length} characters` : "WECHATPAY_KEY is unset", {
    zh: "在商户平台 → 账户中心 → API安全 设置 32 位 API 密钥（字母和数字），填入 WECHATPAY_KEY",
    en: "set a 32-character API key (letters and digits) in Merchant Platform → Account Center → API Security and put it in WECHATPAY_KEY",
  });
}

/** WeChat: the APIv3 key is 32 bytes; AES-256-GCM uses it as raw bytes. */
export function checkV3Key(key: string | undefined): TCheckResult {
  const title = "APIv3 密钥格式 / APIv3 key format";
  if (key && Buffer.byteLength(key, "utf8") === 32 && /^[\x21-\x7e]+$/.test(key)) return ok(title);
  return fail(title, key ? `${Buffer.byteLength(key, "utf8")} bytes` : "WECHATPAY_APIV3_KEY is unset", {
    zh: "在商户平台 → 账户中心 → API安全 设置 32 位 APIv3 密钥，填入 WECHATPAY_APIV3_KEY（未设置时微信不发回调）",
    en: "set the 32-character APIv3 key in Merchant Platform → Account Center → API Security and put it in WECHATPAY_APIV3_KEY (without it WeChat sends no notifications)",
  });
}

/** Days before expiry below which a certificate counts as a blocker. */
export const CERT_RENEW_DAYS = 30;

/**
 * The merchant API certificate and private key (apiclient_cert.pem / apiclient_key.pem): both readable, a matching
 * pair, valid for more than CERT_RENEW_DAYS, issued to the merchant, and its serial the configured one.
 */
export function checkMerchantCertificate(opts: {
  certPem: string | undefined;
  keyPem: string | undefined;
  mchId: string | undefined;
  serial: string | undefined;
  now: Date;
}): TCheckResult {
  const title = "商户 API 证书与私钥 / merchant API certificate and key";
  const download = {
    zh: "在商户平台 → 账户中心 → API安全 → 申请API证书，下载后把 apiclient_cert.pem 与 apiclient_key.pem 的路径填入 WECHATPAY_MCH_CERT_PATH / WECHATPAY_MCH_KEY_PATH",
    en: "apply for the API certificate in Merchant Platform → Account Center → API Security, then point WECHATPAY_MCH_CERT_PATH / WECHATPAY_MCH_KEY_PATH at apiclient_cert.pem and apiclient_key.pem",
  };
  if (!opts.certPem || !opts.keyPem)
    return fail(
      title,
      `${opts.certPem ? "" : "certificate "}${opts.keyPem ? "" : "key "}missing`.trim(),
      download,
    );
  let cert: crypto.X509Certificate;
  let key: crypto.KeyObject;
  try {
    cert = new crypto.X509Certificate(opts.certPem);
  } catch (err) {
    return fail(title, `the certificate is not a PEM certificate (${(err as Error).message})`, download);
  }
  try {
    key = crypto.createPrivateKey(opts.keyPem);
  } catch (err) {
    return fail(title, `the key is not a PEM private key (${(err as Error).message})`, download);
  }
  if (!cert.checkPrivateKey(key))
    return fail(title, "the private key does not belong to the certificate", {
      zh: "证书与私钥不是一对：使用同一次申请下载的 apiclient_cert.pem 与 apiclient_key.pem",
      en: "certificate and key are not a pair: use apiclient_cert.pem and apiclient_key.pem from the same download",
    });
  const validTo = new Date(cert.validTo);
  const validFrom = new Date(cert.validFrom);
  const renew = {
    zh: "在商户平台 → API安全 更换 API 证书，部署新的证书与私钥，并更新 WECHATPAY_MCH_SERIAL",
    en: "renew the API certificate in Merchant Platform → API Security, deploy the new certificate and key, and update WECHATPAY_MCH_SERIAL",
  };
  if (validFrom > opts.now) return fail(title, `not valid before ${validFrom.toISOString()}`, renew);
  const daysLeft = Math.floor((validTo.getTime() - opts.now.getTime()) / 86_400_000);
  if (daysLeft < 0) return fail(title, `expired on ${validTo.toISOString()}`, renew);
  if (daysLeft < CERT_RENEW_DAYS)
    return fail(title, `expires in ${daysLeft} days (${validTo.toISOString()})`, renew);
  // WeChat issues the merchant certificate with the merchant id in its subject.
  if (opts.mchId && !cert.subject.includes(opts.mchId))
    return fail(title, `issued to "${cert.subject.replace(/\n/g, ", ")}", not to ${opts.mchId}`, {
      zh: "证书不属于 WECHATPAY_MCH_ID 这个商户号：下载本商户号的 API 证书",
      en: "the certificate belongs to another merchant than WECHATPAY_MCH_ID: download this merchant's API certificate",
    });
  const serial = cert.serialNumber.toUpperCase();
  if (opts.serial && opts.serial.toUpperCase() !== serial)
    return fail(title, `WECHATPAY_MCH_SERIAL=${opts.serial}, the certificate's serial is ${serial}`, {
      zh: `把 WECHATPAY_MCH_SERIAL 设为证书序列号 ${serial}（或留空，从证书读取）`,
      en: `set WECHATPAY_MCH_SERIAL to the certificate's serial ${serial} (or leave it empty to read it from the certificate)`,
    });
  return ok(title, `serial ${serial}, valid until ${validTo.toISOString().slice(0, 10)} (${daysLeft} days)`);
}

/** WeChat Pay public key (public-key mode): an RSA public key PEM with its PUB_KEY_ID_… id; both or neither. */
export function checkWechatPayPublicKey(pem: string | undefined, id: string | undefined): TCheckResult {
  const title = "微信支付公钥与公钥ID / WeChat Pay public key and its id";
  const fix = {
    zh: "在商户平台 → 账户中心 → API安全 → 微信支付公钥 下载 pub_key.pem，把路径填入 WECHATPAY_PUBLIC_KEY_PATH，把 PUB_KEY_ID_ 开头的公钥ID 填入 WECHATPAY_PUBLIC_KEY_ID",
    en: "download pub_key.pem in Merchant Platform → Account Center → API Security → WeChat Pay public key, point WECHATPAY_PUBLIC_KEY_PATH at it and put its PUB_KEY_ID_… id in WECHATPAY_PUBLIC_KEY_ID",
  };
  if (!pem && !id) return ok(title, "not set: platform-certificate mode");
  if (!pem) return fail(title, "WECHATPAY_PUBLIC_KEY_ID is set but the key file is missing", fix);
  if (!id || !/^PUB_KEY_ID_\d{10,64}$/.test(id))
    return fail(title, `WECHATPAY_PUBLIC_KEY_ID=${id ?? ""} is not PUB_KEY_ID_ + digits`, fix);
  try {
    const key = crypto.createPublicKey(pem);
    if (key.asymmetricKeyType !== "rsa") return fail(title, `a ${key.asymmetricKeyType} key, not RSA`, fix);
    if (pem.includes("PRIVATE")) return fail(title, "the file holds a private key", fix);
  } catch (err) {
    return fail(title, `not a PEM public key (${(err as Error).message})`, fix);
  }
  return ok(title, id);
}

/** The MP_verify_*.txt files WeChat asks for when JS-SDK, OAuth and payment domains are set. */
export function checkMpVerify(files: Record<string, string>): TCheckResult {
  const title = "域名校验文件 MP_verify_*.txt / domain verification files";
  const names = Object.keys(files);
  if (names.length > 0) return ok(title, names.join(", "));
  return fail(title, "WECHAT_MP_VERIFY is empty", {
    zh: "公众平台 → 设置与开发 → 公众号设置 → 功能设置，设置 JS接口安全域名/网页授权域名 时下载 MP_verify_xxx.txt，把 文件名=内容 填入 WECHAT_MP_VERIFY（多个用逗号分隔），无需改代码",
    en: "download MP_verify_xxx.txt while setting the JS-SDK and web-authorisation domains (Official Accounts Platform → Settings → Account settings → Features) and add name=content to WECHAT_MP_VERIFY (comma-separated); no code change",
  });
}

/** DATABASE_URL reaches PostgreSQL and every committed migration is applied. */
export async function checkDatabase(
  databaseUrl: string | undefined,
  health: (url: string) => Promise<{ ok: boolean; migrations: { applied: number; expected: number } }>,
): Promise<TCheckResult> {
  const title = "数据库可连接且已迁移 / database reachable and migrated";
  if (!databaseUrl)
    return fail(title, "DATABASE_URL is empty (embedded PGlite is for development only)", {
      zh: "把 DATABASE_URL 设为 PostgreSQL（15 及以上）的连接串",
      en: "set DATABASE_URL to a PostgreSQL (15+) connection URL",
    });
  try {
    const h = await health(databaseUrl);
    if (h.ok) return ok(title, `${h.migrations.applied}/${h.migrations.expected} migrations`);
    return fail(title, `${h.migrations.applied}/${h.migrations.expected} migrations applied`, {
      zh: "部署前运行迁移：pnpm --filter @wxpay/db migrate（镜像内：node packages/db/dist/migrate.mjs）",
      en: "run the migrations before the deploy: pnpm --filter @wxpay/db migrate (in the image: node packages/db/dist/migrate.mjs)",
    });
  } catch (err) {
    return fail(title, `cannot connect: ${(err as Error).message}`, {
      zh: "检查 DATABASE_URL 的主机、端口、用户、密码与数据库名，以及本机到数据库的网络",
      en: "check DATABASE_URL's host, port, user, password and database, and the network from this machine",
    });
  }
}

/**
 * One of WeChat's hosts answers over HTTPS from this machine. Any HTTP answer counts; no answer at all is reported
 * as unknown, never as ✗: doctor often runs where the internet is closed (CI, a build box), and what matters is
 * what the web instances can reach.
 */
export async function checkReachable(url: string, timeoutMs = 5000): Promise<TCheckResult> {
  const title = `可访问 ${url} / ${url} reachable`;
  try {
    const res = await fetch(url, {
      method: "HEAD",
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    return ok(title, `HTTP ${res.status}`);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return {
      title,
      status: "unknown",
      detail: `no answer from this machine (${cause})`,
      fix: {
        zh: "在运行商城的机器上确认可以出站访问该地址（HTTPS 443）",
        en: "make sure the machines running the shop can reach this host (outbound HTTPS, port 443)",
      },
    };
  }
}
