// 确认订单: the product and quantity, then createOrder → prepay(mini) → wx.requestPayment → the result page.
// Whatever the pay sheet answers, the result page asks the server; this page only reports errors before it.
import { appCodeOf, appCodeText, errorText, formatYuan, getShop } from "../../shared/index";

const MAX_QTY = 99;

type TStep = "loading" | "ready" | "creating" | "paying" | "leaving" | "unavailable";

Component({
  // Page query parameters arrive as properties (strings); the chosen quantity lives in data as a number.
  properties: {
    sku: String,
    qty: String,
  },
  data: {
    step: "loading" as TStep,
    sku: "",
    quantity: 1,
    title: "",
    priceFen: 0,
    priceText: "",
    totalText: "",
    orderId: "",
    error: "",
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      const qty = Number.parseInt(query.qty ?? "1", 10);
      this.setData({
        sku: query.sku ?? "",
        quantity: Number.isInteger(qty) && qty >= 1 && qty <= MAX_QTY ? qty : 1,
      });
      return this.load();
    },
    async load() {
      this.setData({ step: "loading", error: "" });
      try {
        const product = (await getShop().products()).find((p) => p.sku === this.data.sku);
        if (!product) {
          this.setData({ step: "unavailable", error: appCodeText("UNKNOWN_SKU") });
          return;
        }
        this.setData({
          step: "ready",
          title: product.title,
          priceFen: product.priceFen,
          priceText: formatYuan(product.priceFen),
          totalText: formatYuan(product.priceFen * this.data.quantity),
        });
      } catch (err) {
        this.setData({ step: "unavailable", error: errorText(err) });
      }
    },
    onQty(e: WechatMiniprogram.TouchEvent) {
      if (this.data.step !== "ready" || this.data.orderId) return;
      const quantity = Math.min(
        MAX_QTY,
        Math.max(1, this.data.quantity + Number(e.currentTarget.dataset.delta ?? 0)),
      );
      this.setData({ quantity, totalText: formatYuan(this.data.priceFen * quantity) });
    },
    async onPay() {
      if (this.data.step !== "ready") return;
      const shop = getShop();
      this.setData({ error: "" });
      try {
        let orderId = this.data.orderId;
        if (!orderId) {
          this.setData({ step: "creating" });
          const order = await shop.createOrder([{ sku: this.data.sku, qty: this.data.quantity }]);
          orderId = order.orderId;
          // The amount to pay is the server's, computed from its own prices.
          this.setData({ orderId, totalText: formatYuan(order.amountFen) });
        }
        this.setData({ step: "paying" });
        const outcome = await shop.pay(orderId);
        this.leave(orderId, outcome.hint);
      } catch (err) {
        const code = appCodeOf(err);
        if (code === "ORDER_PAID") {
          this.leave(this.data.orderId, "ok");
        } else if (code === "ORDER_CLOSED") {
          // The next tap places a new order.
          this.setData({ step: "ready", orderId: "", error: errorText(err) });
        } else {
          this.setData({ step: "ready", error: errorText(err) });
        }
      }
    },
    leave(orderId: string, hint: string) {
      this.setData({ step: "leaving" });
      wx.redirectTo({ url: `/pages/result/index?orderId=${encodeURIComponent(orderId)}&hint=${hint}` });
    },
  },
});
