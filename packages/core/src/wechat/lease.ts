// Short leases in Postgres: one holder at a time across every instance, with no transaction or connection held
// while the holder works. A holder that dies simply lets its lease lapse.
import { and, eq, lt } from "drizzle-orm";

import { leases } from "@wxpay/db";

import type { CoreDeps } from "../deps";

/** True when this holder now owns `name` until `ttlMs` from now (free, lapsed, or already its own). */
export async function tryAcquireLease(
  deps: Pick<CoreDeps, "db" | "now">,
  name: string,
  holder: string,
  ttlMs: number,
): Promise<boolean> {
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + ttlMs);
  const won = await deps.db
    .insert(leases)
    .values({ name, holder, expiresAt })
    .onConflictDoUpdate({
      target: leases.name,
      set: { holder, expiresAt },
      setWhere: lt(leases.expiresAt, now),
    })
    .returning({ holder: leases.holder });
  return won.length === 1;
}

/** Gives the lease back, if this holder still has it. */
export async function releaseLease(deps: Pick<CoreDeps, "db">, name: string, holder: string): Promise<void> {
  await deps.db.delete(leases).where(and(eq(leases.name, name), eq(leases.holder, holder)));
}
