// Payment and refund notifies (WeChat → notify_url) and the reply WeChat expects.
// WeChat: "商户系统对于支付结果通知的内容一定要做签名验证，并校验返回的订单金额是否与商户侧的订单金额一致".
// Here: parse safely, verify with the pinned sign type and current/previous keys, check appid and mch_id,
// and map to a typed notification whose money and ids are exact. The amount comparison against the order
// is the caller's (it knows the order).
import { WechatPayError } from "../shared/errors";
import { parseBeijingTime, parseFen } from "./fields";
import { decryptReqInfo } from "./refund-crypto";
import { matchingKeyIndex, sign } from "./sign";
import type { SignType, WireFields } from "./sign";
import { buildXml, parseXml, XmlError } from "./xml";

// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const XML_UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/gu;

/**
 * WeChat's reply bytes. WeChat: the reply must be exactly this XML — "ok", "success", JSON or extra
 * characters count as a failed delivery and are retried.
 */
export function replyXml(ok: boolean, message?: string): string {
  const msg = message ?? (ok ? "OK" : "FAIL");
  // A reply must never fail to render: drop characters XML cannot carry and bound the length.
  const clean = msg.replace(XML_UNSAFE, "").slice(0, 128);
  return buildXml({ return_code: ok ? "SUCCESS" : "FAIL", return_msg: clean });
}

export const SUCCESS_REPLY = replyXml(true);

export type PayNotifyConfig = {
  mchId: string;
  appIds: readonly string[];
  keys: readonly string[];
  signType: SignType;
};

export type TPayNotification = {
  appId: string;
  mchId: string;
  outTradeNo: string;
  /** WeChat's 28-digit order number: a string, never a number. */
  transactionId: string;
  totalFeeFen: number;
  /** CNY when WeChat omits it (WeChat: fee_type defaults to 人民币). */
  feeType: string;
  tradeType: string;
  openid: string;
  resultCode: "SUCCESS" | "FAIL";
  errCode?: string;
  errCodeDes?: string;
  /** yyyyMMddHHmmss, Beijing time, exactly as received. */
  timeEnd: string;
  paidAt: Date;
  cashFeeFen?: number;
  attach?: string;
  bankType?: string;
  /** Index in the configured keys of the key that verified it: 0 = current, more = a previous key. */
  keyIndex: number;
  /** Every field as received (including unknown ones), for the notification log. */
  fields: WireFields;
};

export type PayNotifyRejectionCode =
  | "BAD_XML"
  | "BAD_SIGN"
  | "WRONG_SIGN_TYPE"
  | "WRONG_APPID"
  | "WRONG_MCH_ID"
  | "RETURN_FAIL"
  /** A required field is absent or malformed. Only reported after the signature verified. */
  | "MISSING_FIELD";

export type PayNotifyRejection = { code: PayNotifyRejectionCode; message: string; fields?: WireFields };

export type PayNotifyResult =
  { ok: true; notification: TPayNotification } | { ok: false; rejection: PayNotifyRejection };

function reject<C extends string>(
  code: C,
  message: string,
  fields?: WireFields,
): { ok: false; rejection: { code: C; message: string; fields?: WireFields } } {
  return { ok: false, rejection: fields === undefined ? { code, message } : { code, message, fields } };
}

function parseOrReject(raw: string | Uint8Array, root?: string): WireFields | XmlError {
  try {
    return parseXml(raw, root === undefined ? {} : { root });
  } catch (e) {
    if (e instanceof XmlError) return e;
    throw e;
  }
}

function has(fields: WireFields, name: string): boolean {
  return Object.hasOwn(fields, name) && fields[name] !== "";
}

function opt(fields: WireFields, name: string): string | undefined {
  return has(fields, name) ? fields[name] : undefined;
}

function checkIdentity(fields: WireFields, mchId: string, appIds: readonly string[]) {
  if (!has(fields, "mch_id") || fields.mch_id !== mchId)
    return reject("WRONG_MCH_ID", "mch_id is not this merchant", fields);
  if (!has(fields, "appid") || !appIds.includes(fields.appid as string))
    return reject("WRONG_APPID", "appid is not one of ours", fields);
  return null;
}

const PAY_REQUIRED = [
  "appid",
  "mch_id",
  "nonce_str",
  "result_code",
  "openid",
  "trade_type",
  "total_fee",
  "transaction_id",
  "out_trade_no",
  "time_end",
];

/**
 * Parses and authenticates a payment notify. Checks, in order: XML (BAD_XML), return_code (RETURN_FAIL: an
 * unsigned communication-level message), mch_id and appid membership, sign_type against the configured one
 * (an absent one is verified with the configured type), the signature over every received field with any configured key
 * (BAD_SIGN), then required fields and formats (MISSING_FIELD). A notify with result_code=FAIL that passes is
 * returned as ok with resultCode "FAIL": the caller records and acknowledges it without changing the order.
 */
