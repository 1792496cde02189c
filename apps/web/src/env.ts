// The web app's configuration: every variable of DESIGN.md, read and validated here and nowhere else.
// Unset variables take the simulator's sandbox values (see .env.example), so a fresh clone runs with no .env.
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
    WECHATPAY_SIGN_TYPE: withDefault("MD5").pipe(z.enum(["MD5", "HMAC-SHA256"])),
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
    // Log lines below this level are not written (debug, info, warn, error, alert, silent).
    LOG_LEVEL: withDefault("info").pipe(z.enum(["debug", "info", "warn", "error", "alert", "silent"])),
    // Abuse limits, per minute and per action, shared by all instances through the database; 0 turns one off.
    RATE_LIMIT_PER_IP_PER_MINUTE: wholeNumber("RATE_LIMIT_PER_IP_PER_MINUTE", "60", 1_000_000),
    RATE_LIMIT_PER_CUSTOMER_PER_MINUTE: wholeNumber("RATE_LIMIT_PER_CUSTOMER_PER_MINUTE", "20", 1_000_000),
    MAX_OPEN_ORDERS_PER_CUSTOMER: wholeNumber("MAX_OPEN_ORDERS_PER_CUSTOMER", "10", 10_000),
  })
  .superRefine((env, ctx) => {
    // Real WeChat hosts with sandbox secrets would sign real requests with published keys: refuse to start.
    const realWechat = [env.WECHAT_PAY_BASE, env.WECHAT_API_BASE].some((u) =>
      /\.weixin\.qq\.com$/.test(new URL(u).hostname),
    );
    if (!realWechat) return;
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
  });

export type TEnv = z.infer<typeof ZEnv>;

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
