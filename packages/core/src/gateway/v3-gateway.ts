// The API v3 adapter: JSON requests signed with the merchant key, answers verified (WeChat Pay public key or platform
// certificates), translated into the gateway's vocabulary. The stored request is the shop's own order as JSON: a retry
// rebuilds the same body from it (WeChat v3 re-entry, like v2's, requires the same parameters).
import type { TV3Merchant } from "@wxpay/wechatpay/v3";
import { parseBill } from "@wxpay/wechatpay";

import { refusalOf } from "./refusal";
import type { PaymentGateway, TGatewayOrder, TRefundStatus, TTradeState } from "./payment-gateway";

// WeChat: prepay_id and code_url are valid for 2 hours; h5_url for 5 minutes.
const PREPAY_TTL_MS = 2 * 3600_000;
const H5_URL_TTL_MS = 5 * 60_000;

const REFUND_STATUS: Record<string, TRefundStatus> = {
  SUCCESS: "SUCCESS",
  CLOSED: "REFUNDCLOSE",
  PROCESSING: "PROCESSING",
  ABNORMAL: "CHANGE",
};

function isNotFound(err: unknown): boolean {
  return refusalOf(err)?.remedy === "NOT_FOUND";
}

export function createV3Gateway(opts: { merchant: TV3Merchant; now: () => Date }): PaymentGateway {
  const { client } = opts.merchant;
  return {
    version: "v3",

    prepareOrder(order: TGatewayOrder) {
      return { request: JSON.stringify(order), signType: "RSA" };
    },

    async sendOrder({ request }) {
      const raw = JSON.parse(request) as TGatewayOrder & { timeExpire: string };
      const o = {
        appId: raw.appId,
        outTradeNo: raw.outTradeNo,
        description: raw.description,
        amount: { totalFen: raw.amountFen },
        notifyUrl: raw.notifyUrl,
        timeExpire: new Date(raw.timeExpire),
        attach: raw.attach,
      };
      const at = opts.now().getTime();
      const base = {
        prepayExpiresAt: new Date(at + PREPAY_TTL_MS),
        mwebUrl: null,
        mwebExpiresAt: null,
        codeUrl: null,
      };
      if (raw.tradeType === "MWEB") {
        const { h5Url } = await client.h5Prepay({
          ...o,
          payerClientIp: raw.clientIp,
          h5Type: "Wap",
          appName: raw.wapName,
          appUrl: raw.wapUrl,
        });
        // v3 H5 has no prepay_id; the out_trade_no names the attempt at WeChat.
        return {
          ...base,
          prepayId: raw.outTradeNo,
          mwebUrl: h5Url,
          mwebExpiresAt: new Date(at + H5_URL_TTL_MS),
        };
      }
      if (raw.tradeType === "NATIVE") {
        const { codeUrl } = await client.nativePrepay({ ...o, payerClientIp: raw.clientIp });
        return { ...base, prepayId: raw.outTradeNo, codeUrl };
      }
      const { prepayId } = await client.jsapiPrepay({
        ...o,
        payerOpenid: raw.openid,
        payerClientIp: raw.clientIp,
      });
      return { ...base, prepayId };
    },

    payParams({ appId, prepayId }) {
      const p = opts.merchant.jsapiPayParams(appId, prepayId);
      return { ...p, signType: p.signType };
    },

    async queryOrder(ref) {
      try {
        const t = await client.queryByOutTradeNo(ref.outTradeNo);
        // WeChat v3: ACCEPT — received, waiting for the debit: still unpaid, like USERPAYING.
        const tradeState: TTradeState = t.tradeState === "ACCEPT" ? "USERPAYING" : t.tradeState;
        return {
          found: true,
          tradeState,
          ...(t.tradeStateDesc !== undefined ? { tradeStateDesc: t.tradeStateDesc } : {}),
          appId: t.appId,
          mchId: t.mchId,
          outTradeNo: t.outTradeNo,
          ...(t.transactionId !== undefined ? { transactionId: t.transactionId } : {}),
          ...(t.totalFen !== undefined ? { totalFeeFen: t.totalFen } : {}),
          ...(t.currency !== undefined ? { feeType: t.currency } : {}),
          ...(t.paidAt !== undefined ? { paidAt: t.paidAt } : {}),
        };
      } catch (err) {
        if (isNotFound(err)) return { found: false };
        throw err;
      }
    },

    async closeOrder(ref) {
      await client.closeOrder(ref.outTradeNo);
    },

    async refund(r) {
      const accepted = await client.refund({
        outTradeNo: r.outTradeNo,
        outRefundNo: r.outRefundNo,
        refundFen: r.refundFen,
        totalFen: r.totalFen,
        notifyUrl: r.notifyUrl,
        ...(r.reason ? { reason: r.reason.slice(0, 80) } : {}),
      });
      return { refundId: accepted.refundId };
    },

    async queryRefund(ref) {
      try {
        const x = await client.queryRefund(ref.outRefundNo);
        return {
          found: true,
          outTradeNo: x.outTradeNo,
          transactionId: x.transactionId,
          totalFeeFen: x.totalFen,
          refunds: [
            {
              outRefundNo: x.outRefundNo,
              refundId: x.refundId,
              refundFeeFen: x.refundFen,
              refundStatus: REFUND_STATUS[x.status] ?? "PROCESSING",
              ...(x.succeededAt ? { refundSuccessAt: x.succeededAt } : {}),
            },
          ],
        };
      } catch (err) {
        if (isNotFound(err)) return { found: false };
        throw err;
      }
    },

    async tradeBill({ billDate }) {
      let file: Buffer;
      try {
        // yyyyMMdd → yyyy-MM-dd; the file is checked against WeChat's SHA1 hash_value by the client.
        const info = await client.tradeBill({
          billDate: `${billDate.slice(0, 4)}-${billDate.slice(4, 6)}-${billDate.slice(6, 8)}`,
          billType: "ALL",
        });
        file = await client.downloadBill(info);
      } catch (err) {
        if (isNotFound(err)) return [];
        throw err;
      }
      return parseBill(file.toString("utf8")).rows.map((r) => ({
        tradeState: r.tradeState,
        outTradeNo: r.outTradeNo,
        transactionId: r.transactionId,
        ...(r.totalFeeFen !== undefined ? { totalFeeFen: r.totalFeeFen } : {}),
        ...(r.outRefundNo ? { outRefundNo: r.outRefundNo } : {}),
        ...(r.refundId ? { refundId: r.refundId } : {}),
      }));
    },
  };
}
