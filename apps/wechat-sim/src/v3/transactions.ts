// POST /v3/pay/transactions/{jsapi,h5,native}, GET …/id/{transaction_id} and …/out-trade-no/{out_trade_no},
// POST …/out-trade-no/{out_trade_no}/close. The same orders as API v2: an order made in either version can be
// queried, paid and refunded in the other.
import { isIP } from "node:net";

import type { SimContext } from "../context";
import { newCodeUrl, newMwebPackage, newPrepayId } from "../ids";
import { findOrder, findOrderByTransactionId } from "../pay/orders";
import { MWEB_LIFE_MS, PREPAY_LIFE_MS } from "../pay/unified-order";
import type { Order, Prepay, TradeType } from "../state";
import type { V3Call } from "./call";
import { canonicalJson, Fields, isV3Reply, mchidMismatch, parseBody, validNotifyUrl } from "./fields";
import { transactionJson } from "./resources";
import { noContent, ok, paramError, v3Error, type V3Reply } from "./wire";

export type V3TradeKind = "jsapi" | "h5" | "native";
const TRADE_TYPE: Record<V3TradeKind, TradeType> = { jsapi: "JSAPI", h5: "MWEB", native: "NATIVE" };

/** WeChat: "6-32个字符内，只能是数字、大小写字母_-|*". */
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const MIN_LIFE_MS = 60 * 1000; // WeChat: a time_expire earlier than order time + 1 minute is moved to + 1 minute.
const MAX_LIFE_MS = 90 * 24 * 60 * 60 * 1000; // The 2025 merchant JSAPI page: at most order time + 90 days.
const H5_TYPES = ["iOS", "Android", "Wap"];

const ORDER_FIELDS = [
  "appid",
  "mchid",
  "description",
  "out_trade_no",
  "time_expire",
  "attach",
  "notify_url",
  "goods_tag",
  "support_fapiao",
  "amount",
  "payer",
  "detail",
  "scene_info",
  "settle_info",
];

export function createTransaction(kind: V3TradeKind) {
  return (ctx: SimContext, call: V3Call): V3Reply => {
    const body = parseBody(call.raw);
    if (isV3Reply(body)) return body;
    const tradeType = TRADE_TYPE[kind];
    const now = ctx.clock.now();

    // 1. Fields.
    const f = new Fields(body).onlyKnown(
      kind === "native" ? ORDER_FIELDS.filter((n) => n !== "payer") : ORDER_FIELDS,
    );
    const appId = f.string("appid", { required: true, max: 32 });
    const mchid = f.string("mchid", { required: true, max: 32 });
    const description = f.string("description", { required: true, max: 127 });
    const outTradeNo = f.string("out_trade_no", { required: true, max: 32, pattern: OUT_TRADE_NO });
    const timeExpireRaw = f.string("time_expire", { max: 64, pattern: RFC3339 });
    const attach = f.string("attach", { max: 128 });
    const notifyUrl = f.string("notify_url", { required: true, max: 255 });
    if (notifyUrl !== undefined && !validNotifyUrl(notifyUrl))
      f.error("notify_url", "notify_url必须为直接可访问的URL，不能携带参数", notifyUrl);
    f.string("goods_tag", { max: 32 });
    f.boolean("support_fapiao");
    const amount = f.object("amount", { required: true });
    const total = amount?.integer("total", { required: true, min: 1, max: 100_000_000_00 });
    const currency = amount?.string("currency", { max: 16 });
    if (currency !== undefined && currency !== "CNY")
      amount?.error("currency", "境内商户号仅支持人民币", currency);
    amount?.onlyKnown(["total", "currency"]);
    f.take(amount);
    const payer = f.object("payer", { required: kind === "jsapi" });
    const openid = payer?.string("openid", { required: kind === "jsapi", max: 128 });
    f.take(payer);
    const scene = f.object("scene_info", { required: kind === "h5" });
    if (scene) {
      const ip = scene.string("payer_client_ip", { required: true, max: 45 });
      if (ip !== undefined && isIP(ip) === 0) scene.error("payer_client_ip", "payer_client_ip格式错误", ip);
      scene.string("device_id", { max: 32 });
      const h5 = scene.object("h5_info", { required: kind === "h5" });
      const type = h5?.string("type", { required: true, max: 32 });
      if (type !== undefined && !H5_TYPES.includes(type))
        h5?.error("type", "h5_info.type应为iOS、Android或Wap", type);
      scene.take(h5);
      f.take(scene);
    }
    const detail = f.object("detail");
    f.take(detail);
    const settle = f.object("settle_info");
    settle?.boolean("profit_sharing");
    f.take(settle);
    let expiresAt = now + ctx.config.defaultOrderLifeMs;
    if (timeExpireRaw !== undefined) {
      const t = Date.parse(timeExpireRaw);
      if (!Number.isFinite(t)) f.error("time_expire", "time_expire格式错误", timeExpireRaw);
      else if (t > now + MAX_LIFE_MS) f.error("time_expire", "time_expire超出取值范围", timeExpireRaw);
      else expiresAt = Math.max(t, now + MIN_LIFE_MS);
    }
    if (f.failure) return f.failure;
    if (mchid !== call.merchant.mchId) return mchidMismatch("post payload");

    // 2. Merchant and app.
    const merchant = call.merchant;
    if (!appId || !ctx.state.apps.has(appId) || !merchant.appIds.includes(appId))
      return v3Error(400, "APPID_MCHID_NOT_MATCH", "AppID和mch_id不匹配");
    if (!merchant.tradeTypes.includes(tradeType)) return v3Error(403, "NO_AUTH", "商户无此接口权限");
    if (ctx.state.takeSystemError(merchant.mchId, outTradeNo, `v3/${kind}`))
      return v3Error(500, "SYSTEM_ERROR", "系统异常，请稍后重试");
    if (openid !== undefined && kind === "jsapi" && !ctx.state.userByOpenid(appId, openid)) {
      // The order pages list it as HTTP 500: "openid和appid不匹配".
      return v3Error(500, "OPENID_MISMATCH", "openid和appid不匹配");
    }

    // 3. Order state: a new out_trade_no creates an order; an existing one may only be re-entered unchanged.
    const identity = `v3 ${kind} ${canonicalJson(body)}`;
    let order = findOrder(ctx, merchant.mchId, outTradeNo ?? "");
    if (order) {
      if (order.tradeState === "SUCCESS" || order.tradeState === "REFUND")
        return v3Error(400, "ORDER_PAID", "该订单已支付");
      if (order.tradeState === "CLOSED") return v3Error(400, "ORDER_CLOSED", "订单已关闭");
      if (order.identity !== identity)
        return v3Error(400, "INVALID_REQUEST", "请求重入时，参数与首次请求时不一致");
    } else {
      order = {
        mchId: merchant.mchId,
        appId,
        outTradeNo: outTradeNo ?? "",
        tradeType,
        apiVersion: "v3",
        signType: "RSA",
        totalFee: total ?? 0,
        body: description ?? "",
        attach,
        notifyUrl: notifyUrl ?? "",
        openid: kind === "jsapi" ? openid : undefined,
        feeType: "CNY",
        createdAt: now,
        expiresAt,
        identity,
        tradeState: "NOTPAY",
        prepayIds: [],
      } satisfies Order;
      ctx.state.orders.set(ctx.state.orderKey(order.mchId, order.outTradeNo), order);
      ctx.log(`order (v3) ${order.mchId}/${order.outTradeNo} ${tradeType} ${order.totalFee} fen`);
    }

    // Every successful call, re-entry included, gets a fresh prepay_id (and h5_url / code_url; an older
    // code_url stops working).
    const prepay: Prepay = {
      prepayId: newPrepayId(now),
      mchId: order.mchId,
      outTradeNo: order.outTradeNo,
      createdAt: now,
      expiresAt: now + PREPAY_LIFE_MS,
    };
    if (kind === "h5") {
      prepay.mwebPackage = newMwebPackage();
      prepay.mwebExpiresAt = now + MWEB_LIFE_MS;
    }
    if (kind === "native") prepay.codeUrl = newCodeUrl(prepay.prepayId);
    ctx.state.prepays.set(prepay.prepayId, prepay);
    order.prepayIds.push(prepay.prepayId);

    if (kind === "jsapi") return ok({ prepay_id: prepay.prepayId });
    if (kind === "h5")
      return ok({
        h5_url: `${ctx.config.publicUrl}/pay/h5cashier?prepay_id=${prepay.prepayId}&package=${prepay.mwebPackage}`,
      });
    return ok({ code_url: prepay.codeUrl });
  };
}

