// WeChat's validation order for every pay endpoint: transport → fields → merchant/app → signature.
// Everything up to and including the signature check fails at the communication level (return_code=FAIL,
// unsigned: an unauthenticated caller never gets a signed answer); later rules are the endpoint's own and
// answer at the business level (result_code=FAIL, signed).
import { parseXml, verifySign, XmlError } from "@wxpay/wechatpay";

import type { SimContext } from "../context";
import type { SignType } from "../state";
import { resultFail, returnFail, type PayAnswer, type VerifiedRequest } from "./wire";

export type FieldSpec = {
  /** Required besides appid, mch_id, nonce_str and sign. */
  required: readonly string[];
  /** Maximum lengths in characters. */
  maxLength: Readonly<Record<string, number>>;
  /** Maximum lengths in UTF-8 bytes (WeChat: body and attach are String(127)). */
  maxBytes?: Readonly<Record<string, number>>;
};

const COMMON_MAX: Record<string, number> = { appid: 32, mch_id: 32, nonce_str: 32, sign: 64, sign_type: 32 };

export function isPayAnswer(v: VerifiedRequest | PayAnswer): v is PayAnswer {
  return "xml" in v;
}

export function verifyPayRequest(
  ctx: SimContext,
  endpoint: string,
  method: string,
  raw: Buffer,
  spec: FieldSpec,
): VerifiedRequest | PayAnswer {
  // 1. Transport.
  if (method !== "POST") return returnFail("请使用post方法");
  if (raw.length === 0 || raw.toString("utf8").trim() === "") return returnFail("post数据为空");
  let fields: Record<string, string>;
  try {
    fields = { ...parseXml(raw, { maxBytes: 1024 * 1024 }) };
  } catch (err) {
    if (err instanceof XmlError && err.code === "XML_NOT_UTF8") return returnFail("编码格式错误");
    return returnFail("XML格式错误");
  }

  // 2. Fields: presence, lengths, formats.
  for (const name of ["appid", "mch_id", "nonce_str", "sign", ...spec.required]) {
    if (!fields[name]) return returnFail(`缺少参数${name}`);
  }
  const maxLength = { ...COMMON_MAX, ...spec.maxLength };
  for (const [name, max] of Object.entries(maxLength)) {
    const v = fields[name];
    if (v !== undefined && [...v].length > max) return returnFail(`${name}参数长度有误`);
  }
  for (const [name, max] of Object.entries(spec.maxBytes ?? {})) {
    const v = fields[name];
    if (v !== undefined && Buffer.byteLength(v, "utf8") > max) return returnFail(`${name}参数长度有误`);
  }
  const appId = fields.appid ?? "";
  const mchId = fields.mch_id ?? "";
  if (!/^\d+$/.test(mchId)) return returnFail("mch_id参数格式错误");
  if (!/^[A-Za-z0-9_]+$/.test(appId)) return returnFail("appid参数格式错误");
  const signTypeRaw = fields.sign_type || "MD5";
  if (signTypeRaw !== "MD5" && signTypeRaw !== "HMAC-SHA256") return returnFail("sign_type参数格式错误");
  const signType: SignType = signTypeRaw;

  // 3. Merchant and app.
  const merchant = ctx.state.merchants.get(mchId);
  if (!merchant) return returnFail("mch_id不存在");
  if (!ctx.state.apps.has(appId)) return returnFail("appid不存在");
  if (!merchant.appIds.includes(appId)) return returnFail("appid和mch_id不匹配");

  // 4. Signature, with the request's sign_type (itself signed) and any key the merchant accepts.
  if (!verifySign(fields, [merchant.key, ...merchant.previousKeys], signType)) return returnFail("签名错误");

  const req: VerifiedRequest = { fields, merchant, appId, signType };

  // Fault injection: a business-level SYSTEMERROR ("系统超时", retry with the same parameters).
  if (ctx.state.takeSystemError(mchId, fields.out_trade_no, endpoint)) {
    return resultFail(req, "SYSTEMERROR", "系统超时");
  }
  return req;
}
