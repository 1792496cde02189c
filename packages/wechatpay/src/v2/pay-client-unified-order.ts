// 统一下单 request fields (reference §2): checked inputs in, WeChat's field names out.
import { isIP } from "node:net";

import { WechatPayError } from "../shared/errors";
import { fitBody, formatBeijingTime, isValidOutTradeNo } from "./fields";

export type TTradeType = "JSAPI" | "MWEB" | "NATIVE";

/** MWEB scene for a website (WeChat's `h5_info` with `type: "Wap"`). */
export type TWapSceneInfo = { type: "Wap"; wapUrl: string; wapName: string };

type TUnifiedOrderCommon = {
  /** Defaults to the client's `appId`. JSAPI: the appid the openid belongs to (official account or mini-program). */
  appId?: string;
  outTradeNo: string;
  /** Fitted to 127 UTF-8 bytes with 4-byte characters removed. */
  body: string;
  /** Integer fen, > 0. */
  totalFeeFen: number;
  /** Absolute http(s) URL without a query string. */
  notifyUrl: string;
  /** MWEB: the user's real IP as WeChat will see it; otherwise the server's or the user's IP. */
  spbillCreateIp: string;
  timeStart?: Date;
  timeExpire?: Date;
  attach?: string;
  goodsTag?: string;
  limitPay?: "no_credit";
  deviceInfo?: string;
};

export type TUnifiedOrderInput = TUnifiedOrderCommon &
  (
    | { tradeType: "JSAPI"; openid: string }
    | { tradeType: "MWEB"; sceneInfo: TWapSceneInfo }
    | { tradeType: "NATIVE"; productId: string }
  );

function bad(field: string, message: string): WechatPayError {
  return new WechatPayError("BAD_INPUT", `${field}: ${message}`, {
    remedy: "FIX_REQUEST",
    details: { field },
  });
}

function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

// WeChat: v2 accepts only characters of one to three UTF-8 bytes; control characters cannot travel in XML.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FOUR_BYTE_OR_CONTROL = /[\u{10000}-\u{10FFFF}\p{Cs}\u0000-\u001F\u007F]/u;

function text(field: string, v: string | undefined, maxBytes: number): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") throw bad(field, "must be a non-empty string");
  if (FOUR_BYTE_OR_CONTROL.test(v))
    throw bad(field, "contains characters WeChat Pay v2 cannot carry (emoji, control)");
  if (utf8Bytes(v) > maxBytes) throw bad(field, `longer than ${maxBytes} bytes`);
  return v;
}

function httpUrl(field: string, v: string, opts: { noQuery: boolean; maxLength: number }): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw bad(field, "must be an absolute URL");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw bad(field, "must be http(s)");
  // WeChat: notify_url "必须为直接可访问的url，不能携带参数"; https for public domains (http is left for the
  // local simulator and private lines, which WeChat also allows).
  if (opts.noQuery && (u.search !== "" || v.includes("?") || v.includes("#")))
    throw bad(field, "must not carry a query or fragment");
  if (v.length > opts.maxLength) throw bad(field, `longer than ${opts.maxLength} characters`);
  return v;
}

const FIVE_MINUTES_MS = 5 * 60 * 1000;
const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The unifiedorder fields (without appid/mch_id/nonce_str/sign/sign_type, which the client adds), in
 * WeChat's names and exact wire form. Throws WechatPayError("BAD_INPUT") before anything is sent.
 */
