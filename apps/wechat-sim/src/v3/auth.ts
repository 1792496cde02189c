// Checking a v3 request the way WeChat does, in this order: transport headers (Accept, User-Agent,
// Content-Type), the Authorization header's form and scheme, the merchant, the certificate serial, the
// timestamp window, then SHA256withRSA over `METHOD\nURL\ntimestamp\nnonce\nbody\n` with the merchant
// certificate's public key. Every failure up to here is unsigned; WeChat signs only answers to verified callers.
import type { IncomingHttpHeaders } from "node:http";

import { buildRequestMessage, parseAuthorization, verifySha256WithRsa } from "@wxpay/wechatpay/v3";

import type { SimContext } from "../context";
import type { Merchant } from "../state";
import { v3Error, type V3Reply } from "./wire";

export type V3Request = {
  method: string;
  /** The request-target exactly as sent: path and query, still URL-encoded (what the merchant signed). */
  target: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
};

export type VerifiedV3 = {
  merchant: Merchant;
  /** The request's Wechatpay-Serial, which picks the answer's key during the switch-over. */
  requestSerial?: string;
};

const FORMAT = "Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》";
const SCHEME = "Http头Authorization认证类型不正确";
const SERIAL = "商户证书序列号有误";
const SIGN = "签名错误，请检查后再试";
const STALE = "请求的时间戳已过期，请检查系统时间后再试";
/** WeChat: "建议…允许最多5分钟的时间偏差"; the simulator refuses requests further than that from its clock. */
export const TIMESTAMP_WINDOW_SEC = 300;

const signError = (message: string, detail?: Record<string, unknown>) =>
  ({ ...v3Error(401, "SIGN_ERROR", message, detail), unsigned: true }) satisfies V3Reply;

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function verifyV3Request(ctx: SimContext, req: V3Request, nowSec: number): VerifiedV3 | V3Reply {
  const h = (name: string) => header(req.headers, name);
  // Observed: a request without Accept or User-Agent is refused before its signature is looked at.
  if (!h("accept") || !h("user-agent")) {
    return { ...v3Error(400, "INVALID_REQUEST", "Http头缺少Accept或User-Agent"), unsigned: true };
  }
  if (req.method === "POST" && !/^application\/json\s*(;|$)/i.test(h("content-type") ?? "")) {
    return {
      ...v3Error(400, "INVALID_REQUEST", "Http头Content-Type值必须为application/json"),
      unsigned: true,
    };
  }

  const parsed = parseAuthorization(h("authorization"));
  if (!parsed.ok) {
    return signError(parsed.reason === "WRONG_SCHEME" ? SCHEME : FORMAT, {
      field: "authorization",
      location: "header",
      issue: parsed.reason,
    });
  }
  const auth = parsed.value;
  const merchant = ctx.state.merchants.get(auth.mchid);
  if (!merchant) return { ...v3Error(400, "MCH_NOT_EXISTS", "商户号不存在"), unsigned: true };
  if (auth.serialNo.toUpperCase() !== merchant.v3.mchSerial.toUpperCase()) {
    return signError(SERIAL, { field: "serial_no", location: "authorization", value: auth.serialNo });
  }
  const ts = /^\d{1,12}$/.test(auth.timestamp) ? Number(auth.timestamp) : NaN;
  if (!Number.isFinite(ts) || Math.abs(nowSec - ts) > TIMESTAMP_WINDOW_SEC) {
    return signError(STALE, { field: "timestamp", location: "authorization", value: auth.timestamp });
  }
  const message = buildRequestMessage({
    method: req.method,
    url: req.target,
    timestamp: auth.timestamp,
    nonce: auth.nonce,
    body: req.raw.toString("utf8"),
  });
  if (!verifySha256WithRsa(merchant.v3.mchCertPem, message, auth.signature)) {
    // The shape of WeChat's answer (observed): what it signed, so the caller can compare.
    return signError(SIGN, {
      detail: { issue: "sign not match" },
      field: "signature",
      location: "authorization",
      sign_information: {
        method: req.method,
        sign_message_length: Buffer.byteLength(message, "utf8"),
        truncated_sign_message: message.slice(0, 100),
        url: req.target,
      },
    });
  }
  return { merchant, requestSerial: h("wechatpay-serial") };
}

export function isReply(v: VerifiedV3 | V3Reply): v is V3Reply {
  return "status" in v;
}
