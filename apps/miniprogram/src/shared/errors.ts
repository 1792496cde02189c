// Turning API errors into what a shopper reads. Pages show these sentences per appCode, never raw codes.

import type { TAppCode } from "@wxpay/api";

export type { TAppCode };

const TEXT: Record<TAppCode, string> = {
  NOT_FOUND: "没有找到这笔订单",
  UNKNOWN_SKU: "商品已下架，请返回重新选择",
  BAD_INPUT: "请求有误，请返回后重试",
  OAUTH_REQUIRED: "请在微信中重新打开后再支付",
  LOGIN_REQUIRED: "登录已失效，请重试",
  ORDER_PAID: "这笔订单已经支付过了",
  ORDER_CLOSED: "订单已关闭或已过期，请重新下单",
  WECHAT_BUSY: "微信支付繁忙，请稍后再试",
  WECHAT_REJECTED: "微信支付暂时无法受理，请稍后再试",
  URL_NOT_ALLOWED: "页面地址不受支持",
  TOO_MANY_REQUESTS: "操作太频繁，请稍后再试",
  REFUNDS_DISABLED: "暂不支持在线退款，请联系客服",
  TOO_MANY_OPEN_ORDERS: "未支付的订单太多，请先支付或稍后再下单",
  FORBIDDEN: "没有权限执行这项操作",
  PASSWORD_CHANGE_REQUIRED: "请先修改初始密码",
  LAST_ADMIN: "至少要保留一位管理员",
};

const NETWORK_TEXT = "网络不太好，请检查网络后重试";
const FALLBACK_TEXT = "出了点问题，请稍后再试";

type ErrorData = { code?: unknown; appCode?: unknown; httpStatus?: unknown };

function dataOf(err: unknown): ErrorData | undefined {
  if (typeof err !== "object" || err === null || !("data" in err)) return undefined;
  const data = (err as { data: unknown }).data;
  return typeof data === "object" && data !== null ? (data as ErrorData) : undefined;
}

/** The API's appCode of a tRPC client error, when the server sent one. */
export function appCodeOf(err: unknown): TAppCode | undefined {
  const code = dataOf(err)?.appCode;
  return typeof code === "string" && code in TEXT ? (code as TAppCode) : undefined;
}

/** The shopper's sentence for an appCode. */
export function appCodeText(code: TAppCode): string {
  return TEXT[code];
}

/** The shopper's sentence for an error thrown by an API call. */
export function errorText(err: unknown): string {
  const appCode = appCodeOf(err);
  if (appCode) return TEXT[appCode];
  const data = dataOf(err);
  // No tRPC error data at all: the request never got an answer from the API (wx.request failed, proxy page).
  if (!data) return NETWORK_TEXT;
  if (data.code === "TOO_MANY_REQUESTS") return TEXT.TOO_MANY_REQUESTS;
  return FALLBACK_TEXT;
}
