// The web app's configuration: every variable of DESIGN.md, read and validated here and nowhere else.
// Unset variables take the simulator's sandbox values (see .env.example), so a fresh clone runs with no .env.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { z } from "zod";

/** The simulator's sandbox merchant and apps (apps/wechat-sim prints the same values). */
export const SANDBOX = {
  WECHAT_APPID: "wxd930ea5d5a258f4f",
  WECHAT_APPSECRET: "5f1c3e6a9b2d4c7e8f0a1b2c3d4e5f60",
  WECHAT_MINI_APPID: "wx2421b1c4370ec43b",
  WECHAT_MINI_SECRET: "0a9b8c7d6e5f40312233445566778899",
  WECHATPAY_MCH_ID: "1230000109",
  WECHATPAY_KEY: "192006250b4c09247ec02edce69f6a2d",
  SESSION_SECRET: "dev-only-session-secret-change-me-0123456789",
} as const;

const SIM = "http://localhost:3100";

/** The simulator's sandbox merchant certificate and key (apps/wechat-sim/sandbox), relative to the workspace root. */
export const SANDBOX_MCH_CERT_PATH = "apps/wechat-sim/sandbox/apiclient_cert.pem";
export const SANDBOX_MCH_KEY_PATH = "apps/wechat-sim/sandbox/apiclient_key.pem";
/** API v3 sandbox: the simulator's APIv3 key and WeChat Pay public key (apps/wechat-sim/README.md). */
export const SANDBOX_V3 = {
  WECHATPAY_APIV3_KEY: "wxpaystackSandboxApiV3Key0123456",
  WECHATPAY_PUBLIC_KEY_PATH: "apps/wechat-sim/sandbox/pub_key.pem",
  WECHATPAY_PUBLIC_KEY_ID: "PUB_KEY_ID_0112300001092026112900000000000001",
} as const;
// WeChat: the WeChat Pay public key id reads PUB_KEY_ID_ followed by digits (商户平台 → API安全 → 微信支付公钥).
const PUBLIC_KEY_ID = /^PUB_KEY_ID_[0-9]{10,64}$/;

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));
const url = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : fallback))
    .pipe(z.url({ protocol: /^https?$/ }))
    .transform((v) => v.replace(/\/+$/, ""));
const withDefault = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : fallback));

const wholeNumber = (name: string, fallback: string, max: number) =>
  withDefault(fallback)
    .pipe(z.string().regex(/^\d+$/, `${name}: a whole number`))
    .transform(Number)
    .pipe(z.number().int().max(max));

