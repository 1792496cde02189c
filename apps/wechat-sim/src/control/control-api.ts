// The control API for tests and tools, under /__sim (JSON, CORS-enabled): users, merchants, apps, paying an
// order as a user, codes, fault rules, the clock, and every order, refund and notify attempt.
import { z } from "zod";

import { certificateSerial } from "@wxpay/wechatpay/v3";

import type { SimContext } from "../context";
import { parseJsonObject } from "../http/io";
import { lookupCodeUrl } from "../pay/code-url";
import { findOrder } from "../pay/orders";
import { settleRefund } from "../pay/refund";
import { settlePayment } from "../pay/settle-payment";
import { issueCode } from "../platform/auth-codes";
import { openidFor, type Merchant, type TradeType } from "../state";
import { sandboxMerchantV3 } from "../v3/keys";
import { appView, merchantView, notifyJobView, orderView, refundView, signingView, userView } from "./views";

export type ControlReply = { status: number; body: unknown };

const ZUserInput = z
  .object({
    userId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
    nickname: z.string().max(64).optional(),
  })
  .strict();
const ZKey = z.string().regex(/^[\x21-\x7e]{32}$/, "a v2 key is 32 printable ASCII characters");
const ZTradeType = z.enum(["JSAPI", "NATIVE", "APP", "MWEB"]);
const ZMerchantInput = z
  .object({
    mchId: z.string().regex(/^\d{1,32}$/),
    key: ZKey.optional(),
    previousKeys: z.array(ZKey).optional(),
    name: z.string().max(64).optional(),
    appIds: z.array(z.string()).optional(),
    h5Domains: z.array(z.string()).optional(),
    tradeTypes: z.array(ZTradeType).optional(),
    refundNotifyUrl: z.string().url().optional(),
    apiV3Key: z
      .string()
      .refine((k) => Buffer.byteLength(k, "utf8") === 32, "an APIv3 key is 32 bytes")
      .optional(),
    mchSerial: z
      .string()
      .regex(/^[0-9A-Fa-f]{1,64}$/)
      .optional(),
    mchCertPem: z.string().includes("-----BEGIN CERTIFICATE-----").optional(),
    signingMode: z.enum(["public-key", "certificate", "switching"]).optional(),
  })
  .strict();
const ZSigningInput = z
  .object({
    mchId: z.string().optional(),
    mode: z.enum(["public-key", "certificate", "switching"]).optional(),
    publicKeyShare: z.number().min(0).max(1).optional(),
    signProbeRate: z.number().min(0).max(1).optional(),
    probeNotifies: z.number().int().min(0).max(1000).optional(),
    probeResponses: z.number().int().min(0).max(1000).optional(),
  })
  .strict();
const ZAppInput = z
  .object({
    appId: z.string().regex(/^[A-Za-z0-9_]{1,32}$/),
    secret: z.string().min(1).max(64).optional(),
    kind: z.enum(["official", "mini"]),
    name: z.string().max(64).optional(),
    webDomains: z.array(z.string()).optional(),
    mchIds: z.array(z.string()).optional(),
  })
  .strict();
const ZCodeInput = z
  .object({
    appId: z.string(),
    userId: z.string(),
    scope: z.enum(["snsapi_base", "snsapi_userinfo"]).optional(),
  })
  .strict();
const ZPayInput = z
  .object({
    prepayId: z.string().optional(),
    mchId: z.string().optional(),
    outTradeNo: z.string().optional(),
    userId: z.string().optional(),
    result: z.enum(["SUCCESS", "PAYERROR"]).optional(),
  })
  .strict();
