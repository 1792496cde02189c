// POST /pay/unifiedorder — creates an order (NOTPAY) and a prepay session, or re-enters an existing one.
import { isIP } from "node:net";

import { parseBeijingTime } from "@wxpay/wechatpay";

import type { SimContext } from "../context";
import { newCodeUrl, newMwebPackage, newPrepayId } from "../ids";
import type { Order, Prepay, TradeType } from "../state";
import { isPayAnswer, verifyPayRequest, type FieldSpec } from "./envelope";
import { findOrder } from "./orders";
import { resultFail, resultSuccess, type PayAnswer } from "./wire";

const SPEC: FieldSpec = {
  required: ["body", "out_trade_no", "total_fee", "spbill_create_ip", "notify_url", "trade_type"],
  maxLength: {
    device_info: 32,
    detail: 6000,
    out_trade_no: 32,
    fee_type: 16,
    spbill_create_ip: 64,
    time_start: 14,
    time_expire: 14,
    goods_tag: 32,
    notify_url: 256,
    trade_type: 16,
    product_id: 32,
    limit_pay: 32,
    openid: 128,
    receipt: 8,
    profit_sharing: 16,
    scene_info: 256,
    version: 32,
  },
  // WeChat: body and attach are String(127); counted in UTF-8 bytes here, the safe reading.
  maxBytes: { body: 127, attach: 127 },
};

const TRADE_TYPES: readonly TradeType[] = ["JSAPI", "NATIVE", "APP", "MWEB"];
/** WeChat: out_trade_no is 6–32 of digits, letters and _-|*@. */
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*@]{6,32}$/;
/** WeChat: only characters of one to three UTF-8 bytes are supported. */
const FOUR_BYTE_CHAR = /[\u{10000}-\u{10FFFF}]/u;

export const PREPAY_LIFE_MS = 2 * 60 * 60 * 1000; // WeChat: prepay_id is valid 2 hours.
export const MWEB_LIFE_MS = 5 * 60 * 1000; // WeChat: mweb_url is valid 5 minutes.
const MIN_EXPIRE_SECONDS = 5 * 60; // WeChat: time_expire at least 5 minutes ahead (1 minute for micropay only).

