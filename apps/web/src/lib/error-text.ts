// What a shopper reads when something goes wrong: one Chinese sentence per API error code (the `appCode` of
// the shop API), never the code itself, a tRPC code or a stack trace.

import type { TAppCode } from "@wxpay/api";

export type { TAppCode };

const TEXT: Record<TAppCode, string> = {
  NOT_FOUND: "没有找到这笔订单。订单只能在下单时使用的浏览器里查看，请从「我的订单」进入。",
  UNKNOWN_SKU: "这件商品已下架或暂不销售，请刷新页面后重新选择。",
  BAD_INPUT: "请求的内容有误，请返回上一页重新操作。",
  OAUTH_REQUIRED: "需要先确认你的微信身份，正在跳转…",
  LOGIN_REQUIRED: "登录已过期，请重新进入本店。",
  ORDER_PAID: "这笔订单已经支付成功，无需重复付款。",
  ORDER_CLOSED: "这笔订单已关闭（超时未支付或已取消），没有扣款。如需购买，请重新下单。",
  WECHAT_BUSY: "微信支付暂时繁忙，请稍等几秒后再试。",
  WECHAT_REJECTED: "微信支付暂时无法受理这笔订单，请稍后再试；多次失败请联系客服。",
  URL_NOT_ALLOWED: "当前页面地址无法使用微信支付，请从本店首页重新进入。",
  TOO_MANY_REQUESTS: "操作太频繁了，请稍等片刻再试。",
  REFUNDS_DISABLED: "本店暂不支持在线退款，请联系客服。",
  TOO_MANY_OPEN_ORDERS:
    "你还有好几笔未支付的订单。请先到「我的订单」完成支付，或等未支付的订单自动关闭（30 分钟）后再下单。",
  FORBIDDEN: "你的账号没有执行这项操作的权限，请联系管理员。",
  PASSWORD_CHANGE_REQUIRED: "请先修改初始密码，再继续使用后台。",
  LAST_ADMIN: "至少要保留一位启用的管理员：不能停用或降级最后一位管理员。",
};

export const NETWORK_ERROR_TEXT = "网络好像不太稳定，请检查网络后重试。";
export const UNKNOWN_ERROR_TEXT = "出了点问题，请稍后重试。";

function isAppCode(code: unknown): code is TAppCode {
  return typeof code === "string" && Object.hasOwn(TEXT, code);
}

/** The shop API's `appCode` carried by a tRPC client error (`error.data.appCode`), when there is one. */
export function appCodeOf(error: unknown): TAppCode | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const data = (error as { data?: unknown }).data;
  if (typeof data !== "object" || data === null) return undefined;
  const code = (data as { appCode?: unknown }).appCode;
  return isAppCode(code) ? code : undefined;
}

/** A tRPC client error with no response data is a transport failure (offline, timeout, proxy page). */
function isNetworkFailure(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { data?: unknown; name?: unknown };
  return e.name === "TRPCClientError" && (e.data === undefined || e.data === null);
}

/** The sentence to show for a failed call. */
export function errorText(error: unknown): string {
  const code = appCodeOf(error);
  if (code) return TEXT[code];
  if (isNetworkFailure(error)) return NETWORK_ERROR_TEXT;
  return UNKNOWN_ERROR_TEXT;
}

export function textForAppCode(code: TAppCode): string {
  return TEXT[code];
}
