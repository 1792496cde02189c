"use client";

import { api } from "~/trpc/react";

export function ProductCount() {
  const products = api.products.useQuery();
  return <p className="notice">{products.data ? `${products.data.length} 件商品` : "…"}</p>;
}
