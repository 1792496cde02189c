// The one transition from "WeChat says this out_trade_no is paid" to order state, shared by the notify and
// by every orderquery answer. It runs inside the caller's transaction and locks the attempt and order rows, so any
// number of concurrent deliveries for one order are applied one after another and exactly one makes it PAID.
import { and, eq, sql } from "drizzle-orm";

import type { Db } from "@wxpay/db";
import { orderEvents, orders, paymentAttempts, rowsOf } from "@wxpay/db";

import type { Logger } from "../log";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** A WeChat-authenticated statement that a payment succeeded (a verified notify or a signed orderquery). */
export type TPaymentEvidence = {
  source: "notify" | "orderquery";
  appId: string;
  mchId: string;
  outTradeNo: string;
  /** WeChat's order number, an exact string. */
  transactionId: string;
  totalFeeFen: number;
  feeType: string;
  paidAt: Date;
};

export type TApplyVerdict =
  | "APPLIED"
  | "DUPLICATE"
  | "PAID_NEEDS_REVIEW"
  | "UNKNOWN_ORDER"
  | "AMOUNT_MISMATCH"
  | "WRONG_APPID"
  | "WRONG_MCH_ID";

export type TApplyResult = { verdict: TApplyVerdict; orderId?: string; attemptId?: string; detail?: string };

/** Verdicts under which WeChat may stop delivering: the money is recorded. */
export const ACKNOWLEDGED_VERDICTS: ReadonlySet<string> = new Set([
  "APPLIED",
  "DUPLICATE",
  "PAID_NEEDS_REVIEW",
  "NOT_SUCCESS",
]);

