// The daily bill check (WeChat: download the previous day's bill after 10:00 Beijing time, kept 3 months):
// every SUCCESS trade in WeChat's bill must be a paid attempt here with the same transaction_id and amount, and
// every attempt paid that day must be in the bill. A trade paid at WeChat but not here is applied through the
// notify's transition (via a signed orderquery); everything else that differs is reported and alerted.
import { and, eq, gte, lt } from "drizzle-orm";

import { paymentAttempts, refunds } from "@wxpay/db";
import { parseBeijingTime } from "@wxpay/wechatpay";

import type { CoreDeps } from "../deps";
import type { TBillLine } from "../gateway/payment-gateway";
import { gatewayFor } from "../gateway/payment-gateway";
import { syncAttempt } from "../payments/sync-attempt";
import { recordRefundFact } from "../refunds/import-refund";

export type TBillDifference =
  | { kind: "APPLIED_FROM_BILL"; outTradeNo: string; transactionId: string }
  | { kind: "UNKNOWN_TRADE"; outTradeNo: string; transactionId: string; totalFeeFen?: number }
  | { kind: "AMOUNT_DIFFERS"; outTradeNo: string; billFen?: number; ourFen: number }
  | { kind: "TRANSACTION_DIFFERS"; outTradeNo: string; bill: string; ours: string | null }
  | { kind: "MISSING_FROM_BILL"; outTradeNo: string; transactionId: string | null }
  /** A refund in the bill this shop had no row for (started on the merchant platform), imported via refundquery. */
  | { kind: "REFUND_IMPORTED"; outTradeNo: string; outRefundNo: string }
  | { kind: "UNKNOWN_REFUND"; outTradeNo: string; outRefundNo: string };

export type TBillCheck = {
  billDate: string;
  trades: number;
  matched: number;
  differences: TBillDifference[];
};

export async function reconcileBill(deps: CoreDeps, input: { billDate: string }): Promise<TBillCheck> {
  const dayStart = parseBeijingTime(`${input.billDate}000000`);
  const dayEnd = new Date(dayStart.getTime() + 24 * 3600_000);
  // One bill per merchant, whichever API made its trades: the current adapter fetches it (hash checked there).
  const rows = await gatewayFor(deps).tradeBill({ billDate: input.billDate });
  const paidInBill = rows.filter((r) => r.tradeState === "SUCCESS");
  const differences: TBillDifference[] = [];
  let matched = 0;

  for (const row of paidInBill) {
    const [attempt] = await deps.db
      .select()
      .from(paymentAttempts)
      .where(eq(paymentAttempts.outTradeNo, row.outTradeNo));
    if (!attempt) {
      differences.push({
        kind: "UNKNOWN_TRADE",
        outTradeNo: row.outTradeNo,
        transactionId: row.transactionId,
        ...(row.totalFeeFen !== undefined ? { totalFeeFen: row.totalFeeFen } : {}),
      });
      continue;
    }
    if (row.totalFeeFen !== attempt.amountFen) {
      differences.push({
        kind: "AMOUNT_DIFFERS",
        outTradeNo: row.outTradeNo,
        billFen: row.totalFeeFen,
        ourFen: attempt.amountFen,
      });
      continue;
    }
    if (attempt.transactionId === row.transactionId) {
      matched += 1;
      continue;
    }
    if (attempt.transactionId === null) {
      // Paid at WeChat, not here: neither the notify nor the sweeps got it. The bill is not signed, so the
      // payment is applied from a signed orderquery, never from the bill itself.
      const synced = await syncAttempt(deps, attempt).catch(() => undefined);
      if (synced?.kind === "paid") {
        differences.push({
          kind: "APPLIED_FROM_BILL",
          outTradeNo: row.outTradeNo,
          transactionId: row.transactionId,
        });
        continue;
      }
    }
    differences.push({
      kind: "TRANSACTION_DIFFERS",
      outTradeNo: row.outTradeNo,
      bill: row.transactionId,
      ours: attempt.transactionId,
    });
  }

  const inBill = new Set(paidInBill.map((r) => r.outTradeNo));
  const paidHere = await deps.db
    .select({ outTradeNo: paymentAttempts.outTradeNo, transactionId: paymentAttempts.transactionId })
    .from(paymentAttempts)
    .where(and(gte(paymentAttempts.paidAt, dayStart), lt(paymentAttempts.paidAt, dayEnd)));
  for (const a of paidHere) {
    if (!inBill.has(a.outTradeNo)) differences.push({ kind: "MISSING_FROM_BILL", ...a });
  }

  differences.push(...(await importBillRefunds(deps, rows)));

  for (const d of differences) deps.log.alert("bill difference", { billDate: input.billDate, ...d });
  return { billDate: input.billDate, trades: paidInBill.length, matched, differences };
}

/**
 * Refund rows of the bill with no refund row here: refunds started on the merchant platform whose notify never came.
 * The bill is not signed, so each is learnt from a signed refundquery and imported through the refund notify's path.
 */
async function importBillRefunds(deps: CoreDeps, rows: TBillLine[]): Promise<TBillDifference[]> {
  const out: TBillDifference[] = [];
  for (const row of rows) {
    const outRefundNo = row.outRefundNo;
    if (!row.refundId || !outRefundNo) continue;
    const [known] = await deps.db
      .select({ outRefundNo: refunds.outRefundNo })
      .from(refunds)
      .where(eq(refunds.outRefundNo, outRefundNo));
    if (known) continue;
    const [attempt] = await deps.db
      .select({ appid: paymentAttempts.appid, apiVersion: paymentAttempts.apiVersion })
      .from(paymentAttempts)
      .where(eq(paymentAttempts.outTradeNo, row.outTradeNo));
    const found = attempt
      ? await gatewayFor(deps, attempt.apiVersion)
          .queryRefund({ outRefundNo, appId: attempt.appid })
          .catch(() => undefined)
      : undefined;
    const q = found?.found ? found : undefined;
    const item = q?.refunds.find((x) => x.outRefundNo === outRefundNo);
    if (!q || !item || item.refundStatus === "PROCESSING") {
      out.push({ kind: "UNKNOWN_REFUND", outTradeNo: row.outTradeNo, outRefundNo });
      continue;
    }
    const status = item.refundStatus;
    const r = await deps.db.transaction((tx) =>
      recordRefundFact(
        tx,
        {
          outRefundNo,
          refundId: item.refundId,
          outTradeNo: q.outTradeNo,
          transactionId: q.transactionId,
          totalFeeFen: q.totalFeeFen,
          refundFeeFen: item.refundFeeFen,
          status,
          ...(item.refundSuccessAt ? { succeededAt: item.refundSuccessAt } : {}),
          source: "refundquery",
        },
        deps.now(),
        deps.log,
      ),
    );
    out.push({
      kind: r.kind === "imported" ? "REFUND_IMPORTED" : "UNKNOWN_REFUND",
      outTradeNo: row.outTradeNo,
      outRefundNo,
    });
  }
  return out;
}
