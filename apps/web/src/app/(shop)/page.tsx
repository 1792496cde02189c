import { BuyNow } from "~/components/buy-now";
import { formatYuan } from "~/lib/money";
import { shopperClient } from "~/lib/shopper-client";
import { serverApi, tryServer } from "~/trpc/server";

export default async function HomePage() {
  const [client, api] = await Promise.all([shopperClient(), serverApi()]);
  const products = await tryServer(() => api.products());
  return (
    <main>
      <h1>茶与器</h1>
      {client.kind === "desktop" && (
        <p className="notice" data-testid="desktop-hint">
          可以先在电脑上挑选；付款需要在手机上完成（手机浏览器或微信中打开本店）。
        </p>
      )}
      {!products.ok ? (
        <p className="error">商品加载失败，请稍后刷新重试。</p>
      ) : (
        <ul className="product-list" data-testid="product-list">
          {products.data.map((p) => (
            <li key={p.sku} className="product" data-sku={p.sku}>
              <div className="product-info">
                <h2>{p.title}</h2>
                <p>{p.description}</p>
                <span className="price">{formatYuan(p.priceFen)}</span>
              </div>
              <BuyNow sku={p.sku} title={p.title} fullPageLoad={client.kind === "wechat"} />
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
