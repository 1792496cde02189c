// The wire contract of every procedure: plain JSON, integers in fen, ISO-8601 dates. Inputs are strict, so a
// client-supplied price, amount or openid is a BAD_REQUEST, never silently ignored.
import { z } from "zod";

export const ZOrderId = z.string().regex(/^o_[0-9A-Za-z]{20,32}$/, "invalid order id");

export const ZOrderStatus = z.enum([
  "PENDING",
  "PAID",
  "CLOSED",
  "PAID_NEEDS_REVIEW",
  "REFUNDING",
  "REFUNDED",
  "PARTLY_REFUNDED",
]);
export type TOrderStatus = z.infer<typeof ZOrderStatus>;

// native: a desktop browser shows code_url as a QR code that the shopper scans with WeChat.
export const ZChannel = z.enum(["h5", "jsapi", "mini", "native"]);
export type TChannel = z.infer<typeof ZChannel>;

export const ZProduct = z.object({
  sku: z.string(),
  title: z.string(),
  description: z.string(),
  priceFen: z.number().int().positive(),
});

export const ZCreateOrderInput = z
  .object({
    items: z
      .array(
        z
          .object({
            sku: z.string().min(1).max(32),
            qty: z.number().int().min(1).max(99),
          })
          .strict(),
      )
      .min(1)
      .max(20),
  })
  .strict();

export const ZOrderItem = z.object({
  sku: z.string(),
  title: z.string(),
  qty: z.number().int().positive(),
  priceFen: z.number().int().positive(),
});

export const ZCreateOrderOutput = z.object({
  orderId: ZOrderId,
  amountFen: z.number().int().positive(),
  status: ZOrderStatus,
  expiresAt: z.string(),
});

export const ZPrepayInput = z.object({ orderId: ZOrderId, channel: ZChannel }).strict();

/** WeixinJSBridge getBrandWCPayRequest parameters (also usable, with lower-case `timestamp`, by wx.chooseWXPay). */
export const ZJsapiPayParams = z.object({
  appId: z.string(),
  timeStamp: z.string(),
  nonceStr: z.string(),
  package: z.string(),
  signType: z.enum(["MD5", "HMAC-SHA256", "RSA"]),
  paySign: z.string(),
});
/** wx.requestPayment parameters (the mini-program). */
export const ZMiniPayParams = z.object({
  timeStamp: z.string(),
  nonceStr: z.string(),
  package: z.string(),
  signType: z.enum(["MD5", "HMAC-SHA256", "RSA"]),
  paySign: z.string(),
});

export const ZPrepayOutput = z.discriminatedUnion("channel", [
  z.object({ channel: z.literal("h5"), mwebUrl: z.string() }),
  z.object({ channel: z.literal("jsapi"), payParams: ZJsapiPayParams }),
  z.object({ channel: z.literal("mini"), payParams: ZMiniPayParams }),
  // WeChat: code_url is what the QR code encodes, scanned with 扫一扫 only; valid 2 hours.
  z.object({ channel: z.literal("native"), codeUrl: z.string().min(1) }),
]);

export const ZJsConfigInput = z.object({ url: z.string().url().max(2048) }).strict();
export const ZJsConfigOutput = z.object({
  appId: z.string(),
  timestamp: z.number().int(),
  nonceStr: z.string(),
  signature: z.string(),
  jsApiList: z.array(z.string()),
});

export const ZOrderStatusInput = z.object({ orderId: ZOrderId }).strict();
export const ZOrderView = z.object({
  orderId: ZOrderId,
  status: ZOrderStatus,
  amountFen: z.number().int().positive(),
  paidAt: z.string().optional(),
  createdAt: z.string(),
  expiresAt: z.string(),
  items: z.array(ZOrderItem),
});

export const ZMyOrdersOutput = z.array(ZOrderView);

export const ZMiniLoginInput = z.object({ code: z.string().min(1).max(128) }).strict();
export const ZMiniLoginOutput = z.object({ token: z.string(), expiresAt: z.string() });

export const ZSessionOutput = z.object({
  /** Whether the H5 session already carries the official-account openid (JSAPI needs it). */
  hasOpenid: z.boolean(),
});

export const ZHandoffLinkOutput = z.object({ url: z.string(), expiresAt: z.string() });
