// Reconciliation: converge to WeChat's truth without relying on the notify. Due attempts are claimed with
// FOR UPDATE SKIP LOCKED (each processed by one instance), queried with orderquery and applied through the
// notify's own transition; expired ones are closed with closeorder (never within WeChat's 5 minutes).
import { and, asc, eq, inArray, lte, notExists, sql } from "drizzle-orm";

import { orderEvents, orders, paymentAttempts } from "@wxpay/db";
import type { TPaymentAttemptRow } from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";
import { gatewayFor } from "../gateway/payment-gateway";
import { refusalOf } from "../gateway/refusal";
import { syncAttempt } from "../payments/sync-attempt";
import { syncPendingRefunds } from "../refunds/sync-refunds";

/** Delays between checks of one attempt: +1 min, +5, +15, +60, then hourly. */
export const CHECK_SCHEDULE_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000] as const;
const HOURLY_MS = 60 * 60_000;
// WeChat: "订单生成后不能马上调用关单接口，最短调用时间间隔为5分钟".
export const CLOSE_MIN_AGE_MS = 5 * 60_000;
/** A claimed attempt is not claimed again for this long, even if its processor dies. */
const LEASE_MS = 2 * 60_000;
const RETRY_SOON_MS = 60_000;

export type TReconcileStats = {
  checked: number;
  paid: number;
  closedAttempts: number;
  closedOrders: number;
  errors: number;
  refundsChecked: number;
  refundsSettled: number;
};

const LIVE: TPaymentAttemptRow["status"][] = ["CREATED", "PREPAID", "SUPERSEDED"];

async function claimDue(deps: CoreDeps, limit: number): Promise<TPaymentAttemptRow[]> {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const due = await tx
      .select({ id: paymentAttempts.id })
      .from(paymentAttempts)
      .where(and(lte(paymentAttempts.nextCheckAt, now), inArray(paymentAttempts.status, LIVE)))
      .orderBy(asc(paymentAttempts.nextCheckAt))
      .limit(limit)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(paymentAttempts)
      .set({ nextCheckAt: new Date(now.getTime() + LEASE_MS) })
      .where(
        inArray(
          paymentAttempts.id,
          due.map((d) => d.id),
        ),
      )
      .returning();
  });
}

function nextDelay(checkCount: number): number {
  return CHECK_SCHEDULE_MS[checkCount] ?? HOURLY_MS;
}

async function schedule(
  deps: CoreDeps,
  a: TPaymentAttemptRow,
  at: Date,
  extra: Partial<TPaymentAttemptRow> = {},
) {
  await deps.db
    .update(paymentAttempts)
    .set({ nextCheckAt: at, checkCount: a.checkCount + 1, updatedAt: deps.now(), ...extra })
    .where(and(eq(paymentAttempts.id, a.id), inArray(paymentAttempts.status, LIVE)));
}

async function closeAttemptLocally(deps: CoreDeps, a: TPaymentAttemptRow) {
  await deps.db
    .update(paymentAttempts)
    .set({ status: "CLOSED", closedAt: deps.now(), nextCheckAt: null, updatedAt: deps.now() })
    .where(and(eq(paymentAttempts.id, a.id), inArray(paymentAttempts.status, LIVE)));
}

type TOutcome = "paid" | "closed" | "open" | "error";

