// 商品列表: the catalog with the server's prices.
import { errorText, formatYuan, getShop } from "../../shared/index";

type TProductRow = { sku: string; title: string; description: string; priceText: string };

Component({
  data: {
    loading: true,
    error: "",
    products: [] as TProductRow[],
  },
  methods: {
    onLoad() {
      return this.load();
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },
    onRetry() {
      return this.load();
    },
    async load() {
      this.setData({ loading: true, error: "" });
      try {
        const products = await getShop().products();
        this.setData({
          loading: false,
          products: products.map((p) => ({
            sku: p.sku,
            title: p.title,
            description: p.description,
            priceText: formatYuan(p.priceFen),
          })),
        });
      } catch (err) {
        this.setData({ loading: false, error: errorText(err) });
      }
    },
    onBuy(e: WechatMiniprogram.TouchEvent) {
      const sku = String(e.currentTarget.dataset.sku ?? "");
      if (!sku) return;
      wx.navigateTo({ url: `/pages/order/index?sku=${encodeURIComponent(sku)}&qty=1` });
    },
  },
});
