// What can still be refunded of each paid attempt: its amount less the refunds that succeeded, changed or are asked.
import type { TPaymentAttemptRow, TRefundRow } from "@wxpay/db/schema";

export type TRefundable = { attemptId: string; outTradeNo: string; paidFen: number; leftFen: number };

export function refundableOf(
  attempts: Pick<TPaymentAttemptRow, "id" | "outTradeNo" | "status" | "amountFen">[],
  refundRows: Pick<TRefundRow, "attemptId" | "status" | "refundFeeFen">[],
): TRefundable[] {
  return attempts
    .filter((a) => a.status === "PAID")
    .map((a) => {
      const gone = refundRows
        .filter(
          (r) =>
            r.attemptId === a.id &&
            (r.status === "SUCCESS" || r.status === "CHANGE" || r.status === "REQUESTED"),
        )
        .reduce((s, r) => s + r.refundFeeFen, 0);
      return { attemptId: a.id, outTradeNo: a.outTradeNo, paidFen: a.amountFen, leftFen: a.amountFen - gone };
    });
}