export function parsePayNotify(raw: string | Uint8Array, config: PayNotifyConfig): PayNotifyResult {
  const fields = parseOrReject(raw);
  if (fields instanceof XmlError) return reject("BAD_XML", fields.message);

  if (fields.return_code !== "SUCCESS")
    return reject("RETURN_FAIL", `return_code is ${fields.return_code ?? "missing"}`, fields);
  const identity = checkIdentity(fields, config.mchId, config.appIds);
  if (identity) return identity;

  // The algorithm is pinned by configuration, never chosen by the message (a sender must not be able to pick
  // MD5 when HMAC-SHA256 is configured). A declared sign_type must match it. An absent one is verified with the
  // configured type too: WeChat's v2 notify often omits sign_type even for HMAC-SHA256 orders (pitfalls §2.3),
  // and a 32-hex MD5 sign can never pass the 64-hex HMAC check.
  const declared = has(fields, "sign_type") ? fields.sign_type : config.signType;
  if (declared !== config.signType) {
    return reject(
      "WRONG_SIGN_TYPE",
      `notify declares sign_type ${declared}, configured ${config.signType}`,
      fields,
    );
  }
  const keyIndex = matchingKeyIndex(fields, config.keys, config.signType);
  if (keyIndex < 0) return reject("BAD_SIGN", "signature does not verify", fields);

  for (const name of PAY_REQUIRED) {
    if (!has(fields, name)) return reject("MISSING_FIELD", `${name} is missing`, fields);
  }
  const resultCode = fields.result_code;
  if (resultCode !== "SUCCESS" && resultCode !== "FAIL")
    return reject("MISSING_FIELD", "result_code is not SUCCESS or FAIL", fields);

  let totalFeeFen: number;
  let cashFeeFen: number | undefined;
  let paidAt: Date;
  try {
    // Converted only after the signature verified over the exact strings, and only if strictly /^[1-9][0-9]*$/.
    totalFeeFen = parseFen(fields.total_fee, "total_fee");
    cashFeeFen = has(fields, "cash_fee")
      ? parseNonNegativeFen(fields.cash_fee as string, "cash_fee")
      : undefined;
    paidAt = parseBeijingTime(fields.time_end as string);
  } catch (e) {
    if (e instanceof WechatPayError) return reject("MISSING_FIELD", e.message, fields);
    throw e;
  }

  const n: TPayNotification = {
    appId: fields.appid as string,
    mchId: fields.mch_id as string,
    outTradeNo: fields.out_trade_no as string,
    transactionId: fields.transaction_id as string,
    totalFeeFen,
    feeType: opt(fields, "fee_type") ?? "CNY",
    tradeType: fields.trade_type as string,
    openid: fields.openid as string,
    resultCode,
    timeEnd: fields.time_end as string,
    paidAt,
    keyIndex,
    fields,
  };
  const errCode = opt(fields, "err_code");
  if (errCode !== undefined) n.errCode = errCode;
  const errCodeDes = opt(fields, "err_code_des");
  if (errCodeDes !== undefined) n.errCodeDes = errCodeDes;
  if (cashFeeFen !== undefined) n.cashFeeFen = cashFeeFen;
  const attach = opt(fields, "attach");
  if (attach !== undefined) n.attach = attach;
  const bankType = opt(fields, "bank_type");
  if (bankType !== undefined) n.bankType = bankType;
  return { ok: true, notification: n };
}

function parseNonNegativeFen(s: string, field: string): number {
  if (s === "0") return 0;
  return parseFen(s, field);
}

/**
 * A signed notify as WeChat sends it (strings in CDATA, integers bare). For the simulator and tests.
 * With HMAC-SHA256, sign_type is added unless given, since WeChat's default is MD5.
 */
export function buildPayNotify(
  fields: Readonly<Record<string, string | number>>,
  key: string,
  signType: SignType,
): string {
  const all: Record<string, string | number> = { ...fields };
  delete all.sign;
  if (signType === "HMAC-SHA256" && all.sign_type === undefined) all.sign_type = "HMAC-SHA256";
  all.sign = sign(all, key, signType);
  return buildXml(all);
}

// ── Refund notify ────────────────────────────────────────────────────────────────────────────────────────

export type RefundNotifyConfig = { mchId: string; appIds: readonly string[]; keys: readonly string[] };

export type TRefundStatus = "SUCCESS" | "CHANGE" | "REFUNDCLOSE";

