"use client";

import { formatYuan } from "~/lib/money";
import { api } from "~/trpc/react";

export function ProductList() {
  const products = api.products.useQuery();
  if (products.isPending) return <p className="notice">正在加载商品…</p>;
  if (products.isError) return <p className="notice">商品加载失败，请稍后刷新重试。</p>;
  return (
    <ul className="product-list" data-testid="product-list">
      {products.data.map((p) => (
        <li key={p.sku} className="product" data-sku={p.sku}>
          <div>
            <h2>{p.title}</h2>
            <p>{p.description}</p>
          </div>
          <span className="price">{formatYuan(p.priceFen)}</span>
        </li>
      ))}
    </ul>
  );
}
