import { eq, lt } from "drizzle-orm";

import { reconcilerTicks } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import type { TReconcileStats } from "./reconcile-pass";
import { reconcilePass } from "./reconcile-pass";

export type TTickResult = { ran: false; slot: Date } | { ran: true; slot: Date; stats: TReconcileStats };

/**
 * Runs the pass for the current tick slot if this instance is the first to claim it. The claim is one INSERT
 * on the slot's primary key, so however many instances tick, each slot runs once.
 */
export async function reconcileTick(
  deps: CoreDeps,
  opts: { instance: string; intervalMs: number },
): Promise<TTickResult> {
  const now = deps.now();
  const slot = new Date(Math.floor(now.getTime() / opts.intervalMs) * opts.intervalMs);
  const won = await deps.db
    .insert(reconcilerTicks)
    .values({ slot, instance: opts.instance, startedAt: now })
    .onConflictDoNothing()
    .returning({ slot: reconcilerTicks.slot });
  if (won.length === 0) return { ran: false, slot };
  const stats = await reconcilePass(deps);
  await deps.db
    .update(reconcilerTicks)
    .set({ finishedAt: deps.now(), stats })
    .where(eq(reconcilerTicks.slot, slot));
  // Keep a day of tick history.
  await deps.db
    .delete(reconcilerTicks)
    .where(lt(reconcilerTicks.slot, new Date(now.getTime() - 24 * 3600_000)));
  if (stats.checked > 0 || stats.closedOrders > 0)
    deps.log.info("reconcile tick", { instance: opts.instance, ...stats });
  return { ran: true, slot, stats };
}

/** Ticks every `intervalMs` until stopped. Errors are logged; the next tick tries again. */
export function startReconciler(
  deps: CoreDeps,
  opts: { instance: string; intervalMs: number },
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        await reconcileTick(deps, opts);
      } catch (err) {
        deps.log.error("reconcile tick failed", { instance: opts.instance, error: String(err) });
      }
    });
  }, opts.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