function queryMchid(call: V3Call): V3Reply | undefined {
  const mchid = call.query.get("mchid");
  if (!mchid) return paramError("mchid", "缺少参数mchid", undefined, "query");
  if (mchid !== call.merchant.mchId) return mchidMismatch("query");
  return undefined;
}

const orderNotExist = () => v3Error(404, "ORDER_NOT_EXIST", "订单不存在");

export function queryByOutTradeNo(ctx: SimContext, call: V3Call): V3Reply {
  const bad = queryMchid(call);
  if (bad) return bad;
  const order = findOrder(ctx, call.merchant.mchId, call.params.out_trade_no ?? "");
  if (!order) return orderNotExist();
  if (ctx.state.takeSystemError(order.mchId, order.outTradeNo, "v3/query"))
    return v3Error(500, "SYSTEM_ERROR", "系统异常，请稍后重试");
  return ok(transactionJson(order));
}

export function queryByTransactionId(ctx: SimContext, call: V3Call): V3Reply {
  const bad = queryMchid(call);
  if (bad) return bad;
  // WeChat: an unpaid order has no transaction_id, so it can only be found by out_trade_no.
  const order = findOrderByTransactionId(ctx, call.merchant.mchId, call.params.transaction_id ?? "");
  if (!order) return orderNotExist();
  if (ctx.state.takeSystemError(order.mchId, order.outTradeNo, "v3/query"))
    return v3Error(500, "SYSTEM_ERROR", "系统异常，请稍后重试");
  return ok(transactionJson(order));
}

export function closeTransaction(ctx: SimContext, call: V3Call): V3Reply {
  const body = parseBody(call.raw);
  if (isV3Reply(body)) return body;
  // WeChat: mchid is the close call's only body field.
  const f = new Fields(body).onlyKnown(["mchid"]);
  const mchid = f.string("mchid", { required: true, max: 32 });
  if (f.failure) return f.failure;
  if (mchid !== call.merchant.mchId) return mchidMismatch("post payload");
  const order = findOrder(ctx, call.merchant.mchId, call.params.out_trade_no ?? "");
  if (!order) return orderNotExist();
  if (ctx.state.takeSystemError(order.mchId, order.outTradeNo, "v3/close"))
    return v3Error(500, "SYSTEM_ERROR", "系统异常，请稍后重试");
  if (order.tradeState === "SUCCESS" || order.tradeState === "REFUND")
    return v3Error(400, "ORDER_PAID", "订单已支付");
  // WeChat: "关单接口可重入" — closing a closed (or expired) order answers 204 again.
  if (order.tradeState !== "CLOSED") {
    order.tradeState = "CLOSED";
    order.closedAt = ctx.clock.now();
    order.closedBy = "closeorder";
    ctx.log(`closed (v3) ${order.mchId}/${order.outTradeNo}`);
  }
  return noContent();
}
