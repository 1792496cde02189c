// The console's first page: per day (Beijing time) over the last 14 days, today included — paid amount, orders
// created and paid, conversion by channel (of the orders created in the window with a payment attempt, the share paid),
// notify verdicts, refunds — and the orders in review now. Every window query is an index-only range scan
// (orders_created_id_idx, payment_attempts_paid_at_idx, refunds_succeeded_at_idx,
// payment_notifications_received_at_idx), not a scan of the table: the page stays fast at millions of orders.
import { and, count, eq, gte, isNotNull, sql } from "drizzle-orm";
import type { AnyColumn } from "drizzle-orm";

import { orders, paymentAttempts, paymentNotifications, refunds } from "@wxpay/db";

import type { CoreDeps } from "../deps";

export const OVERVIEW_DAYS = 14;

export type TOverviewDay = {
  /** YYYY-MM-DD, Beijing time. */
  day: string;
  paidFen: number;
  created: number;
  paid: number;
  refundedFen: number;
  refunds: number;
};

export type TAdminOverview = {
  days: TOverviewDay[];
  channels: { channel: string; attempted: number; paid: number }[];
  verdicts: { verdict: string; count: number }[];
  inReview: number;
};

const dayOf = (col: AnyColumn) => sql<string>`to_char(${col} at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`;

export async function adminOverview(deps: CoreDeps): Promise<TAdminOverview> {
  const now = deps.now();
  // Midnight in Beijing (UTC+8, no DST) of the first of the 14 days.
  const bj = new Date(now.getTime() + 8 * 3600_000);
  const todayBj = Date.UTC(bj.getUTCFullYear(), bj.getUTCMonth(), bj.getUTCDate());
  const since = new Date(todayBj - (OVERVIEW_DAYS - 1) * 86400_000 - 8 * 3600_000);

  const createdDay = dayOf(orders.createdAt);
  const created = await deps.db
    .select({ day: createdDay, n: count() })
    .from(orders)
    .where(gte(orders.createdAt, since))
    .groupBy(createdDay);
  const paidDay = dayOf(paymentAttempts.paidAt);
  const paid = await deps.db
    .select({ day: paidDay, n: count(), fen: sql<string>`sum(${paymentAttempts.amountFen})` })
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.status, "PAID"), gte(paymentAttempts.paidAt, since)))
    .groupBy(paidDay);
  const refundDay = dayOf(refunds.succeededAt);
  const refunded = await deps.db
    .select({ day: refundDay, n: count(), fen: sql<string>`sum(${refunds.refundFeeFen})` })
    .from(refunds)
    .where(and(eq(refunds.status, "SUCCESS"), gte(refunds.succeededAt, since)))
    .groupBy(refundDay);
  // Conversion by channel, from the orders created in the window (an index-only range scan of orders_created_id_idx,
  // which carries channel and status; no join): each order counts once, under the channel of its latest payment
  // attempt (orders.channel, null — and left out — before the first prepay), and as paid if its status is one a
  // payment leads to (refunded and in-review included). Before: attempts created in the window, by their channel.
  const paidStates = sql`${orders.status} in ('PAID', 'PAID_NEEDS_REVIEW', 'REFUNDING', 'REFUNDED', 'PARTLY_REFUNDED')`;
  const channels = await deps.db
    .select({
      channel: sql<string>`${orders.channel}::text`,
      attempted: count(),
      paid: sql<string>`count(*) filter (where ${paidStates})`,
    })
    .from(orders)
    .where(and(gte(orders.createdAt, since), isNotNull(orders.channel)))
    .groupBy(orders.channel)
    .orderBy(orders.channel);
  const verdicts = await deps.db
    .select({ verdict: paymentNotifications.verdict, n: count() })
    .from(paymentNotifications)
    .where(gte(paymentNotifications.receivedAt, since))
    .groupBy(paymentNotifications.verdict);
  const [review] = await deps.db
    .select({ n: count() })
    .from(orders)
    .where(eq(orders.status, "PAID_NEEDS_REVIEW"));

  const days: TOverviewDay[] = [];
  for (let i = 0; i < OVERVIEW_DAYS; i++) {
    const day = new Date(todayBj - (OVERVIEW_DAYS - 1 - i) * 86400_000).toISOString().slice(0, 10);
    const c = created.find((r) => r.day === day);
    const p = paid.find((r) => r.day === day);
    const r = refunded.find((x) => x.day === day);
    days.push({
      day,
      created: Number(c?.n ?? 0),
      paid: Number(p?.n ?? 0),
      paidFen: Number(p?.fen ?? 0),
      refunds: Number(r?.n ?? 0),
      refundedFen: Number(r?.fen ?? 0),
    });
  }
  return {
    days,
    channels: channels.map((c) => ({
      channel: c.channel,
      attempted: Number(c.attempted),
      paid: Number(c.paid),
    })),
    verdicts: verdicts
      .map((v) => ({ verdict: v.verdict, count: Number(v.n) }))
      .sort((a, b) => b.count - a.count),
    inReview: Number(review?.n ?? 0),
  };
}