export function unifiedOrderFields(input: TUnifiedOrderInput, now: Date): Record<string, string | number> {
  if (!isValidOutTradeNo(input.outTradeNo)) {
    // WeChat: "6–32 个字符，只能是数字、大小写字母_-|*" (current pages; the older charset adds @).
    throw bad("outTradeNo", "must match [0-9A-Za-z_-|*]{6,32}");
  }
  if (!Number.isSafeInteger(input.totalFeeFen) || input.totalFeeFen <= 0) {
    // WeChat: total_fee is Int fen, "参数值不能带小数", at least 1.
    throw bad("totalFeeFen", "must be a positive integer of fen");
  }
  const body = fitBody(typeof input.body === "string" ? input.body : "");
  if (body === "") throw bad("body", "is empty after removing characters WeChat cannot carry");
  const ip = typeof input.spbillCreateIp === "string" ? input.spbillCreateIp : "";
  // WeChat: spbill_create_ip String(64), IPv4 or IPv6.
  if (isIP(ip) === 0 || ip.length > 64) throw bad("spbillCreateIp", "must be an IPv4 or IPv6 address");

  const fields: Record<string, string | number> = {
    body,
    out_trade_no: input.outTradeNo,
    total_fee: input.totalFeeFen,
    spbill_create_ip: ip,
    notify_url: httpUrl("notifyUrl", input.notifyUrl, { noQuery: true, maxLength: 256 }),
    trade_type: input.tradeType,
  };

  const attach = text("attach", input.attach, 127);
  if (attach !== undefined) fields.attach = attach;
  const goodsTag = text("goodsTag", input.goodsTag, 32);
  if (goodsTag !== undefined) fields.goods_tag = goodsTag;
  const deviceInfo = text("deviceInfo", input.deviceInfo, 32);
  if (deviceInfo !== undefined) fields.device_info = deviceInfo;
  if (input.limitPay !== undefined) {
    if (input.limitPay !== "no_credit") throw bad("limitPay", 'only "no_credit" exists');
    fields.limit_pay = input.limitPay;
  }

  const start = input.timeStart ?? undefined;
  if (start !== undefined) fields.time_start = formatBeijingTime(start);
  if (input.timeExpire !== undefined) {
    const from = (start ?? now).getTime();
    const span = input.timeExpire.getTime() - from;
    // WeChat: the shortest window has been documented as "大于5分钟" and "大于1分钟" and was observed as
    // "time_expire时间过短，刷卡至少1分钟，其他5分钟": the safe reading is ≥ 5 minutes. Unpaid orders older
    // than 7 days cannot be paid (v3 wording; unconfirmed for v2), so a longer window is refused too.
    if (!Number.isFinite(span) || span < FIVE_MINUTES_MS)
      throw bad("timeExpire", "must be at least 5 minutes after the order time");
    if (span > SEVEN_DAYS_MS) throw bad("timeExpire", "must be within 7 days");
    // WeChat: time_expire is yyyyMMddHHmmss in Beijing time (东八区), whatever the server's zone.
    fields.time_expire = formatBeijingTime(input.timeExpire);
  }

  switch (input.tradeType) {
    case "JSAPI": {
      // WeChat: openid is required for JSAPI and must belong to the same appid as the request.
      const openid = text("openid", input.openid, 128);
      if (openid === undefined) throw bad("openid", "is required for JSAPI");
      fields.openid = openid;
      break;
    }
    case "MWEB": {
      const s = input.sceneInfo;
      if (!s || s.type !== "Wap") throw bad("sceneInfo", 'MWEB needs { type: "Wap", wapUrl, wapName }');
      const wapUrl = httpUrl("sceneInfo.wapUrl", s.wapUrl, { noQuery: false, maxLength: 200 });
      const wapName = text("sceneInfo.wapName", s.wapName, 128) as string;
      // WeChat H5 统一下单: scene_info is a JSON string {"h5_info":{"type":"Wap","wap_url":…,"wap_name":…}},
      // String(256); the exact string sent is what gets signed.
      const sceneInfo = JSON.stringify({ h5_info: { type: "Wap", wap_url: wapUrl, wap_name: wapName } });
      if (sceneInfo.length > 256) throw bad("sceneInfo", "scene_info JSON longer than 256 characters");
      fields.scene_info = sceneInfo;
      break;
    }
    case "NATIVE": {
      // WeChat: product_id is required when trade_type=NATIVE, String(32).
      const productId = text("productId", input.productId, 32);
      if (productId === undefined) throw bad("productId", "is required for NATIVE");
      fields.product_id = productId;
      break;
    }
    default:
      throw bad("tradeType", "must be JSAPI, MWEB or NATIVE");
  }
  return fields;
}

export { bad as badInput, text as checkedText };
