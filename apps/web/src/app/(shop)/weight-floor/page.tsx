import { ProductCount } from "./product-count";

export const metadata = { title: "基准页 · 茶与器", robots: { index: false } };

/**
 * The page-weight baseline (scripts/page-weight.ts): a trivial page of this app whose only client code is one
 * tRPC query, i.e. what Next, React and tRPC cost before any shop page adds its own.
 */
export default function WeightFloorPage() {
  return (
    <main>
      <ProductCount />
    </main>
  );
}