export type TRefundNotification = {
  appId: string;
  mchId: string;
  transactionId: string;
  outTradeNo: string;
  refundId: string;
  outRefundNo: string;
  totalFeeFen: number;
  refundFeeFen: number;
  settlementTotalFeeFen?: number;
  settlementRefundFeeFen?: number;
  refundStatus: TRefundStatus;
  /** "yyyy-MM-dd HH:mm:ss" Beijing time as received (note: not yyyyMMddHHmmss). */
  successTime?: string;
  succeededAt?: Date;
  refundRecvAccout?: string;
  refundAccount?: string;
  refundRequestSource?: string;
  /** Index in the configured keys of the key that decrypted it: 0 = current, more = a previous key. */
  keyIndex: number;
  /** The outer, unencrypted fields. */
  fields: WireFields;
  /** The decrypted <root> fields. */
  reqInfo: WireFields;
};

export type RefundNotifyRejectionCode =
  "BAD_XML" | "RETURN_FAIL" | "WRONG_APPID" | "WRONG_MCH_ID" | "BAD_REQ_INFO" | "MISSING_FIELD";

export type RefundNotifyResult =
  | { ok: true; notification: TRefundNotification }
  | { ok: false; rejection: { code: RefundNotifyRejectionCode; message: string; fields?: WireFields } };

const REFUND_REQUIRED = [
  "transaction_id",
  "out_trade_no",
  "refund_id",
  "out_refund_no",
  "total_fee",
  "refund_fee",
  "refund_status",
];
const REFUND_STATUSES: readonly string[] = ["SUCCESS", "CHANGE", "REFUNDCLOSE"];

function parseDashedBeijingTime(s: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!m) throw new WechatPayError("BAD_TIME", "success_time must be yyyy-MM-dd HH:mm:ss");
  return parseBeijingTime(m.slice(1).join(""));
}

/**
 * Parses a refund notify. It carries no sign: WeChat authenticates it by encryption, so a req_info that does not
 * decrypt (with any configured key) to a well-formed <root> is BAD_REQ_INFO. A return_code=FAIL refund notify has
 * no req_info and is RETURN_FAIL.
 */
export function parseRefundNotify(raw: string | Uint8Array, config: RefundNotifyConfig): RefundNotifyResult {
  const fields = parseOrReject(raw);
  if (fields instanceof XmlError) return reject("BAD_XML", fields.message);
  if (fields.return_code !== "SUCCESS")
    return reject("RETURN_FAIL", `return_code is ${fields.return_code ?? "missing"}`, fields);
  const identity = checkIdentity(fields, config.mchId, config.appIds);
  if (identity) return identity;
  if (!has(fields, "req_info")) return reject("MISSING_FIELD", "req_info is missing", fields);

  let reqInfo: WireFields | undefined;
  let keyIndex = -1;
  for (const [i, key] of config.keys.entries()) {
    try {
      reqInfo = parseXml(decryptReqInfo(fields.req_info as string, key), { root: "root" });
      keyIndex = i;
      break;
    } catch (e) {
      if (!(e instanceof WechatPayError)) throw e;
    }
  }
  if (reqInfo === undefined)
    return reject("BAD_REQ_INFO", "req_info does not decrypt with any configured key", fields);

  for (const name of REFUND_REQUIRED) {
    if (!has(reqInfo, name)) return reject("MISSING_FIELD", `req_info ${name} is missing`, fields);
  }
  const status = reqInfo.refund_status as string;
  if (!REFUND_STATUSES.includes(status))
    return reject("MISSING_FIELD", `unknown refund_status ${status}`, fields);

  try {
    const n: TRefundNotification = {
      appId: fields.appid as string,
      mchId: fields.mch_id as string,
      transactionId: reqInfo.transaction_id as string,
      outTradeNo: reqInfo.out_trade_no as string,
      refundId: reqInfo.refund_id as string,
      outRefundNo: reqInfo.out_refund_no as string,
      totalFeeFen: parseFen(reqInfo.total_fee, "total_fee"),
      refundFeeFen: parseFen(reqInfo.refund_fee, "refund_fee"),
      refundStatus: status as TRefundStatus,
      keyIndex,
      fields,
      reqInfo,
    };
    const stf = opt(reqInfo, "settlement_total_fee");
    if (stf !== undefined) n.settlementTotalFeeFen = parseNonNegativeFen(stf, "settlement_total_fee");
    const srf = opt(reqInfo, "settlement_refund_fee");
    if (srf !== undefined) n.settlementRefundFeeFen = parseNonNegativeFen(srf, "settlement_refund_fee");
    const successTime = opt(reqInfo, "success_time");
    if (successTime !== undefined) {
      n.successTime = successTime;
      n.succeededAt = parseDashedBeijingTime(successTime);
    }
    const recv = opt(reqInfo, "refund_recv_accout");
    if (recv !== undefined) n.refundRecvAccout = recv;
    const account = opt(reqInfo, "refund_account");
    if (account !== undefined) n.refundAccount = account;
    const source = opt(reqInfo, "refund_request_source");
    if (source !== undefined) n.refundRequestSource = source;
    return { ok: true, notification: n };
  } catch (e) {
    if (e instanceof WechatPayError) return reject("MISSING_FIELD", e.message, fields);
    throw e;
  }
}
