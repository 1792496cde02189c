// Orders this process created in the last minute: a shopper's prepay follows its createOrder within seconds, usually
// on the same instance, and what prepay needs to build the unifiedorder request (owner, items, amount, expiry) never
// changes once an order exists. So that prepay skips one read. Nothing about the order's state comes from here: the
// claim statement checks status, amount and expiry again under the order's row lock, and anything it does not like
// falls back to a locked read. Another instance, a restart or an older order simply reads the row.
import type { Db } from "@wxpay/db";
import { onePerDb } from "@wxpay/db";
import type { TOrderRow } from "@wxpay/db/schema";

/** What prepay reads of an order, apart from its status (which it never takes from memory). */
export type TOrderFacts = Pick<TOrderRow, "id" | "customerId" | "items" | "amountFen" | "expiresAt">;

const KEEP_MS = 60_000;
const MAX_ENTRIES = 4096;

type TEntry = { facts: TOrderFacts; until: number };

// Per database handle, like the prepared statements: a test process with several databases never mixes them.
const recentFor = onePerDb(() => new Map<string, TEntry>());

export function rememberCreatedOrder(db: Db, facts: TOrderFacts, now: Date): void {
  const recent = recentFor(db);
  // Oldest first (insertion order): drop what has lapsed, and the oldest beyond the bound.
  for (const [id, entry] of recent) {
    if (entry.until > now.getTime() && recent.size < MAX_ENTRIES) break;
    recent.delete(id);
  }
  recent.set(facts.id, { facts, until: now.getTime() + KEEP_MS });
}

/** The facts of an order this process created lately, only when it is this customer's; undefined otherwise. */
export function recentOrder(db: Db, customerId: string, orderId: string, now: Date): TOrderFacts | undefined {
  const entry = recentFor(db).get(orderId);
  if (!entry || entry.until <= now.getTime() || entry.facts.customerId !== customerId) return undefined;
  return entry.facts;
}