export async function applyPayment(
  tx: Tx,
  ev: TPaymentEvidence,
  now: Date,
  log: Logger,
): Promise<TApplyResult> {
  // WeChat: "采用数据锁进行并发控制" — one statement finds the attempt and locks it with its order: every
  // delivery for this order waits here, then sees what the one before it committed.
  const [row] = await tx
    .select({ attempt: paymentAttempts, order: orders })
    .from(paymentAttempts)
    .innerJoin(orders, eq(orders.id, paymentAttempts.orderId))
    .where(eq(paymentAttempts.outTradeNo, ev.outTradeNo))
    .for("update");
  if (!row) {
    log.alert("payment for an unknown out_trade_no", {
      outTradeNo: ev.outTradeNo,
      transactionId: ev.transactionId,
      source: ev.source,
    });
    return { verdict: "UNKNOWN_ORDER", detail: "no payment attempt has this out_trade_no" };
  }
  const { attempt, order } = row;
  const ids = { orderId: order.id, attemptId: attempt.id };

  if (attempt.mchId !== ev.mchId) {
    log.alert("payment for another merchant's order", { ...ids, mchId: ev.mchId });
    return { verdict: "WRONG_MCH_ID", ...ids, detail: `mch_id ${ev.mchId}` };
  }
  if (attempt.appid !== ev.appId) {
    log.alert("payment under another appid than the attempt's", { ...ids, appId: ev.appId });
    return { verdict: "WRONG_APPID", ...ids, detail: `appid ${ev.appId}` };
  }
  // Compare total_fee (the order amount), not cash_fee, which coupons legitimately lower.
  if (ev.totalFeeFen !== attempt.amountFen || ev.feeType !== "CNY") {
    const data = {
      transactionId: ev.transactionId,
      totalFeeFen: ev.totalFeeFen,
      feeType: ev.feeType,
      expectedFen: attempt.amountFen,
    };
    log.alert("payment amount does not match the order", { ...ids, ...data });
    await recordAnomaly(tx, { ...ids, type: "AMOUNT_MISMATCH", source: ev.source, data });
    return {
      verdict: "AMOUNT_MISMATCH",
      ...ids,
      detail: `total_fee ${ev.totalFeeFen} ${ev.feeType}, expected ${attempt.amountFen} CNY`,
    };
  }

  if (attempt.transactionId !== null) {
    if (attempt.transactionId === ev.transactionId) return { verdict: "DUPLICATE", ...ids };
    const data = {
      recordedTransactionId: attempt.transactionId,
      transactionId: ev.transactionId,
      totalFeeFen: ev.totalFeeFen,
    };
    log.alert("second transaction_id for one out_trade_no", { ...ids, ...data });
    // Money WeChat says it took that no payment row holds: the order goes to review until an operator acts.
    if (await recordAnomaly(tx, { ...ids, type: "SECOND_TRANSACTION_ID", source: ev.source, data })) {
      await tx
        .update(orders)
        .set({ status: "PAID_NEEDS_REVIEW", updatedAt: now })
        .where(eq(orders.id, order.id));
    }
    return {
      verdict: "PAID_NEEDS_REVIEW",
      ...ids,
      detail: "another transaction_id already recorded for this attempt",
    };
  }

  if (order.status === "PENDING") {
    // The whole transition in one statement (one round trip): the attempt paid, the order PAID (still guarded by
    // its status), the order's other attempts marked for closing as soon as WeChat allows (closeorder is refused
    // within 5 minutes of an order's creation; money that still lands on them becomes PAID_NEEDS_REVIEW), and
    // the PAID event — which a unique index allows once per order.
    const at = now.toISOString();
    const paidAt = ev.paidAt.toISOString();
    const data = JSON.stringify({ transactionId: ev.transactionId, totalFeeFen: ev.totalFeeFen, paidAt });
    await tx.execute(sql`
      with paid_attempt as (
        update payment_attempts
           set status = 'PAID', transaction_id = ${ev.transactionId}, paid_at = ${paidAt}::timestamptz,
               next_check_at = null, updated_at = ${at}::timestamptz
         where id = ${attempt.id} and transaction_id is null
        returning id
      ), paid_order as (
        update orders
           set status = 'PAID', paid_attempt_id = ${attempt.id}, transaction_id = ${ev.transactionId},
               paid_at = ${paidAt}::timestamptz, updated_at = ${at}::timestamptz
         where id = ${order.id} and status = 'PENDING' and exists (select 1 from paid_attempt)
        returning id
      ), superseded as (
        update payment_attempts
           set status = 'SUPERSEDED',
               next_check_at = greatest(created_at + interval '5 minutes', ${at}::timestamptz),
               updated_at = ${at}::timestamptz
         where order_id = ${order.id} and id <> ${attempt.id} and status in ('CREATED', 'PREPAID')
           and exists (select 1 from paid_order)
        returning id
      )
      insert into order_events (order_id, attempt_id, type, source, data)
      select ${order.id}, ${attempt.id}, 'PAID', ${ev.source}, ${data}::jsonb from paid_order`);
    return { verdict: "APPLIED", ...ids };
  }

  // Real money for an order that cannot take it — closed, paid through another attempt, being refunded or refunded
  // already: never drop it, never let it hide behind the order's status.
  await tx
    .update(paymentAttempts)
    .set({
      status: "PAID",
      transactionId: ev.transactionId,
      paidAt: ev.paidAt,
      nextCheckAt: null,
      updatedAt: now,
    })
    .where(eq(paymentAttempts.id, attempt.id));
  const previous = order.status;
  if (previous !== "PAID_NEEDS_REVIEW") {
    await tx
      .update(orders)
      .set({ status: "PAID_NEEDS_REVIEW", updatedAt: now })
      .where(eq(orders.id, order.id));
  }
  await tx.insert(orderEvents).values({
    orderId: order.id,
    attemptId: attempt.id,
    type: "PAID_NEEDS_REVIEW",
    source: ev.source,
    data: { transactionId: ev.transactionId, totalFeeFen: ev.totalFeeFen, previousStatus: previous },
  });
  log.alert("money arrived for an order that cannot take it; needs review", {
    ...ids,
    previousStatus: previous,
    transactionId: ev.transactionId,
  });
  return { verdict: "PAID_NEEDS_REVIEW", ...ids, detail: `order was ${previous}` };
}

/**
 * The usual notify in one statement (one round trip, its own transaction): when the attempt is this merchant's, under
 * this appid, for this amount (and, for v2, signed as the notify was verified), has no transaction_id yet and its order
 * is PENDING, it locks attempt and order, makes both PAID, marks the order's other attempts for closing, appends the
 * PAID event and records the delivery as APPLIED — all or nothing. Returns undefined when any guard does not hold (a
 * duplicate, a mismatch, an order that cannot take it, a delivery that lost a race): then nothing was written, and
 * the caller takes the general path (applyPayment), which decides and records what it is.
 */