async function reconcileAttempt(deps: CoreDeps, a: TPaymentAttemptRow): Promise<TOutcome> {
  const now = deps.now();
  let sync;
  try {
    sync = await syncAttempt(deps, a);
  } catch (err) {
    deps.log.warn("reconcile: orderquery failed", { attemptId: a.id, error: String(err) });
    await schedule(deps, a, new Date(now.getTime() + RETRY_SOON_MS), {
      lastError: String(err).slice(0, 500),
    });
    return "error";
  }
  if (sync.kind === "paid") return "paid";
  if (sync.kind === "closed") return "closed";

  const [order] = await deps.db.select().from(orders).where(eq(orders.id, a.orderId));
  const expired = !order || order.status !== "PENDING" || order.expiresAt.getTime() <= now.getTime();
  const closeWanted =
    expired || a.status === "SUPERSEDED" || (sync.kind === "unpaid" && sync.tradeState === "PAYERROR");
  const closeAllowedAt = a.createdAt.getTime() + CLOSE_MIN_AGE_MS;

  if (closeWanted && now.getTime() >= closeAllowedAt) {
    if (sync.kind === "not-at-wechat") {
      // WeChat never heard of it: nothing to close there.
      await closeAttemptLocally(deps, a);
      return "closed";
    }
    try {
      await gatewayFor(deps, a.apiVersion).closeOrder({ outTradeNo: a.outTradeNo, appId: a.appid });
      // Closed locally only after WeChat said SUCCESS or ORDERCLOSED.
      await closeAttemptLocally(deps, a);
      return "closed";
    } catch (err) {
      if (refusalOf(err)?.remedy === "TREAT_AS_PAID") {
        // WeChat: ORDERPAID "请当作已支付的正常交易" — learn the details from a signed orderquery.
        const again = await syncAttempt(deps, a).catch(() => undefined);
        if (again?.kind === "paid") return "paid";
      }
      deps.log.warn("reconcile: closeorder failed", { attemptId: a.id, error: String(err) });
      await schedule(deps, a, new Date(now.getTime() + RETRY_SOON_MS), {
        lastError: String(err).slice(0, 500),
      });
      return "error";
    }
  }

  // Still open: check again on the back-off schedule, but no later than the moment it may be closed.
  let at = now.getTime() + nextDelay(a.checkCount + 1);
  if (closeWanted) {
    if (closeAllowedAt > now.getTime()) at = Math.min(at, closeAllowedAt);
  } else if (order && order.status === "PENDING") {
    const closeDue = Math.max(order.expiresAt.getTime(), closeAllowedAt);
    if (closeDue > now.getTime()) at = Math.min(at, closeDue);
  }
  await schedule(deps, a, new Date(at));
  return "open";
}

/** PENDING orders past their expiry with no attempt still open at WeChat become CLOSED. */
async function closeExpiredOrders(deps: CoreDeps): Promise<number> {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const closed = await tx
      .update(orders)
      .set({ status: "CLOSED", closedAt: now, updatedAt: now })
      .where(
        and(
          eq(orders.status, "PENDING"),
          lte(orders.expiresAt, now),
          notExists(
            tx
              .select({ one: sql`1` })
              .from(paymentAttempts)
              .where(
                and(
                  eq(paymentAttempts.orderId, orders.id),
                  inArray(paymentAttempts.status, ["CREATED", "PREPAID"]),
                ),
              ),
          ),
        ),
      )
      .returning({ id: orders.id });
    if (closed.length > 0) {
      await tx.insert(orderEvents).values(
        closed.map((o) => ({
          orderId: o.id,
          type: "CLOSED",
          source: "reconciler",
          data: { reason: "expired" },
        })),
      );
    }
    return closed.length;
  });
}

/** One full pass: every due attempt (in batches), then expired orders. Safe to run on many instances at once. */
export async function reconcilePass(
  deps: CoreDeps,
  opts: { batchSize?: number; maxAttempts?: number } = {},
): Promise<TReconcileStats> {
  const stats: TReconcileStats = {
    checked: 0,
    paid: 0,
    closedAttempts: 0,
    closedOrders: 0,
    errors: 0,
    refundsChecked: 0,
    refundsSettled: 0,
  };
  const batchSize = opts.batchSize ?? 50;
  const maxAttempts = opts.maxAttempts ?? 5000;
  while (stats.checked < maxAttempts) {
    const batch = await claimDue(deps, batchSize);
    if (batch.length === 0) break;
    for (const a of batch) {
      stats.checked += 1;
      const outcome = await reconcileAttempt(deps, a);
      if (outcome === "paid") stats.paid += 1;
      else if (outcome === "closed") stats.closedAttempts += 1;
      else if (outcome === "error") stats.errors += 1;
    }
  }
  stats.closedOrders = await closeExpiredOrders(deps);
  const r = await syncPendingRefunds(deps);
  stats.refundsChecked = r.checked;
  stats.refundsSettled = r.settled;
  return stats;
}
