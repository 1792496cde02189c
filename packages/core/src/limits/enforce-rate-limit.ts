// Per-IP and per-customer request limits, shared by every web instance through one Postgres table: a fixed
// one-minute window per key, counted by a single upsert (INSERT … ON CONFLICT DO UPDATE … RETURNING), so two
// instances can never both let the 61st request through.
import { and, eq, lt, sql } from "drizzle-orm";

import { rateLimitHits } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";

export type TRateLimitedAction = "createOrder" | "prepay" | "orderStatus" | "miniLogin" | "oauthStart";

export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * How many times the configured per-minute allowance each action gets. The result page polls orderStatus with
 * back-off while WeChat settles a payment, so it gets four times the allowance of a mutation.
 */
export const RATE_LIMIT_ALLOWANCE: Record<TRateLimitedAction, number> = {
  createOrder: 1,
  prepay: 1,
  orderStatus: 4,
  miniLogin: 1,
  oauthStart: 1,
};

/** Rows of windows older than this are swept away by later requests. */
const KEEP_WINDOWS_MS = 10 * RATE_LIMIT_WINDOW_MS;

/**
 * Counts this request against the caller's IP and (when known) customer for `action`; throws TOO_MANY_REQUESTS,
 * with a sentence that says how long to wait, once either count passes its limit in the current minute.
 */
export async function enforceRateLimit(
  deps: CoreDeps,
  input: { action: TRateLimitedAction; ip: string; customerId?: string | undefined },
): Promise<void> {
  const { perIpPerMinute, perCustomerPerMinute } = deps.config.rateLimits;
  const allowance = RATE_LIMIT_ALLOWANCE[input.action];
  const limits = new Map<string, number>();
  if (perIpPerMinute > 0 && input.ip)
    limits.set(`${input.action}:ip:${input.ip}`, perIpPerMinute * allowance);
  if (perCustomerPerMinute > 0 && input.customerId)
    limits.set(`${input.action}:customer:${input.customerId}`, perCustomerPerMinute * allowance);
  await enforceLimits(deps, limits);
}

/** Counts one hit on each key (limit per minute) and throws TOO_MANY_REQUESTS once any passes its limit. */
export async function enforceLimits(deps: CoreDeps, limits: Map<string, number>): Promise<void> {
  if (limits.size === 0) return;

  const now = deps.now().getTime();
  const windowStart = new Date(now - (now % RATE_LIMIT_WINDOW_MS));
  // One statement for both keys, always in the same order (IP first), so concurrent requests never deadlock.
  const counted = await deps.db
    .insert(rateLimitHits)
    .values([...limits.keys()].map((key) => ({ key, windowStart, hits: 1 })))
    .onConflictDoUpdate({
      target: [rateLimitHits.key, rateLimitHits.windowStart],
      set: { hits: sql`${rateLimitHits.hits} + 1` },
    })
    .returning({ key: rateLimitHits.key, hits: rateLimitHits.hits });

  // The first request of a window for a key sweeps that key's old windows and a bounded batch of anyone's.
  if (counted.some((c) => c.hits === 1)) await sweep(deps, counted, windowStart);

  if (counted.some((c) => c.hits > (limits.get(c.key) ?? Infinity))) {
    const waitS = Math.max(1, Math.ceil((windowStart.getTime() + RATE_LIMIT_WINDOW_MS - now) / 1000));
    throw new CoreError("TOO_MANY_REQUESTS", `操作太频繁了，请 ${waitS} 秒后再试`);
  }
}

async function sweep(deps: CoreDeps, counted: { key: string; hits: number }[], windowStart: Date) {
  for (const c of counted.filter((x) => x.hits === 1)) {
    await deps.db
      .delete(rateLimitHits)
      .where(and(eq(rateLimitHits.key, c.key), lt(rateLimitHits.windowStart, windowStart)));
  }
  const old = new Date(windowStart.getTime() - KEEP_WINDOWS_MS);
  await deps.db.execute(sql`
    delete from ${rateLimitHits}
     where ctid in (select ctid from ${rateLimitHits} where ${rateLimitHits.windowStart} < ${old.toISOString()}::timestamptz limit 200)`);
}
