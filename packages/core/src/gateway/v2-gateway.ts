// The API v2 adapter: unifiedorder / orderquery / closeorder / refund / refundquery / downloadbill, XML signed with the
// merchant's APIv2 key, translated into the gateway's vocabulary.
import type { PayClient, SignType } from "@wxpay/wechatpay";
import { isSignType, jsapiPayParams, WechatPayApiError } from "@wxpay/wechatpay";

import type { PaymentGateway, TGatewayOrder } from "./payment-gateway";

export function createV2Gateway(opts: { pay: PayClient; key: string; signType: SignType }): PaymentGateway {
  const { pay } = opts;
  return {
    version: "v2",

    prepareOrder(order: TGatewayOrder) {
      const common = {
        appId: order.appId,
        outTradeNo: order.outTradeNo,
        body: order.description,
        totalFeeFen: order.amountFen,
        notifyUrl: order.notifyUrl,
        spbillCreateIp: order.clientIp,
        timeExpire: order.timeExpire,
        attach: order.attach,
      };
      const prepared = pay.prepareUnifiedOrder(
        order.tradeType === "MWEB"
          ? {
              ...common,
              tradeType: "MWEB",
              sceneInfo: { type: "Wap", wapUrl: order.wapUrl, wapName: order.wapName },
            }
          : order.tradeType === "NATIVE"
            ? { ...common, tradeType: "NATIVE", productId: order.productId }
            : { ...common, tradeType: "JSAPI", openid: order.openid },
      );
      return { request: prepared.body, signType: opts.signType };
    },

    async sendOrder({ request }) {
      const r = await pay.sendUnifiedOrder(request);
      return {
        prepayId: r.prepayId,
        prepayExpiresAt: r.prepayIdExpiresAt,
        mwebUrl: r.tradeType === "MWEB" ? r.mwebUrl : null,
        mwebExpiresAt: r.tradeType === "MWEB" ? r.mwebUrlExpiresAt : null,
        codeUrl: r.tradeType === "NATIVE" ? r.codeUrl : null,
      };
    },

    payParams({ appId, prepayId, signType }) {
      // WeChat: paySign's signType "需与统一下单的签名类型一致" — the attempt's, whatever is configured today.
      return jsapiPayParams({
        appId,
        prepayId,
        key: opts.key,
        signType: isSignType(signType) ? signType : opts.signType,
      });
    },

    async queryOrder(ref) {
      try {
        const q = await pay.orderQuery(ref);
        return {
          found: true,
          tradeState: q.tradeState,
          ...(q.tradeStateDesc !== undefined ? { tradeStateDesc: q.tradeStateDesc } : {}),
          appId: q.appId,
          mchId: q.mchId,
          outTradeNo: q.outTradeNo,
          ...(q.transactionId !== undefined ? { transactionId: q.transactionId } : {}),
          ...(q.totalFeeFen !== undefined ? { totalFeeFen: q.totalFeeFen } : {}),
          ...(q.feeType !== undefined ? { feeType: q.feeType } : {}),
          ...(q.paidAt !== undefined ? { paidAt: q.paidAt } : {}),
        };
      } catch (err) {
        // WeChat: ORDERNOTEXIST — unifiedorder never reached it (or timed out before it did).
        if (err instanceof WechatPayApiError && err.code === "ORDERNOTEXIST") return { found: false };
        throw err;
      }
    },

    async closeOrder(ref) {
      await pay.closeOrder(ref);
    },

    async refund(r) {
      const accepted = await pay.refund({
        outTradeNo: r.outTradeNo,
        appId: r.appId,
        outRefundNo: r.outRefundNo,
        totalFeeFen: r.totalFen,
        refundFeeFen: r.refundFen,
        notifyUrl: r.notifyUrl,
        ...(r.reason ? { refundDesc: r.reason.slice(0, 80) } : {}),
      });
      return { refundId: accepted.refundId };
    },

    async queryRefund(ref) {
      try {
        const q = await pay.refundQuery(ref);
        return {
          found: true,
          outTradeNo: q.outTradeNo,
          transactionId: q.transactionId,
          totalFeeFen: q.totalFeeFen,
          refunds: q.refunds.map((x) => ({
            outRefundNo: x.outRefundNo,
            refundId: x.refundId,
            refundFeeFen: x.refundFeeFen,
            refundStatus: x.refundStatus,
            ...(x.refundSuccessAt ? { refundSuccessAt: x.refundSuccessAt } : {}),
          })),
        };
      } catch (err) {
        // WeChat: REFUNDNOTEXIST — the refund request never got through.
        if (err instanceof WechatPayApiError && err.errCode === "REFUNDNOTEXIST") return { found: false };
        throw err;
      }
    },

    async tradeBill({ billDate }) {
      try {
        const bill = await pay.downloadBill({ billDate, billType: "ALL" });
        return bill.rows.map((r) => ({
          tradeState: r.tradeState,
          outTradeNo: r.outTradeNo,
          transactionId: r.transactionId,
          ...(r.totalFeeFen !== undefined ? { totalFeeFen: r.totalFeeFen } : {}),
          ...(r.outRefundNo ? { outRefundNo: r.outRefundNo } : {}),
          ...(r.refundId ? { refundId: r.refundId } : {}),
        }));
      } catch (err) {
        // WeChat: "No Bill Exist" — no trade that day; anything else (e.g. "Bill Creating") is the caller's to retry.
        if (err instanceof WechatPayApiError && err.remedy === "NOT_FOUND") return [];
        throw err;
      }
    },
  };
}