export const ZFaultRule = z
  .object({
    drop: z.boolean().optional(),
    duplicate: z.number().int().min(0).max(100).optional(),
    delayMs: z.number().int().min(0).optional(),
    reorder: z.boolean().optional(),
    badSignature: z.boolean().optional(),
    badAmount: z.union([z.boolean(), z.number().int().positive()]).optional(),
    settleDelayMs: z.number().int().min(0).optional(),
    refundOutcome: z.enum(["SUCCESS", "CHANGE", "REFUNDCLOSE", "ABNORMAL", "CLOSED"]).optional(),
    systemError: z
      .object({ endpoints: z.array(z.string()), times: z.number().int().min(1) })
      .strict()
      .optional(),
    v3Error: z
      .object({
        endpoints: z.array(z.string()),
        times: z.number().int().min(1),
        status: z.number().int().min(400).max(599),
        code: z.string().regex(/^[A-Z_]{2,64}$/),
        message: z.string().max(256).optional(),
        bare: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
const ZFaultInput = z
  .object({
    scope: z.object({ mchId: z.string().optional(), outTradeNo: z.string().optional() }).strict(),
    rule: ZFaultRule,
  })
  .strict();
const ZScanInput = z
  .object({
    codeUrl: z.string(),
    userId: z.string().optional(),
    result: z.enum(["SUCCESS", "PAYERROR"]).optional(),
  })
  .strict();
const ZAdvance = z.object({ ms: z.number().int().min(0) }).strict();
const ZSettleRefund = z
  .object({ refundId: z.string().optional(), outRefundNo: z.string().optional() })
  .strict();

const bad = (message: string): ControlReply => ({ status: 400, body: { error: message } });
const notFound = (message: string): ControlReply => ({ status: 404, body: { error: message } });

function parse<T>(
  schema: z.ZodType<T>,
  raw: Buffer,
): { ok: true; value: T } | { ok: false; reply: ControlReply } {
  const json = parseJsonObject(raw);
  if (!json) return { ok: false, reply: bad("body must be a JSON object") };
  const r = schema.safeParse(json);
  if (!r.success)
    return {
      ok: false,
      reply: bad(r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")),
    };
  return { ok: true, value: r.data };
}

export function handleControl(
  ctx: SimContext,
  method: string,
  path: string,
  url: URL,
  raw: Buffer,
): ControlReply | undefined {
  const { state, clock } = ctx;
  const q = url.searchParams;
  const route = `${method} ${path}`;
  switch (route) {
    case "GET /__sim/health":
      return { status: 200, body: { ok: true } };
    case "GET /__sim/info":
      return {
        status: 200,
        body: {
          publicUrl: ctx.config.publicUrl,
          now: new Date(clock.now()).toISOString(),
          timeScale: clock.timeScale,
          merchants: [...state.merchants.values()].map(merchantView),
          apps: [...state.apps.values()].map(appView),
          users: [...state.users.values()].map((u) => userView(ctx, u)),
        },
      };
    case "POST /__sim/reset":
      state.reset();
      return { status: 200, body: { ok: true } };
    case "GET /__sim/clock":
      return {
        status: 200,
        body: { now: new Date(clock.now()).toISOString(), nowMs: clock.now(), timeScale: clock.timeScale },
      };
    case "POST /__sim/clock/advance": {
      const p = parse(ZAdvance, raw);
      if (!p.ok) return p.reply;
      const now = clock.advance(p.value.ms);
      return {
        status: 200,
        body: { now: new Date(now).toISOString(), nowMs: now, timeScale: clock.timeScale },
      };
    }
    case "GET /__sim/users":
      return { status: 200, body: [...state.users.values()].map((u) => userView(ctx, u)) };
    case "POST /__sim/users": {
      const p = parse(ZUserInput, raw);
      if (!p.ok) return p.reply;
      const userId =
        p.value.userId ?? `user${state.users.size + 1}_${Math.random().toString(36).slice(2, 8)}`;
      if (state.users.has(userId)) return { status: 409, body: { error: `user ${userId} exists` } };
      return { status: 201, body: userView(ctx, state.addUser(userId, p.value.nickname ?? userId)) };
    }
    case "POST /__sim/merchants": {
      const p = parse(ZMerchantInput, raw);
      if (!p.ok) return p.reply;
      const v = p.value;
      const existing = state.merchants.get(v.mchId);
      if (!existing && !v.key) return bad("key is required for a new merchant");
      for (const appId of v.appIds ?? []) if (!state.apps.has(appId)) return bad(`unknown appId ${appId}`);
      const v3 = { ...(existing?.v3 ?? sandboxMerchantV3(ctx.config.signProbeRate)) };
      if (v.apiV3Key !== undefined) v3.apiV3Key = v.apiV3Key;
      if (v.mchCertPem !== undefined) {
        v3.mchCertPem = v.mchCertPem;
        v3.mchSerial = v.mchSerial ?? certificateSerial(v.mchCertPem);
      } else if (v.mchSerial !== undefined) v3.mchSerial = v.mchSerial.toUpperCase();
      if (v.signingMode !== undefined) v3.signingMode = v.signingMode;
      const merchant: Merchant = {
        mchId: v.mchId,
        name: v.name ?? existing?.name ?? `商户${v.mchId}`,
        key: v.key ?? existing?.key ?? "",
        previousKeys: v.previousKeys ?? existing?.previousKeys ?? [],
        appIds: v.appIds ?? existing?.appIds ?? [],
        h5Domains: v.h5Domains ?? existing?.h5Domains ?? ["localhost", "127.0.0.1"],
        tradeTypes: (v.tradeTypes ??
          existing?.tradeTypes ?? ["JSAPI", "NATIVE", "APP", "MWEB"]) as TradeType[],
        refundNotifyUrl: v.refundNotifyUrl ?? existing?.refundNotifyUrl,
        v3,
      };
      state.merchants.set(v.mchId, merchant);
      return { status: existing ? 200 : 201, body: merchantView(merchant) };
    }
    case "GET /__sim/merchants/signing": {
      const merchant = state.merchants.get(q.get("mchId") ?? [...state.merchants.keys()][0] ?? "");
      if (!merchant) return notFound("unknown merchant");
      return { status: 200, body: signingView(merchant) };
    }
    case "POST /__sim/merchants/signing": {
      const p = parse(ZSigningInput, raw);
      if (!p.ok) return p.reply;
      const v = p.value;
      const merchant = state.merchants.get(v.mchId ?? [...state.merchants.keys()][0] ?? "");
      if (!merchant) return notFound(`unknown merchant ${v.mchId ?? ""}`);
      // Takes effect on the next answer and the next notify delivery: no restart, nothing else changes.
      if (v.mode !== undefined && v.mode !== merchant.v3.signingMode) {
        merchant.v3.signingMode = v.mode;
        merchant.v3.publicKeyCarry = 0;
      }
      if (v.publicKeyShare !== undefined) {
        merchant.v3.publicKeyShare = v.publicKeyShare;
        merchant.v3.publicKeyCarry = 0;
      }
      if (v.signProbeRate !== undefined) merchant.v3.signProbeRate = v.signProbeRate;
      if (v.probeNotifies !== undefined) merchant.v3.probeNotifies = v.probeNotifies;
      if (v.probeResponses !== undefined) merchant.v3.probeResponses = v.probeResponses;
      ctx.log(`merchant ${merchant.mchId} signing: ${merchant.v3.signingMode}`);
      return { status: 200, body: signingView(merchant) };
    }
    case "POST /__sim/apps": {
      const p = parse(ZAppInput, raw);
      if (!p.ok) return p.reply;
      const v = p.value;
      const existing = state.apps.get(v.appId);
      if (!existing && !v.secret) return bad("secret is required for a new app");
      for (const mchId of v.mchIds ?? [])
        if (!state.merchants.has(mchId)) return bad(`unknown mchId ${mchId}`);
      const app = {
        appId: v.appId,
        secret: v.secret ?? existing?.secret ?? "",
        kind: v.kind,
        name: v.name ?? existing?.name ?? v.appId,
        webDomains:
          v.webDomains ?? existing?.webDomains ?? (v.kind === "official" ? ["localhost", "127.0.0.1"] : []),
      };
      state.apps.set(v.appId, app);
      for (const mchId of v.mchIds ?? []) {
        const m = state.merchants.get(mchId);
        if (m && !m.appIds.includes(v.appId)) m.appIds.push(v.appId);
      }
      return { status: existing ? 200 : 201, body: appView(app) };
    }
    case "POST /__sim/oauth-code":
    case "POST /__sim/login-code": {
      const p = parse(ZCodeInput, raw);
      if (!p.ok) return p.reply;
      const app = state.apps.get(p.value.appId);
      const oauth = path === "/__sim/oauth-code";
      if (!app || app.kind !== (oauth ? "official" : "mini"))
        return bad(`appId must be ${oauth ? "an official account" : "a mini-program"}`);
      if (!state.users.has(p.value.userId)) return notFound(`unknown user ${p.value.userId}`);
      const code = issueCode(
        ctx,
        oauth ? "oauth" : "login",
        app.appId,
        p.value.userId,
        oauth ? (p.value.scope ?? "snsapi_base") : "",
      );
      return { status: 201, body: { code: code.code, expiresAt: new Date(code.expiresAt).toISOString() } };
    }
    case "POST /__sim/pay": {
      const p = parse(ZPayInput, raw);
      if (!p.ok) return p.reply;
      const v = p.value;
      let order;
      if (v.prepayId) {
        const prepay = state.prepays.get(v.prepayId);
        order = prepay && findOrder(ctx, prepay.mchId, prepay.outTradeNo);
      } else if (v.outTradeNo) {
        order = findOrder(ctx, v.mchId ?? [...state.merchants.keys()][0] ?? "", v.outTradeNo);
      } else return bad("give prepayId or outTradeNo");
      if (!order) return notFound("order not found");
      // The payer: the order's openid (JSAPI), otherwise the given or first test user under the order's appid.
      let payer = order.openid;
      if (!payer) {
        const user = v.userId ? state.users.get(v.userId) : [...state.users.values()][0];
        if (!user) return notFound(`unknown user ${v.userId ?? ""}`);
        payer = openidFor(order.appId, user.userId);
      }
      const settled = settlePayment(ctx, order, v.result === "PAYERROR" ? "fail" : "ok", payer);
      if (!settled.ok) return { status: 409, body: { error: settled.reason, order: orderView(order) } };
      return { status: 200, body: { settled: settled.settled, order: orderView(order) } };
    }
    case "POST /__sim/scan": {
      const p = parse(ZScanInput, raw);
      if (!p.ok) return p.reply;
      const found = lookupCodeUrl(ctx, p.value.codeUrl);
      if (!found.ok)
        return {
          status: found.reason === "UNKNOWN" ? 404 : 409,
          body: { error: found.reason, message: found.message },
        };
      const user = p.value.userId ? state.users.get(p.value.userId) : [...state.users.values()][0];
      if (!user) return notFound(`unknown user ${p.value.userId ?? ""}`);
      const settled = settlePayment(
        ctx,
        found.order,
        p.value.result === "PAYERROR" ? "fail" : "ok",
        openidFor(found.order.appId, user.userId),
      );
      if (!settled.ok) return { status: 409, body: { error: settled.reason, order: orderView(found.order) } };
      return { status: 200, body: { settled: settled.settled, order: orderView(found.order) } };
    }
    case "GET /__sim/orders": {
      const list = [...state.orders.values()].filter(
        (o) =>
          (!q.get("mchId") || o.mchId === q.get("mchId")) &&
          (!q.get("outTradeNo") || o.outTradeNo === q.get("outTradeNo")),
      );
      for (const o of list) findOrder(ctx, o.mchId, o.outTradeNo); // applies expiry
      return { status: 200, body: list.map(orderView) };
    }
    case "GET /__sim/refunds": {
      const list = [...state.refunds.values()].filter(
        (r) =>
          (!q.get("mchId") || r.mchId === q.get("mchId")) &&
          (!q.get("outTradeNo") || r.outTradeNo === q.get("outTradeNo")),
      );
      return { status: 200, body: list.map(refundView) };
    }
    case "POST /__sim/refunds/settle": {
      const p = parse(ZSettleRefund, raw);
      if (!p.ok) return p.reply;
      const r = [...state.refunds.values()].find(
        (x) =>
          (p.value.refundId && x.refundId === p.value.refundId) ||
          (p.value.outRefundNo && x.outRefundNo === p.value.outRefundNo),
      );
      if (!r) return notFound("refund not found");
      settleRefund(ctx, r);
      return { status: 200, body: refundView(r) };
    }
    case "GET /__sim/notifies": {
      const list = state.notifyJobs.filter(
        (j) =>
          (!q.get("mchId") || j.mchId === q.get("mchId")) &&
          (!q.get("outTradeNo") || j.outTradeNo === q.get("outTradeNo")) &&
          (!q.get("kind") || j.kind === q.get("kind")),
      );
      return { status: 200, body: list.map(notifyJobView) };
    }
    case "GET /__sim/faults":
      return { status: 200, body: state.faults };
    case "POST /__sim/faults": {
      const p = parse(ZFaultInput, raw);
      if (!p.ok) return p.reply;
      const mchId = p.value.scope.mchId ?? [...state.merchants.keys()][0] ?? "";
      if (!state.merchants.has(mchId)) return bad(`unknown mchId ${mchId}`);
      const fault = state.addFault({ mchId, outTradeNo: p.value.scope.outTradeNo }, p.value.rule);
      return { status: 201, body: fault };
    }
    case "DELETE /__sim/faults": {
      const id = q.get("id");
      const removed = state.removeFaults(
        id || q.get("mchId") || q.get("outTradeNo")
          ? {
              id: id ? Number(id) : undefined,
              mchId: q.get("mchId") ?? undefined,
              outTradeNo: q.get("outTradeNo") ?? undefined,
            }
          : undefined,
      );
      return { status: 200, body: { removed } };
    }
    default:
      return undefined;
  }
}