export function unifiedOrder(ctx: SimContext, method: string, raw: Buffer): PayAnswer {
  const req = verifyPayRequest(ctx, "unifiedorder", method, raw, SPEC);
  if (isPayAnswer(req)) return req;
  const f = req.fields;
  const fail = (code: string, des: string) => resultFail(req, code, des);
  const now = ctx.clock.now();

  // 5. Business rules.
  const tradeType = f.trade_type as TradeType;
  if (!TRADE_TYPES.includes(tradeType)) return fail("PARAM_ERROR", "trade_type参数错误");
  if (!req.merchant.tradeTypes.includes(tradeType)) return fail("NOAUTH", "商户无此接口权限");
  for (const name of ["body", "attach", "detail", "device_info"]) {
    if (FOUR_BYTE_CHAR.test(f[name] ?? "")) return fail("PARAM_ERROR", `${name}不能包含4字节UTF-8字符`);
  }
  const outTradeNo = f.out_trade_no ?? "";
  if (!OUT_TRADE_NO.test(outTradeNo)) return fail("PARAM_ERROR", "商户订单号out_trade_no格式错误");
  const totalFeeRaw = f.total_fee ?? "";
  const totalFee = Number(totalFeeRaw);
  if (!/^[1-9]\d{0,9}$/.test(totalFeeRaw) || !Number.isSafeInteger(totalFee)) {
    return fail("PARAM_ERROR", "invalid total_fee");
  }
  if (f.fee_type !== undefined && f.fee_type !== "CNY")
    return fail("PARAM_ERROR", "境内商户号仅支持人民币fee_type=CNY");
  if (isIP(f.spbill_create_ip ?? "") === 0) return fail("PARAM_ERROR", "spbill_create_ip参数格式错误");
  if (!validNotifyUrl(f.notify_url ?? "")) {
    return fail("PARAM_ERROR", "notify_url参数格式错误，必须为直接可访问的url，不能携带参数");
  }
  if (f.limit_pay !== undefined && f.limit_pay !== "no_credit")
    return fail("PARAM_ERROR", "limit_pay参数错误");
  let timeStart: number | undefined;
  let timeExpire: number | undefined;
  try {
    if (f.time_start !== undefined) timeStart = beijing(f.time_start);
  } catch {
    return fail("PARAM_ERROR", "time_start参数格式错误");
  }
  try {
    if (f.time_expire !== undefined) timeExpire = beijing(f.time_expire);
  } catch {
    return fail("PARAM_ERROR", "time_expire参数格式错误");
  }
  const identity = orderIdentity(f);
  let order = findOrder(ctx, req.merchant.mchId, outTradeNo);
  // A re-entry with the same parameters is judged by the order's state, not by how near its time_expire now is.
  const reentry = order !== undefined && order.identity === identity;
  if (timeExpire !== undefined && !reentry) {
    // Compared at one-second resolution, like the yyyyMMddHHmmss values themselves.
    const expireSec = Math.floor(timeExpire / 1000);
    const fromNow = expireSec - Math.floor(now / 1000);
    const fromStart = timeStart === undefined ? fromNow : expireSec - Math.floor(timeStart / 1000);
    if (fromNow < MIN_EXPIRE_SECONDS || fromStart < MIN_EXPIRE_SECONDS) {
      return fail("PARAM_ERROR", "time_expire时间过短，刷卡至少1分钟，其他5分钟");
    }
  }
  if (tradeType === "JSAPI") {
    if (!f.openid) return fail("PARAM_ERROR", "JSAPI支付必须传openid");
    // WeChat: the openid must be the user's openid under this request's appid.
    if (!ctx.state.userByOpenid(req.appId, f.openid)) return fail("PARAM_ERROR", "appid和openid不匹配");
  }
  if (tradeType === "NATIVE" && !f.product_id) return fail("PARAM_ERROR", "NATIVE支付必须传product_id");
  if (tradeType === "MWEB" && !validH5SceneInfo(f.scene_info)) {
    return fail("PARAM_ERROR", "H5支付必须传scene_info，且scene_info.h5_info格式正确");
  }

  // 6. Order state: a new out_trade_no creates an order; an existing one may only be re-entered unchanged.
  if (order) {
    if (order.tradeState === "SUCCESS" || order.tradeState === "REFUND")
      return fail("ORDERPAID", "该订单已支付");
    if (order.tradeState === "CLOSED") return fail("ORDERCLOSED", "该订单已关闭");
    if (order.identity !== identity) return fail("INVALID_REQUEST", "201 商户订单号重复");
  } else {
    order = {
      mchId: req.merchant.mchId,
      appId: req.appId,
      outTradeNo,
      tradeType,
      apiVersion: "v2",
      signType: req.signType,
      totalFee,
      body: f.body ?? "",
      attach: f.attach,
      deviceInfo: f.device_info,
      notifyUrl: f.notify_url ?? "",
      openid: f.openid,
      feeType: "CNY",
      createdAt: now,
      expiresAt: timeExpire ?? now + ctx.config.defaultOrderLifeMs,
      identity,
      tradeState: "NOTPAY",
      prepayIds: [],
    } satisfies Order;
    ctx.state.orders.set(ctx.state.orderKey(order.mchId, outTradeNo), order);
    ctx.log(`order ${order.mchId}/${outTradeNo} ${tradeType} ${totalFee} fen`);
  }

  // Each successful call, re-entry included, gets a fresh prepay_id (and mweb_url): clients keep the latest.
  const prepay: Prepay = {
    prepayId: newPrepayId(now),
    mchId: order.mchId,
    outTradeNo,
    createdAt: now,
    expiresAt: now + PREPAY_LIFE_MS,
  };
  if (tradeType === "MWEB") {
    prepay.mwebPackage = newMwebPackage();
    prepay.mwebExpiresAt = now + MWEB_LIFE_MS;
  }
  if (tradeType === "NATIVE") prepay.codeUrl = newCodeUrl(prepay.prepayId);
  ctx.state.prepays.set(prepay.prepayId, prepay);
  order.prepayIds.push(prepay.prepayId);

  return resultSuccess(req, {
    device_info: f.device_info,
    trade_type: tradeType,
    prepay_id: prepay.prepayId,
    code_url: prepay.codeUrl,
    mweb_url:
      tradeType === "MWEB"
        ? `${ctx.config.publicUrl}/pay/h5cashier?prepay_id=${prepay.prepayId}&package=${prepay.mwebPackage}`
        : undefined,
  });
}

function beijing(s: string): number {
  if (!/^\d{14}$/.test(s)) throw new Error("not yyyyMMddHHmmss");
  return parseBeijingTime(s).getTime();
}

/** WeChat: notify_url is an absolute URL that can be reached directly and carries no parameters. */
function validNotifyUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (url.protocol === "http:" || url.protocol === "https:") && url.search === "" && !raw.includes("#");
}

/** WeChat: MWEB needs scene_info = {"h5_info": {"type": "Wap"|"IOS"|"Android", ...}} as a JSON string. */
function validH5SceneInfo(raw: string | undefined): boolean {
  if (!raw) return false;
  try {
    const v = JSON.parse(raw) as { h5_info?: { type?: unknown } };
    return (
      typeof v === "object" &&
      v !== null &&
      typeof v.h5_info === "object" &&
      v.h5_info !== null &&
      ["Wap", "IOS", "Android"].includes(String(v.h5_info.type))
    );
  } catch {
    return false;
  }
}

/** Every field but nonce_str and sign: WeChat's re-entry rule wants the same parameters again. */
function orderIdentity(fields: Record<string, string>): string {
  const kept = Object.keys(fields)
    .filter((k) => k !== "nonce_str" && k !== "sign" && fields[k] !== "")
    .sort()
    .map((k) => [k, fields[k]]);
  return JSON.stringify(kept);
}