export const ZEnv = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: optionalString,
    PGLITE_DATA_DIR: optionalString,
    APP_URL: url("http://localhost:3000"),
    SESSION_SECRET: withDefault(SANDBOX.SESSION_SECRET).pipe(
      z.string().min(32, "SESSION_SECRET: at least 32 characters"),
    ),
    WECHAT_APPID: withDefault(SANDBOX.WECHAT_APPID).pipe(
      z.string().regex(/^wx[0-9a-f]{16}$/, "WECHAT_APPID: wx + 16 hex"),
    ),
    WECHAT_APPSECRET: withDefault(SANDBOX.WECHAT_APPSECRET).pipe(z.string().min(1)),
    WECHAT_MINI_APPID: withDefault(SANDBOX.WECHAT_MINI_APPID).pipe(
      z.string().regex(/^wx[0-9a-f]{16}$/, "WECHAT_MINI_APPID: wx + 16 hex"),
    ),
    WECHAT_MINI_SECRET: withDefault(SANDBOX.WECHAT_MINI_SECRET).pipe(z.string().min(1)),
    WECHATPAY_MCH_ID: withDefault(SANDBOX.WECHATPAY_MCH_ID).pipe(
      z.string().regex(/^\d{8,10}$/, "WECHATPAY_MCH_ID: digits"),
    ),
    // WeChat: the v2 API key is exactly 32 characters.
    WECHATPAY_KEY: withDefault(SANDBOX.WECHATPAY_KEY).pipe(
      z.string().length(32, "WECHATPAY_KEY: exactly 32 characters"),
    ),
    WECHATPAY_KEY_PREVIOUS: optionalString.pipe(
      z.string().length(32, "WECHATPAY_KEY_PREVIOUS: exactly 32 characters").optional(),
    ),
    // A rotation has an end: after this moment the previous key is refused (ISO 8601 with a zone).
    WECHATPAY_KEY_PREVIOUS_UNTIL: optionalString
      .pipe(
        z.iso
          .datetime({ offset: true, message: "an ISO time with a zone, e.g. 2026-12-31T16:00:00Z" })
          .optional(),
      )
      .transform((v) => (v === undefined ? undefined : new Date(v))),
    WECHATPAY_SIGN_TYPE: withDefault("MD5").pipe(z.enum(["MD5", "HMAC-SHA256"])),
    // The merchant API certificate (apiclient_cert.pem + apiclient_key.pem): refunds present it over mutual TLS.
    // Relative paths are read from the workspace root; unset = the sandbox pair, except against real WeChat hosts.
    WECHATPAY_MCH_CERT_PATH: optionalString,
    WECHATPAY_MCH_KEY_PATH: optionalString,
    WECHATPAY_MCH_SERIAL: optionalString,
    // Which WeChat Pay API new payments and refunds use; attempts and refunds keep the version they were made with.
    WECHATPAY_API_VERSION: withDefault("v2").pipe(
      z.enum(["v2", "v3"], { message: "WECHATPAY_API_VERSION: v2 or v3" }),
    ),
    WECHATPAY_APIV3_KEY: optionalString.pipe(
      z.string().length(32, "WECHATPAY_APIV3_KEY: exactly 32 characters").optional(),
    ),
    WECHATPAY_PUBLIC_KEY_PATH: optionalString,
    WECHATPAY_PUBLIC_KEY_ID: optionalString.pipe(
      z.string().regex(PUBLIC_KEY_ID, "WECHATPAY_PUBLIC_KEY_ID: PUB_KEY_ID_ followed by digits").optional(),
    ),
    // v3 platform certificates (downloaded, cached in the database): implied without the public key (certificate
    // mode); `true` beside the public key is WeChat's switch-over, when either may sign (switching mode).
    WECHATPAY_PLATFORM_CERTIFICATES: optionalString.pipe(
      z.enum(["true", "false"], { message: "WECHATPAY_PLATFORM_CERTIFICATES: true or false" }).optional(),
    ),
    REFUNDS_ENABLED: withDefault("true")
      .pipe(z.enum(["true", "false"], { message: "REFUNDS_ENABLED: true or false" }))
      .transform((v) => v === "true"),
    WECHAT_PAY_BASE: url(SIM),
    WECHAT_API_BASE: url(SIM),
    WECHAT_OPEN_BASE: url(SIM),
    TRUST_PROXY_HOPS: withDefault("0")
      .pipe(z.string().regex(/^\d+$/, "TRUST_PROXY_HOPS: a whole number"))
      .transform(Number)
      .pipe(z.number().int().max(10)),
    // How often this instance offers to run reconciliation (each tick runs on one instance); 0 turns it off.
    RECONCILE_INTERVAL_SECONDS: withDefault("30")
      .pipe(z.string().regex(/^\d+$/, "RECONCILE_INTERVAL_SECONDS: a whole number"))
      .transform(Number)
      .pipe(z.number().int().max(86_400)),
    // Apply committed migrations when the server starts. Production migrates as a deploy step
    // (`pnpm --filter @wxpay/db migrate`) and sets this to false.
    MIGRATE_ON_START: withDefault("true")
      .pipe(z.enum(["true", "false", "1", "0"], "MIGRATE_ON_START: true or false"))
      .transform((v) => v === "true" || v === "1"),
    // WeChat's domain verification files, served at the site root: `MP_verify_x.txt=content` pairs, comma-separated.
    WECHAT_MP_VERIFY: z
      .string()
      .optional()
      .transform((v, ctx) => parseMpVerify(v ?? "", ctx)),
    // Log lines below this level are not written (debug, info, warn, error, alert, silent).
    LOG_LEVEL: withDefault("info").pipe(z.enum(["debug", "info", "warn", "error", "alert", "silent"])),
    // Abuse limits, per minute and per action, shared by all instances through the database; 0 turns one off.
    RATE_LIMIT_PER_IP_PER_MINUTE: wholeNumber("RATE_LIMIT_PER_IP_PER_MINUTE", "60", 1_000_000),
    RATE_LIMIT_PER_CUSTOMER_PER_MINUTE: wholeNumber("RATE_LIMIT_PER_CUSTOMER_PER_MINUTE", "20", 1_000_000),
    MAX_OPEN_ORDERS_PER_CUSTOMER: wholeNumber("MAX_OPEN_ORDERS_PER_CUSTOMER", "10", 10_000),
  })
  .superRefine((env, ctx) => {
    if (env.WECHATPAY_KEY_PREVIOUS_UNTIL && !env.WECHATPAY_KEY_PREVIOUS) {
      ctx.addIssue({
        code: "custom",
        path: ["WECHATPAY_KEY_PREVIOUS_UNTIL"],
        message: "only with WECHATPAY_KEY_PREVIOUS (the key it ends)",
      });
    }
    // Real WeChat hosts with sandbox secrets would sign real requests with published keys: refuse to start.
    if (!realWechat(env)) return;
    for (const name of [
      "WECHATPAY_KEY",
      "WECHAT_APPSECRET",
      "WECHAT_MINI_SECRET",
      "SESSION_SECRET",
    ] as const) {
      if (env[name] === SANDBOX[name]) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `${name} is the sandbox value; set the real one for WeChat`,
        });
      }
    }
  })
  .transform((env, ctx) => {
    const merchantCert = merchantCertificate(env, ctx);
    return { ...env, merchantCert, v3: v3Credentials(env, merchantCert, ctx) };
  });

