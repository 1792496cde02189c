// Development against the local simulator: WeChat's own wx.login and wx.requestPayment cannot sign in to or pay
// the simulator's sandbox merchant, so in DevTools these two calls go to the simulator over wx.request (the same
// back end the simulator's Node `wx` shim uses) and the shopper picks 支付 / 取消 / 失败 in an action sheet.
import type { WxLike, WxRequestSuccess } from "./wx-types";

export type SimulatorWxOptions = {
  url: string;
  appId: string;
  userId: string;
  /** Asks the shopper what to do in the simulated pay sheet. */
  choose: () => Promise<"ok" | "cancel" | "fail">;
};

function postJson(wx: WxLike, url: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    wx.request({
      url,
      method: "POST",
      header: { "content-type": "application/json" },
      data: JSON.stringify(body),
      success: (res: WxRequestSuccess) => {
        const data = typeof res.data === "string" ? (JSON.parse(res.data) as unknown) : res.data;
        if (typeof data === "object" && data !== null) resolve(data as Record<string, unknown>);
        else reject(new Error(`simulator answered HTTP ${res.statusCode}`));
      },
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
}

export function simulatorWx(wx: WxLike, opts: SimulatorWxOptions): WxLike {
  const base = opts.url.replace(/\/+$/, "");
  return {
    ...wx,
    request: (o) => wx.request(o),
    login(o) {
      postJson(wx, `${base}/__sim/wx/login`, { appId: opts.appId, userId: opts.userId }).then(
        (r) =>
          typeof r.code === "string"
            ? o.success?.({ code: r.code, errMsg: "login:ok" })
            : o.fail?.({ errMsg: String(r.errMsg ?? "login:fail") }),
        (err: Error) => o.fail?.({ errMsg: `login:fail ${err.message}` }),
      );
    },
    requestPayment(o) {
      const { success, fail, ...params } = o;
      opts
        .choose()
        .then((action) =>
          postJson(wx, `${base}/__sim/wx/request-payment`, {
            ...params,
            appId: opts.appId,
            userId: opts.userId,
            action,
          }),
        )
        .then(
          (r) => {
            const errMsg = String(r.errMsg ?? "requestPayment:fail");
            if (errMsg === "requestPayment:ok") success?.({ errMsg });
            else fail?.({ errMsg });
          },
          (err: Error) => fail?.({ errMsg: `requestPayment:fail ${err.message}` }),
        );
    },
  };
}
