// The part of the mini-program's `wx` object the shared runtime uses. Declared here (not taken from
// miniprogram-api-typings) so the runtime also runs in Node against the simulator's `wx` shim.

export type WxError = { errMsg: string };

export type WxRequestSuccess = {
  statusCode: number;
  /** JSON-parsed when the body is JSON (wx.request's default dataType), else the raw text. */
  data: unknown;
  header?: Record<string, string>;
};

export type WxRequestOptions = {
  url: string;
  method?: "GET" | "POST";
  /** A string body is sent as is; wx.request would serialise an object itself (as a query string on GET). */
  data?: string;
  header?: Record<string, string>;
  timeout?: number;
  success?: (res: WxRequestSuccess) => void;
  fail?: (err: WxError) => void;
};

export type WxRequestTask = { abort(): void };

export type WxLoginOptions = {
  timeout?: number;
  success?: (res: { code: string; errMsg: string }) => void;
  fail?: (err: WxError) => void;
};

export type WxRequestPaymentOptions = {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: "MD5" | "HMAC-SHA256" | "RSA";
  paySign: string;
  success?: (res: WxError) => void;
  fail?: (err: WxError) => void;
};

export type WxLike = {
  request(options: WxRequestOptions): WxRequestTask | void;
  login(options: WxLoginOptions): void;
  requestPayment(options: WxRequestPaymentOptions): void;
  getStorageSync?(key: string): unknown;
  setStorageSync?(key: string, value: unknown): void;
  removeStorageSync?(key: string): void;
};