export type TEnv = z.infer<typeof ZEnv>;

// WeChat: the verification file is named MP_verify_<code>.txt and holds a short code (letters and digits).
const MP_VERIFY_NAME = /^MP_verify_[A-Za-z0-9]+\.txt$/;

/** `MP_verify_a.txt=abc,MP_verify_b.txt=def` → { "MP_verify_a.txt": "abc", … }. */
function parseMpVerify(raw: string, ctx: z.RefinementCtx): Record<string, string> {
  const files: Record<string, string> = {};
  for (const pair of raw.split(",")) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf("=");
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const content = eq < 0 ? "" : pair.slice(eq + 1).trim();
    if (!MP_VERIFY_NAME.test(name) || !content) {
      ctx.addIssue({
        code: "custom",
        message: `WECHAT_MP_VERIFY: "${name}" is not MP_verify_<code>.txt=<content>`,
      });
      continue;
    }
    files[name] = content;
  }
  return files;
}

function realWechat(env: { WECHAT_PAY_BASE: string; WECHAT_API_BASE: string }): boolean {
  return [env.WECHAT_PAY_BASE, env.WECHAT_API_BASE].some((u) =>
    /\.weixin\.qq\.com$/.test(new URL(u).hostname),
  );
}

export type TMerchantCertificate = { certPem: string; keyPem: string; serial: string };

/**
 * Loads and checks the merchant certificate pair once, at start: a refund must not be the first to learn that the
 * file is missing, is not a certificate, or that the key belongs to another one. WeChat: refunds "请求需要双向证书".
 */
