// Per-IP and per-customer request limits, shared by every web instance through one Postgres table: a fixed
// one-minute window per key, counted by a single upsert (INSERT … ON CONFLICT DO UPDATE … RETURNING), so two
// instances can never both let the 61st request through. Counting and sweeping old windows is one statement.
import { sql } from "drizzle-orm";

import { rowsOf } from "@wxpay/db";

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
  const ws = windowStart.toISOString();
  const old = new Date(windowStart.getTime() - KEEP_WINDOWS_MS).toISOString();
  const keys = [...limits.keys()];
  // One statement, one round trip: both keys counted, always in the same order (IP first), so concurrent requests
  // never deadlock. The first request of a window for a key also sweeps that key's old windows and a bounded batch of
  // anyone's (rows another sweep holds are skipped, not waited for; the three sets of rows never overlap).
  const res = await deps.db.execute(sql`
    with counted as (
      insert into rate_limit_hits (key, window_start, hits)
      values ${sql.join(
        keys.map((key) => sql`(${key}, ${ws}::timestamptz, 1)`),
        sql`, `,
      )}
      on conflict (key, window_start) do update set hits = rate_limit_hits.hits + 1
      returning key, hits
    ), mine as (
      delete from rate_limit_hits r
       where r.key in (${sql.join(
         keys.map((key) => sql`${key}`),
         sql`, `,
       )}) and r.window_start < ${ws}::timestamptz
         and exists (select 1 from counted c where c.key = r.key and c.hits = 1)
    ), anyone as (
      delete from rate_limit_hits
       where ctid in (select h.ctid from rate_limit_hits h
                       where h.window_start < ${old}::timestamptz
                         and exists (select 1 from counted c where c.hits = 1)
                         and not exists (select 1 from counted c where c.key = h.key)
                       limit 200 for update skip locked)
    )
    select key, hits from counted`);
  const counted = rowsOf<{ key: string; hits: number }>(res);

  if (counted.some((c) => c.hits > (limits.get(c.key) ?? Infinity))) {
    const waitS = Math.max(1, Math.ceil((windowStart.getTime() + RATE_LIMIT_WINDOW_MS - now) / 1000));
    throw new CoreError("TOO_MANY_REQUESTS", `操作太频繁了，请 ${waitS} 秒后再试`);
  }
}
