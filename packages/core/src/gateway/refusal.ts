// WeChat said no — in either API's words. Use cases decide on the remedy; only this border knows the two error classes.
import type { TRemedy } from "@wxpay/wechatpay";
import { WechatPayApiError } from "@wxpay/wechatpay";
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
