// 支付结果: the order's status from the server, never from the pay sheet. After `requestPayment:ok` it asks a
// few times while the order is still pending (each orderStatus lets the server query WeChat, which recovers a
// lost notify); after a cancel it says the order is unpaid and offers to pay again.
import type { TOrderView, TPaymentHint } from "../../shared/index";
import { appCodeOf, errorText, formatBeijingTime, formatYuan, getShop, statusText } from "../../shared/index";

const PENDING_NOTICE: Record<TPaymentHint, string> = {
  ok: "还没有收到支付结果。如果已经付款，请稍后点「我已支付」刷新。",
  cancel: "你取消了支付，订单仍待支付。",
  fail: "支付没有完成，可以重新支付。",
};

function hintOf(v: string | undefined): TPaymentHint | undefined {
  return v === "ok" || v === "cancel" || v === "fail" ? v : undefined;
}

Component({
  properties: {
    orderId: String,
    hint: String,
  },
  data: {
    checking: true,
    paying: false,
    orderId: "",
    status: "",
    statusText: "",
    amountText: "",
    paidAtText: "",
    items: [] as { sku: string; line: string }[],
    canPay: false,
    notice: "",
    error: "",
  },
  methods: {
    onLoad(query: Record<string, string | undefined>) {
      this.setData({ orderId: query.orderId ?? "" });
      return this.check(hintOf(query.hint));
    },
    /** 我已支付: ask again, waiting a little as after a successful pay sheet. */
    onRefresh() {
      return this.check("ok");
    },
    async onPayAgain() {
      if (this.data.paying || this.data.checking) return;
      this.setData({ paying: true, error: "", notice: "" });
      try {
        const outcome = await getShop().pay(this.data.orderId);
        this.setData({ paying: false });
        await this.check(outcome.hint);
      } catch (err) {
        this.setData({ paying: false });
        if (appCodeOf(err) === "ORDER_PAID" || appCodeOf(err) === "ORDER_CLOSED") await this.check(undefined);
        else this.setData({ error: errorText(err) });
      }
    },
    onHome() {
      wx.reLaunch({ url: "/pages/index/index" });
    },
    async check(hint: TPaymentHint | undefined) {
      this.setData({ checking: true, error: "" });
      try {
        const view = await getShop().confirm(this.data.orderId, hint);
        this.show(view, hint);
      } catch (err) {
        this.setData({ checking: false, error: errorText(err) });
      }
    },
    show(view: TOrderView, hint: TPaymentHint | undefined) {
      const pending = view.status === "PENDING";
      this.setData({
        checking: false,
        status: view.status,
        statusText: statusText(view.status),
        amountText: formatYuan(view.amountFen),
        paidAtText: view.paidAt ? formatBeijingTime(view.paidAt) : "",
        items: view.items.map((i) => ({ sku: i.sku, line: `${i.title} × ${i.qty}` })),
        canPay: pending,
        notice:
          pending && hint
            ? PENDING_NOTICE[hint]
            : view.status === "CLOSED"
              ? "订单已关闭，如需购买请重新下单。"
              : "",
      });
    },
  },
});
