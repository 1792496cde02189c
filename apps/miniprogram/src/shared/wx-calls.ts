// wx.login and wx.requestPayment as promises, with WeChat's outcome strings read the way WeChat documents them.
import type { TMiniPayParams } from "./types";
import type { WxLike } from "./wx-types";

/** wx.login → the one-time code for miniLogin. */
export function wxLogin(wx: WxLike): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) =>
        res.code ? resolve(res.code) : reject(new Error(res.errMsg || "login:fail no code")),
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
}

/**
 * What the shopper did in WeChat's pay sheet. Only a hint: `ok` is not proof of payment (the order's status
 * from the server is), and `cancel` means the order is still unpaid and may be paid again.
 */
export type TPaymentHint = "ok" | "cancel" | "fail";

export type TPaymentOutcome = { hint: TPaymentHint; errMsg: string };

/** WeChat: success is `requestPayment:ok`; the shopper closing the sheet is `requestPayment:fail cancel`. */
export function paymentHint(errMsg: string): TPaymentHint {
  if (errMsg === "requestPayment:ok") return "ok";
  if (/^requestPayment:fail[ :]*cancel/.test(errMsg)) return "cancel";
  return "fail";
}

export function wxRequestPayment(wx: WxLike, params: TMiniPayParams): Promise<TPaymentOutcome> {
  return new Promise((resolve) => {
    wx.requestPayment({
      timeStamp: params.timeStamp,
      nonceStr: params.nonceStr,
      package: params.package,
      signType: params.signType,
      paySign: params.paySign,
      success: (res) => resolve({ hint: paymentHint(res.errMsg || "requestPayment:ok"), errMsg: res.errMsg }),
      fail: (err) => resolve({ hint: paymentHint(err.errMsg), errMsg: err.errMsg }),
    });
  });
}
