// WeChat's v3 payment and refund objects, mapped from snake_case JSON to typed camelCase in this one place.
// A query answer and a decrypted notify resource are the same object (reference §4), so one mapper serves both.
import { parseRfc3339 } from "./fields";

type Json = Record<string, unknown>;

const str = (o: Json, k: string): string | undefined =>
  typeof o[k] === "string" ? (o[k] as string) : undefined;
const int = (o: Json, k: string): number | undefined =>
  typeof o[k] === "number" && Number.isSafeInteger(o[k]) ? (o[k] as number) : undefined;
const obj = (o: Json, k: string): Json =>
  typeof o[k] === "object" && o[k] !== null && !Array.isArray(o[k]) ? (o[k] as Json) : {};

/** WeChat: trade_state; JSAPI/H5/Native only see SUCCESS, REFUND, NOTPAY and CLOSED. */
export type TV3TradeState =
  "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR" | "ACCEPT";
export const V3_TRADE_STATES: readonly TV3TradeState[] = [
  "SUCCESS",
  "REFUND",
  "NOTPAY",
  "CLOSED",
  "REVOKED",
  "USERPAYING",
  "PAYERROR",
  "ACCEPT",
];

export type TV3Transaction = {
  appId: string;
  mchId: string;
  outTradeNo: string;
  /** Absent while NOTPAY. A string, never a number. */
  transactionId?: string;
  /** JSAPI, NATIVE, APP, MICROPAY, MWEB (= H5), FACEPAY; absent while NOTPAY. */
  tradeType?: string;
  tradeState: TV3TradeState;
  tradeStateDesc?: string;
  bankType?: string;
  attach?: string;
  /** RFC 3339 as received. */
  successTime?: string;
  paidAt?: Date;
  openid?: string;
  /** amount.total, fen. */
  totalFen?: number;
  /** amount.payer_total: what the payer paid after discounts, fen. */
  payerTotalFen?: number;
  currency?: string;
  payerCurrency?: string;
  promotionDetail?: unknown[];
  /** The object as received, unknown fields included. */
  raw: Json;
};

export type TV3TransactionParse = { ok: true; value: TV3Transaction } | { ok: false; field: string };

/** Maps a Transaction; refuses one without the fields every state carries (appid, mchid, out_trade_no, trade_state). */
export function toTransaction(o: Json): TV3TransactionParse {
  for (const k of ["appid", "mchid", "out_trade_no", "trade_state"]) {
    if (!str(o, k)) return { ok: false, field: k };
  }
  const state = str(o, "trade_state") as string;
  if (!(V3_TRADE_STATES as readonly string[]).includes(state)) return { ok: false, field: "trade_state" };
  const amount = obj(o, "amount");
  const t: TV3Transaction = {
    appId: str(o, "appid") as string,
    mchId: str(o, "mchid") as string,
    outTradeNo: str(o, "out_trade_no") as string,
    tradeState: state as TV3TradeState,
    raw: o,
  };
  const set = <K extends keyof TV3Transaction>(k: K, v: TV3Transaction[K] | undefined): void => {
    if (v !== undefined) t[k] = v;
  };
  set("transactionId", str(o, "transaction_id"));
  set("tradeType", str(o, "trade_type"));
  set("tradeStateDesc", str(o, "trade_state_desc"));
  set("bankType", str(o, "bank_type"));
  set("attach", str(o, "attach"));
  set("successTime", str(o, "success_time"));
  set("paidAt", parseRfc3339(o["success_time"]));
  set("openid", str(obj(o, "payer"), "openid"));
  set("totalFen", int(amount, "total"));
  set("payerTotalFen", int(amount, "payer_total"));
  set("currency", str(amount, "currency"));
  set("payerCurrency", str(amount, "payer_currency"));
  if (Array.isArray(o["promotion_detail"])) t.promotionDetail = o["promotion_detail"] as unknown[];
  return { ok: true, value: t };
}

/** WeChat: refund status SUCCESS 退款成功, CLOSED 退款关闭, PROCESSING 退款处理中, ABNORMAL 退款异常. */
export type TV3RefundStatus = "SUCCESS" | "CLOSED" | "PROCESSING" | "ABNORMAL";
const REFUND_STATUSES: readonly string[] = ["SUCCESS", "CLOSED", "PROCESSING", "ABNORMAL"];

export type TV3Refund = {
  refundId: string;
  outRefundNo: string;
  transactionId: string;
  outTradeNo: string;
  status: TV3RefundStatus;
  /** ORIGINAL, BALANCE, OTHER_BALANCE, OTHER_BANKCARD. */
  channel?: string;
  userReceivedAccount?: string;
  successTime?: string;
  succeededAt?: Date;
  createTime?: string;
  fundsAccount?: string;
  /** amount.total: the original order's total, fen. */
  totalFen: number;
  /** amount.refund: this refund, fen. */
  refundFen: number;
  payerTotalFen?: number;
  payerRefundFen?: number;
  settlementRefundFen?: number;
  settlementTotalFen?: number;
  discountRefundFen?: number;
  currency?: string;
  raw: Json;
};

export type TV3RefundParse = { ok: true; value: TV3Refund } | { ok: false; field: string };

/**
 * Maps a Refund (the refund API's answer and the refund query). The refund notify resource names the status
 * `refund_status` instead of `status`; both are read.
 */
export function toRefund(o: Json): TV3RefundParse {
  for (const k of ["refund_id", "out_refund_no", "transaction_id", "out_trade_no"]) {
    if (!str(o, k)) return { ok: false, field: k };
  }
  const status = str(o, "status") ?? str(o, "refund_status");
  if (!status || !REFUND_STATUSES.includes(status)) return { ok: false, field: "status" };
  const amount = obj(o, "amount");
  const total = int(amount, "total");
  const refund = int(amount, "refund");
  if (total === undefined) return { ok: false, field: "amount.total" };
  if (refund === undefined) return { ok: false, field: "amount.refund" };
  const r: TV3Refund = {
    refundId: str(o, "refund_id") as string,
    outRefundNo: str(o, "out_refund_no") as string,
    transactionId: str(o, "transaction_id") as string,
    outTradeNo: str(o, "out_trade_no") as string,
    status: status as TV3RefundStatus,
    totalFen: total,
    refundFen: refund,
    raw: o,
  };
  const set = <K extends keyof TV3Refund>(k: K, v: TV3Refund[K] | undefined): void => {
    if (v !== undefined) r[k] = v;
  };
  set("channel", str(o, "channel"));
  set("userReceivedAccount", str(o, "user_received_account"));
  set("successTime", str(o, "success_time"));
  set("succeededAt", parseRfc3339(o["success_time"]));
  set("createTime", str(o, "create_time"));
  set("fundsAccount", str(o, "funds_account"));
  set("payerTotalFen", int(amount, "payer_total"));
  set("payerRefundFen", int(amount, "payer_refund"));
  set("settlementRefundFen", int(amount, "settlement_refund"));
  set("settlementTotalFen", int(amount, "settlement_total"));
  set("discountRefundFen", int(amount, "discount_refund"));
  set("currency", str(amount, "currency"));
  return { ok: true, value: r };
}
