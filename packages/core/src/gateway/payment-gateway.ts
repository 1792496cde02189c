// The one border between the shop and WeChat Pay: use cases speak this vocabulary, and one adapter per API version
// (v2: XML + MD5/HMAC, v3: JSON + RSA) translates it to and from the wire. Nothing outside the adapters sees either.
// Failures stay the protocol package's typed errors (WechatPayApiError with its remedy, WechatPayTransportError),
// which both versions share.

export type TApiVersion = "v2" | "v3";

export type TTradeType = "MWEB" | "JSAPI" | "NATIVE";

/** One order as the shop wants it paid; the adapter turns it into the version's request body. */
export type TGatewayOrder = {
  appId: string;
  outTradeNo: string;
  description: string;
  amountFen: number;
  notifyUrl: string;
  clientIp: string;
  timeExpire: Date;
  attach: string;
} & (
  | { tradeType: "MWEB"; wapUrl: string; wapName: string }
  | { tradeType: "JSAPI"; openid: string }
  | { tradeType: "NATIVE"; productId: string }
);

/** The exact request to store before sending: a retry re-sends these bytes (both versions require it). */
export type TPreparedOrder = { request: string; signType: string };

export type TPrepayReply = {
  prepayId: string;
  prepayExpiresAt: Date;
  mwebUrl: string | null;
  mwebExpiresAt: Date | null;
  codeUrl: string | null;
};

export type TTradeState = "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR";

/** What a signed query answer says about one out_trade_no. */
export type TPaymentState =
  | { found: false }
  | {
      found: true;
      tradeState: TTradeState;
      tradeStateDesc?: string;
      appId: string;
      mchId: string;
      outTradeNo: string;
      transactionId?: string;
      totalFeeFen?: number;
      feeType?: string;
      paidAt?: Date;
    };

export type TGatewayRefund = {
  appId: string;
  outTradeNo: string;
  outRefundNo: string;
  /** This refund's amount. */
  refundFen: number;
  /** The payment's total, which WeChat checks the refund against. */
  totalFen: number;
  notifyUrl: string;
  reason?: string;
};

export type TRefundStatus = "SUCCESS" | "REFUNDCLOSE" | "PROCESSING" | "CHANGE";

export type TRefundState =
  | { found: false }
  | {
      found: true;
      outTradeNo: string;
      transactionId: string;
      totalFeeFen: number;
      refunds: {
        outRefundNo: string;
        refundId: string;
        refundFeeFen: number;
        refundStatus: TRefundStatus;
        refundSuccessAt?: Date;
      }[];
    };

/** One line of the daily trade bill (WeChat's hash checked by the adapter). */
export type TBillLine = {
  tradeState: string;
  outTradeNo: string;
  transactionId: string;
  totalFeeFen?: number;
  outRefundNo?: string;
  refundId?: string;
};

/** WeixinJSBridge getBrandWCPayRequest parameters; the mini-program's wx.requestPayment takes them without appId. */
export type TJsapiPayParams = {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  /** v2: MD5 or HMAC-SHA256 (the attempt's); v3: RSA. */
  signType: "MD5" | "HMAC-SHA256" | "RSA";
  paySign: string;
};
export type TMiniPayParams = Omit<TJsapiPayParams, "appId">;

export type PaymentGateway = {
  readonly version: TApiVersion;
  prepareOrder(order: TGatewayOrder): TPreparedOrder;
  sendOrder(prepared: { request: string; tradeType: string }): Promise<TPrepayReply>;
  /** JSAPI / mini-program pay parameters for a prepay_id, signed as the attempt was. */
  payParams(input: { appId: string; prepayId: string; signType: string }): TJsapiPayParams;
  queryOrder(ref: { appId: string; outTradeNo: string }): Promise<TPaymentState>;
  /** Resolves once WeChat's order is closed (or was already). */
  closeOrder(ref: { appId: string; outTradeNo: string }): Promise<void>;
  refund(input: TGatewayRefund): Promise<{ refundId: string }>;
  queryRefund(ref: { appId: string; outRefundNo: string }): Promise<TRefundState>;
  /** The day's bill (yyyyMMdd, Beijing); empty when WeChat has no bill for a day without trades. */
  tradeBill(input: { billDate: string }): Promise<TBillLine[]>;
};

/** The adapters of this shop: `current` makes new attempts and refunds; `of` serves whatever an old row says. */
export type PaymentGateways = {
  current: TApiVersion;
  of(version: TApiVersion): PaymentGateway;
};

export function gatewayFor(
  deps: { gateways: PaymentGateways },
  version?: TApiVersion | null,
): PaymentGateway {
  return deps.gateways.of(version ?? deps.gateways.current);
}
