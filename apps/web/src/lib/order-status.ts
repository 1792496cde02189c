// How an order's status reads to a shopper, and which statuses are final (the result page stops polling there).
export type TOrderStatus =
  "PENDING" | "PAID" | "CLOSED" | "PAID_NEEDS_REVIEW" | "REFUNDING" | "REFUNDED" | "PARTLY_REFUNDED";

export type TStatusText = {
  label: string;
  title: string;
  detail: string;
  tone: "wait" | "ok" | "off" | "warn";
};

const TEXT: Record<TOrderStatus, TStatusText> = {
  PENDING: {
    label: "待支付",
    title: "等待支付结果",
    detail: "还没有收到这笔订单的付款。如果你刚刚付过款，结果通常几秒内到达。",
    tone: "wait",
  },
  PAID: { label: "已支付", title: "支付成功", detail: "我们已收到你的付款，订单会尽快发货。", tone: "ok" },
  CLOSED: {
    label: "已关闭",
    title: "订单已关闭",
    detail: "这笔订单超时未支付或已取消，没有扣款。如需购买，请重新下单。",
    tone: "off",
  },
  PAID_NEEDS_REVIEW: {
    label: "核对中",
    title: "款项已收到，正在核对",
    detail: "这笔订单收到了一笔需要人工核对的付款（例如订单关闭后才到账）。我们会尽快处理，必要时原路退款。",
    tone: "warn",
  },
  REFUNDING: {
    label: "退款中",
    title: "退款处理中",
    detail: "退款已提交，通常 1–3 个工作日原路退回。",
    tone: "warn",
  },
  REFUNDED: { label: "已退款", title: "已退款", detail: "款项已原路退回你的微信支付账户。", tone: "off" },
  PARTLY_REFUNDED: {
    label: "部分退款",
    title: "已部分退款",
    detail: "部分款项已原路退回你的微信支付账户，其余订单照常处理。",
    tone: "ok",
  },
};

export function statusText(status: TOrderStatus): TStatusText {
  return TEXT[status];
}

/** Every status but PENDING is a final answer for the shopper: nothing more will happen by itself soon. */
export function isFinalStatus(status: TOrderStatus): boolean {
  return status !== "PENDING";
}

// Polling the result page: quick at first (a notify or orderquery usually settles within seconds), then slower,
// so that a page left open does not keep the server (and its rate-limited orderquery) busy.
const DELAYS_MS = [1000, 1500, 2000, 3000, 5000, 8000] as const;
export const MAX_POLL_DELAY_MS = 10_000;
/** After this many polls (about five minutes) the page stops and asks the shopper to check by hand. */
export const MAX_POLLS = 36;

/** The wait before poll number `n` (0-based), or `false` when the page should stop polling by itself. */
export function pollDelayMs(n: number): number | false {
  if (n >= MAX_POLLS) return false;
  return DELAYS_MS[n] ?? MAX_POLL_DELAY_MS;
}
