import { asc, eq } from "drizzle-orm";

import { products } from "@wxpay/db";

import type { CoreDeps } from "../deps";

export type TProduct = { sku: string; title: string; description: string; priceFen: number };

/** The active catalog, in display order, with server-side prices in fen. */
export async function listProducts(deps: Pick<CoreDeps, "db">): Promise<TProduct[]> {
  return deps.db
    .select({
      sku: products.sku,
      title: products.title,
      description: products.description,
      priceFen: products.priceFen,
    })
    .from(products)
    .where(eq(products.active, true))
    .orderBy(asc(products.sortOrder), asc(products.sku));
}
