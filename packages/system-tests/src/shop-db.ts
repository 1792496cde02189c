// Read-only views of the shop's tables for assertions (raw SQL: the tests look at rows, not at the code's types).
import type postgres from "postgres";

import { eventually } from "./system";

export type TOrderState = {
  id: string;
  status: string;
  transactionId: string | null;
  paidAttemptId: string | null;
  /** PAID events in order_events: the transition's audit trail (the fulfilment hook). */
  paidEvents: number;
  reviewEvents: number;
  attemptStatus: string;
  attemptTransactionId: string | null;
  outTradeNo: string;
};

/** One row per order (each of these orders has exactly one attempt). */
export async function orderStates(sql: postgres.Sql, orderIds: readonly string[]): Promise<TOrderState[]> {
  const rows = await sql<TOrderState[]>`
    select o.id, o.status::text as status, o.transaction_id as "transactionId", o.paid_attempt_id as "paidAttemptId",
           (select count(*)::int from order_events e where e.order_id = o.id and e.type = 'PAID') as "paidEvents",
           (select count(*)::int from order_events e where e.order_id = o.id and e.type = 'PAID_NEEDS_REVIEW') as "reviewEvents",
           a.status::text as "attemptStatus", a.transaction_id as "attemptTransactionId", a.out_trade_no as "outTradeNo"
      from orders o join payment_attempts a on a.order_id = o.id
     where o.id in ${sql(orderIds as string[])}
     order by o.id`;
  return rows;
}

/** Waits until every one of these orders is PAID, and returns their states; throws with the last ones after timeoutMs. */
export function eventuallyAllPaid(
  sql: postgres.Sql,
  orderIds: readonly string[],
  timeoutMs: number,
  what: string,
): Promise<TOrderState[]> {
  return eventually(
    () => orderStates(sql, orderIds),
    (rows) => rows.every((r) => r.status === "PAID"),
    timeoutMs,
    what,
  );
}

export async function outTradeNoOf(sql: postgres.Sql, orderId: string): Promise<string> {
  const [row] = await sql<{ outTradeNo: string }[]>`
    select out_trade_no as "outTradeNo" from payment_attempts where order_id = ${orderId} order by created_at limit 1`;
  if (!row) throw new Error(`no payment attempt for order ${orderId}`);
  return row.outTradeNo;
}

/** Notify deliveries the shop recorded, by verdict, for these out_trade_nos. */
export async function notificationVerdicts(
  sql: postgres.Sql,
  outTradeNos: readonly string[],
): Promise<{ outTradeNo: string; transactionId: string | null; verdict: string }[]> {
  return sql`
    select out_trade_no as "outTradeNo", transaction_id as "transactionId", verdict::text as verdict
      from payment_notifications where out_trade_no in ${sql(outTradeNos as string[])}`;
}
