// The remedy vocabulary both protocol versions speak: what the shop should do about a WeChat Pay error,
// as one small set of values the rest of the shop can switch on.

/**
 * - RETRY_SAME: send the same request again, same parameters and numbers ("请用相同参数重新调用").
 * - QUERY_ORDER: the outcome is unknown; ask orderquery before doing anything else.
 * - TREAT_AS_PAID: the order is paid ("请当作已支付的正常交易"); confirm with a signed orderquery and fulfil.
 * - TREAT_AS_CLOSED: the order is already closed ("订单已关闭，无需继续调用").
 * - NEW_OUT_TRADE_NO: this out_trade_no can never be used again; start a new payment attempt.
 * - FIX_REQUEST: the request is wrong (parameters, format); retrying it unchanged cannot succeed.
 * - FIX_CONFIG: key, appid, mch_id, certificate or product permission is wrong.
 * - RETRY_LATER: rate-limited or not ready yet; retry after a pause.
 * - NOT_FOUND: WeChat has no such order / refund / bill.
 * - USER_ACTION: only the payer can fix it (balance, card).
 * - MANUAL: needs a person (merchant balance, abnormal account, expired order).
 * - UNKNOWN: an err_code this table does not know; treat as not retryable and alert.
 */
export type TRemedy =
  | "RETRY_SAME"
  | "QUERY_ORDER"
  | "TREAT_AS_PAID"
  | "TREAT_AS_CLOSED"
  | "NEW_OUT_TRADE_NO"
  | "FIX_REQUEST"
  | "FIX_CONFIG"
  | "RETRY_LATER"
  | "NOT_FOUND"
  | "USER_ACTION"
  | "MANUAL"
  | "UNKNOWN";

export type TRemedyInfo = {
  remedy: TRemedy;
  /** True when repeating the call (possibly after a pause) can succeed without changing anything. */
  retryable: boolean;
  /** WeChat's own wording of the remedy where it documents one. */
  hint: string;
};

export const RETRYABLE_REMEDIES: ReadonlySet<TRemedy> = new Set<TRemedy>([
  "RETRY_SAME",
  "QUERY_ORDER",
  "RETRY_LATER",
]);

export function remedyInfo(remedy: TRemedy, hint: string): TRemedyInfo {
  return { remedy, retryable: RETRYABLE_REMEDIES.has(remedy), hint };
}
