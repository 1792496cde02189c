import { desc, eq } from "drizzle-orm";

import { orders } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import type { TOrderView } from "./order-view";
import { toOrderView } from "./order-view";

export async function listMyOrders(deps: Pick<CoreDeps, "db">, customerId: string): Promise<TOrderView[]> {
  const rows = await deps.db
    .select()
    .from(orders)
    .where(eq(orders.customerId, customerId))
    .orderBy(desc(orders.createdAt))
    .limit(50);
  return rows.map(toOrderView);
}
