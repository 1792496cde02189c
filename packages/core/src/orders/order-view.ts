import { and, eq, sql } from "drizzle-orm";

import { onePerDb, orders } from "@wxpay/db";
import type { TOrderRow } from "@wxpay/db/schema";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";

export type TOrderView = {
  orderId: string;
  status: TOrderRow["status"];
  amountFen: number;
  paidAt?: Date;
  createdAt: Date;
  expiresAt: Date;
  items: TOrderRow["items"];
};

export function toOrderView(o: TOrderRow): TOrderView {
  return {
    orderId: o.id,
    status: o.status,
    amountFen: o.amountFen,
    ...(o.paidAt ? { paidAt: o.paidAt } : {}),
    createdAt: o.createdAt,
    expiresAt: o.expiresAt,
    items: o.items,
  };
}

/** The order if it belongs to this customer; NOT_FOUND otherwise (no existence oracle). */
export async function findOwnedOrder(
  deps: Pick<CoreDeps, "db">,
  customerId: string,
  orderId: string,
): Promise<TOrderRow> {
  const [o] = await ownedOrder(deps.db).execute({ orderId, customerId });
  if (!o) throw new CoreError("NOT_FOUND", "订单不存在");
  return o;
}

// Read on every prepay and orderStatus: built once, not per call.
const ownedOrder = onePerDb((db) =>
  db
    .select()
    .from(orders)
    .where(
      and(eq(orders.id, sql.placeholder("orderId")), eq(orders.customerId, sql.placeholder("customerId"))),
    )
    .limit(1)
    .prepare("owned_order"),
);
