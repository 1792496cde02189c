import { ProductList } from "./product-list";

export default function HomePage() {
  return (
    <main>
      <h1>茶与器</h1>
      <ProductList />
    </main>
  );
}