export async function applyPaymentAtOnce(
  db: Db,
  ev: TPaymentEvidence & { signType?: string | undefined },
  now: Date,
  delivery: {
    remoteAddr: string | null;
    bodySha256: string;
    bodyBytes: number;
    rawXml: string;
    detail: string | null;
    reply: string;
  },
): Promise<{ orderId: string; attemptId: string } | undefined> {
  if (ev.feeType !== "CNY") return undefined;
  const at = now.toISOString();
  const paidAt = ev.paidAt.toISOString();
  const data = JSON.stringify({ transactionId: ev.transactionId, totalFeeFen: ev.totalFeeFen, paidAt });
  // Same text every time (only parameters vary), so postgres.js prepares it once per connection.
  const res = await db.execute(sql`
    with target as (
      select a.id as attempt_id, a.order_id
        from payment_attempts a join orders o on o.id = a.order_id
       where a.out_trade_no = ${ev.outTradeNo} and a.transaction_id is null and o.status = 'PENDING'
         and a.mch_id = ${ev.mchId} and a.appid = ${ev.appId} and a.amount_fen = ${ev.totalFeeFen}
         and (${ev.signType ?? null}::text is null or a.sign_type = ${ev.signType ?? null}::text)
         for update of a, o
    ), paid_attempt as (
      update payment_attempts a
         set status = 'PAID', transaction_id = ${ev.transactionId}, paid_at = ${paidAt}::timestamptz,
             next_check_at = null, updated_at = ${at}::timestamptz
        from target t
       where a.id = t.attempt_id and a.transaction_id is null
      returning a.id, a.order_id
    ), paid_order as (
      update orders o
         set status = 'PAID', paid_attempt_id = p.id, transaction_id = ${ev.transactionId},
             paid_at = ${paidAt}::timestamptz, updated_at = ${at}::timestamptz
        from paid_attempt p
       where o.id = p.order_id and o.status = 'PENDING'
      returning o.id, p.id as attempt_id
    ), superseded as (
      update payment_attempts s
         set status = 'SUPERSEDED',
             next_check_at = greatest(s.created_at + interval '5 minutes', ${at}::timestamptz),
             updated_at = ${at}::timestamptz
        from paid_order p
       where s.order_id = p.id and s.id <> p.attempt_id and s.status in ('CREATED', 'PREPAID')
      returning s.id
    ), paid_event as (
      insert into order_events (order_id, attempt_id, type, source, data)
      select p.id, p.attempt_id, 'PAID', ${ev.source}, ${data}::jsonb from paid_order p
      returning id
    ), recorded as (
      insert into payment_notifications (remote_addr, body_sha256, body_bytes, raw_xml, out_trade_no, transaction_id,
                                         attempt_id, verdict, detail, reply)
      select ${delivery.remoteAddr}, ${delivery.bodySha256}, ${delivery.bodyBytes}::int, ${delivery.rawXml},
             ${ev.outTradeNo}, ${ev.transactionId}, p.attempt_id, 'APPLIED', ${delivery.detail}, ${delivery.reply}
        from paid_order p
      returning id
    )
    select p.id as "orderId", p.attempt_id as "attemptId" from paid_order p`);
  const rows = rowsOf<{ orderId: string; attemptId: string }>(res);
  return rows[0];
}

/**
 * Appends an anomaly to the order's record once per (type, attempt, transaction_id): WeChat retries a notify it was
 * answered FAIL for, and the record must not grow with each retry. The caller holds the attempt's row lock, so
 * deliveries for it arrive here one at a time. Returns whether it was new.
 */
async function recordAnomaly(
  tx: Tx,
  a: {
    orderId: string;
    attemptId: string;
    type: "AMOUNT_MISMATCH" | "SECOND_TRANSACTION_ID";
    source: string;
    data: { transactionId: string } & Record<string, unknown>;
  },
): Promise<boolean> {
  const [seen] = await tx
    .select({ id: orderEvents.id })
    .from(orderEvents)
    .where(
      and(
        eq(orderEvents.attemptId, a.attemptId),
        eq(orderEvents.type, a.type),
        sql`${orderEvents.data}->>'transactionId' = ${a.data.transactionId}`,
      ),
    )
    .limit(1);
  if (seen) return false;
  await tx.insert(orderEvents).values(a);
  return true;
}