function merchantCertificate(
  env: {
    WECHAT_PAY_BASE: string;
    WECHAT_API_BASE: string;
    WECHATPAY_MCH_CERT_PATH: string | undefined;
    WECHATPAY_MCH_KEY_PATH: string | undefined;
    WECHATPAY_MCH_SERIAL: string | undefined;
    REFUNDS_ENABLED: boolean;
  },
  ctx: z.RefinementCtx,
): TMerchantCertificate | undefined {
  const issue = (name: string, message: string): undefined => {
    ctx.addIssue({ code: "custom", path: [name], message });
    return undefined;
  };
  const real = realWechat(env);
  let certPath = env.WECHATPAY_MCH_CERT_PATH;
  let keyPath = env.WECHATPAY_MCH_KEY_PATH;
  if (certPath === undefined && keyPath === undefined) {
    if (!env.REFUNDS_ENABLED) return undefined;
    if (real || new URL(env.WECHAT_PAY_BASE).protocol === "https:") {
      return issue(
        "WECHATPAY_MCH_CERT_PATH",
        "refunds need the merchant API certificate (mutual TLS): set WECHATPAY_MCH_CERT_PATH and " +
          "WECHATPAY_MCH_KEY_PATH to apiclient_cert.pem and apiclient_key.pem, or REFUNDS_ENABLED=false",
      );
    }
    certPath = SANDBOX_MCH_CERT_PATH;
    keyPath = SANDBOX_MCH_KEY_PATH;
  }
  if (certPath === undefined || keyPath === undefined) {
    return issue(
      certPath === undefined ? "WECHATPAY_MCH_CERT_PATH" : "WECHATPAY_MCH_KEY_PATH",
      "set both WECHATPAY_MCH_CERT_PATH and WECHATPAY_MCH_KEY_PATH, or neither",
    );
  }
  const root = workspaceRoot();
  const certFile = path.resolve(root, certPath);
  const keyFile = path.resolve(root, keyPath);
  if (
    real &&
    (certFile === path.resolve(root, SANDBOX_MCH_CERT_PATH) ||
      keyFile === path.resolve(root, SANDBOX_MCH_KEY_PATH))
  ) {
    return issue(
      "WECHATPAY_MCH_CERT_PATH",
      "WECHATPAY_MCH_CERT_PATH is the sandbox certificate; set the merchant's own",
    );
  }
  const read = (name: string, file: string): string | undefined => {
    try {
      return fs.readFileSync(file, "utf8");
    } catch (err) {
      return issue(name, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  };
  const certPem = read("WECHATPAY_MCH_CERT_PATH", certFile);
  const keyPem = read("WECHATPAY_MCH_KEY_PATH", keyFile);
  if (certPem === undefined || keyPem === undefined) return undefined;
  let cert: crypto.X509Certificate;
  try {
    cert = new crypto.X509Certificate(certPem);
  } catch {
    return issue("WECHATPAY_MCH_CERT_PATH", `not a PEM certificate: ${certFile}`);
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(keyPem);
  } catch {
    return issue("WECHATPAY_MCH_KEY_PATH", `not a PEM private key: ${keyFile}`);
  }
  if (!cert.checkPrivateKey(key)) {
    return issue("WECHATPAY_MCH_KEY_PATH", `not the private key of that certificate: ${keyFile}`);
  }
  // WeChat shows the serial in upper-case hex (商户API证书序列号); OpenSSL may print it with leading zeros.
  const serial = cert.serialNumber.toUpperCase().replace(/^0+(?=.)/, "");
  const given = env.WECHATPAY_MCH_SERIAL?.toUpperCase().replace(/^0+(?=.)/, "");
  if (given !== undefined && given !== serial) {
    return issue(
      "WECHATPAY_MCH_SERIAL",
      `the certificate's serial is ${serial}, not ${env.WECHATPAY_MCH_SERIAL}`,
    );
  }
  return { certPem, keyPem, serial };
}

export type TV3Env = {
  apiV3Key: string;
  privateKeyPem: string;
  serialNo: string;
  publicKey?: { id: string; pem: string };
  /** With `publicKey`: platform certificates are accepted too (switching mode). */
  acceptPlatformCertificates?: boolean;
};

/**
 * The API v3 credential set, checked at start: the APIv3 key, the merchant key and certificate (a matching pair, read
 * by merchantCertificate), and the WeChat Pay public key with its id — or neither (platform-certificate mode). Against
 * the simulator every unset value is the sandbox's. Without WECHATPAY_API_VERSION=v3 an incomplete set only means the
 * v3 notify routes cannot verify anything; with it, the app refuses to start.
 */
function v3Credentials(
  env: {
    WECHAT_PAY_BASE: string;
    WECHAT_API_BASE: string;
    WECHATPAY_API_VERSION: "v2" | "v3";
    WECHATPAY_APIV3_KEY?: string | undefined;
    WECHATPAY_PUBLIC_KEY_PATH: string | undefined;
    WECHATPAY_PUBLIC_KEY_ID?: string | undefined;
    WECHATPAY_PLATFORM_CERTIFICATES?: "true" | "false" | undefined;
  },
  merchantCert: TMerchantCertificate | undefined,
  ctx: z.RefinementCtx,
): TV3Env | undefined {
  const required = env.WECHATPAY_API_VERSION === "v3";
  const issue = (name: string, message: string): undefined => {
    if (required) ctx.addIssue({ code: "custom", path: [name], message });
    return undefined;
  };
  const real = realWechat(env);
  const sandbox = !real;
  const apiV3Key = env.WECHATPAY_APIV3_KEY ?? (sandbox ? SANDBOX_V3.WECHATPAY_APIV3_KEY : undefined);
  if (apiV3Key === undefined) return issue("WECHATPAY_APIV3_KEY", "API v3 needs the 32-character APIv3 key");
  if (real && apiV3Key === SANDBOX_V3.WECHATPAY_APIV3_KEY) {
    return issue(
      "WECHATPAY_APIV3_KEY",
      "WECHATPAY_APIV3_KEY is the sandbox value; set the real one for WeChat",
    );
  }
  if (!merchantCert) {
    return issue(
      "WECHATPAY_MCH_KEY_PATH",
      "API v3 signs every request with the merchant key: set WECHATPAY_MCH_CERT_PATH and WECHATPAY_MCH_KEY_PATH",
    );
  }
  const certificates = env.WECHATPAY_PLATFORM_CERTIFICATES;
  // Against the simulator an unset public key is the sandbox's — unless certificates were asked for by name, which
  // with no public key is certificate mode.
  const bothUnset =
    env.WECHATPAY_PUBLIC_KEY_PATH === undefined &&
    env.WECHATPAY_PUBLIC_KEY_ID === undefined &&
    certificates === undefined;
  const keyPath =
    env.WECHATPAY_PUBLIC_KEY_PATH ??
    (sandbox && bothUnset ? SANDBOX_V3.WECHATPAY_PUBLIC_KEY_PATH : undefined);
  const keyId =
    env.WECHATPAY_PUBLIC_KEY_ID ?? (sandbox && bothUnset ? SANDBOX_V3.WECHATPAY_PUBLIC_KEY_ID : undefined);
  const base = { apiV3Key, privateKeyPem: merchantCert.keyPem, serialNo: merchantCert.serial };
  // Neither: platform-certificate mode (certificates downloaded with the APIv3 key).
  if (keyPath === undefined && keyId === undefined) {
    if (certificates === "false") {
      return issue(
        "WECHATPAY_PLATFORM_CERTIFICATES",
        "without the WeChat Pay public key the platform certificates verify WeChat: set WECHATPAY_PUBLIC_KEY_PATH and WECHATPAY_PUBLIC_KEY_ID, or drop WECHATPAY_PLATFORM_CERTIFICATES=false",
      );
    }
    return base;
  }
  if (keyPath === undefined || keyId === undefined) {
    return issue(
      keyPath === undefined ? "WECHATPAY_PUBLIC_KEY_PATH" : "WECHATPAY_PUBLIC_KEY_ID",
      "set both WECHATPAY_PUBLIC_KEY_PATH and WECHATPAY_PUBLIC_KEY_ID (public-key mode), or neither (certificate mode)",
    );
  }
  const file = path.resolve(workspaceRoot(), keyPath);
  let pem: string;
  try {
    pem = fs.readFileSync(file, "utf8");
    crypto.createPublicKey(pem);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? "not a PEM public key";
    return issue("WECHATPAY_PUBLIC_KEY_PATH", `cannot use ${file} (${why})`);
  }
  return {
    ...base,
    publicKey: { id: keyId, pem },
    ...(certificates === "true" ? { acceptPlatformCertificates: true } : {}),
  };
}

/** The workspace root (where pnpm-workspace.yaml is), for the default PGlite directory. */
function workspaceRoot(from = process.cwd()): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
}

export function parseEnv(source: Record<string, string | undefined>): TEnv {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "env"}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

let cached: (TEnv & { pgliteDataDir: string }) | undefined;

/** The validated configuration, read once. */
export function env(): TEnv & { pgliteDataDir: string } {
  if (!cached) {
    const e = parseEnv(process.env);
    cached = { ...e, pgliteDataDir: e.PGLITE_DATA_DIR ?? path.join(workspaceRoot(), ".data", "pglite") };
  }
  return cached;
}
