// An operator closes a review with a note (required): the payments the order keeps at that moment are accepted and
// the anomalies recorded so far are settled; the order returns to what its payments say. Money that arrives later
// opens a new review.
import { and, eq } from "drizzle-orm";

import { orderEvents, orders, paymentAttempts, refunds } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { recordAudit } from "../operators/audit";
import type { TOperatorSession } from "../operators/operator-session";
import { REVIEW_RESOLVED_EVENT, statusFromPayments } from "../refunds/status-from-payments";

export async function resolveReview(
  deps: CoreDeps,
  session: TOperatorSession,
  input: { orderId: string; note: string; ip: string },
): Promise<{ orderId: string; status: string }> {
  const note = input.note.trim();
  if (note.length < 2) throw new CoreError("BAD_INPUT", "请写明处理说明");
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, input.orderId)).for("update");
    if (!order) throw new CoreError("NOT_FOUND", "订单不存在");
    if (order.status !== "PAID_NEEDS_REVIEW") throw new CoreError("BAD_INPUT", "这笔订单不在待核对状态");
    const paid = await tx
      .select({ id: paymentAttempts.id, amountFen: paymentAttempts.amountFen })
      .from(paymentAttempts)
      .where(and(eq(paymentAttempts.orderId, order.id), eq(paymentAttempts.status, "PAID")));
    const refundRows = await tx.select().from(refunds).where(eq(refunds.orderId, order.id));
    const accepted = paid
      .filter(
        (p) =>
          refundRows
            .filter((r) => r.attemptId === p.id && r.status === "SUCCESS")
            .reduce((s, r) => s + r.refundFeeFen, 0) < p.amountFen,
      )
      .map((p) => p.id);
    await tx.insert(orderEvents).values({
      orderId: order.id,
      type: REVIEW_RESOLVED_EVENT,
      source: "operator",
      data: { note, acceptedAttemptIds: accepted, by: session.operator.username },
    });
    const next = await statusFromPayments(tx, order);
    if (next === "PAID_NEEDS_REVIEW") throw new Error("a resolved review must leave review");
    await tx.update(orders).set({ status: next, updatedAt: now }).where(eq(orders.id, order.id));
    await recordAudit(
      tx,
      {
        operatorId: session.operator.id,
        username: session.operator.username,
        action: "RESOLVE_REVIEW",
        ip: input.ip,
        orderId: order.id,
        data: { note, from: order.status, to: next, acceptedAttemptIds: accepted },
      },
      now,
    );
    return { orderId: order.id, status: next };
  });
}
