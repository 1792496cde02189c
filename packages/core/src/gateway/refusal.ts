// WeChat said no — in either API's words. Use cases decide on the remedy; only this border knows the two error classes.
import type { TRemedy } from "@wxpay/wechatpay";
import { WechatPayApiError, WechatPayTransportError } from "@wxpay/wechatpay";
import { WechatPayV3ApiError } from "@wxpay/wechatpay/v3";

export type TRefusal = {
  /** WeChat's code (v2 err_code or return-level code, v3 `code`). */
  code: string;
  remedy: TRemedy;
  retryable: boolean;
  hint: string;
  /** WeChat's own wording, if any. */
  said: string;
  /** WeChat says the order is closed (v2 ORDERCLOSED, v3 ORDER_CLOSED). */
  orderClosed: boolean;
};

export function refusalOf(err: unknown): TRefusal | undefined {
  if (err instanceof WechatPayApiError) {
    return {
      code: err.code,
      remedy: err.remedy,
      retryable: err.retryable,
      hint: err.hint,
      said: err.errCodeDes || err.returnMsg || "",
      orderClosed: err.errCode === "ORDERCLOSED",
    };
  }
  // WeChat: 4xx means the request itself was refused (reference §8: "do not retry as-is"), even when what answered
  // was a gateway in front of WeChat that sent no error body — nothing was created there, and re-sending the same
  // bytes gets the same answer. 429 and 5xx stay retryable (the client marks them so).
  if (
    err instanceof WechatPayTransportError &&
    err.code === "HTTP_STATUS" &&
    !err.retryable &&
    err.status !== undefined &&
    err.status >= 400 &&
    err.status < 500
  ) {
    return {
      code: `HTTP_${err.status}`,
      remedy: err.remedy,
      retryable: false,
      hint: "请求被拒绝（无微信错误报文），请检查商户配置与请求",
      said: "",
      orderClosed: false,
    };
  }
  if (err instanceof WechatPayV3ApiError) {
    return {
      code: err.code,
      remedy: err.remedy,
      retryable: err.retryable,
      hint: err.hint,
      said: err.wechatMessage,
      orderClosed: err.code === "ORDER_CLOSED",
    };
  }
  return undefined;
}
