// Display helpers. Money stays integer fen until it is shown; yuan are formed from digits, never by float division.
import type { TOrderStatus } from "./types";

export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not an amount in fen: ${fen}`);
  const sign = fen < 0 ? "-" : "";
  const digits = String(Math.abs(fen)).padStart(3, "0");
  return `${sign}¥${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

const STATUS_TEXT: Record<TOrderStatus, string> = {
  PENDING: "待支付",
  PAID: "支付成功",
  CLOSED: "订单已关闭",
  PAID_NEEDS_REVIEW: "已收到付款，订单正在核对，客服会尽快处理",
  REFUNDING: "退款处理中",
  REFUNDED: "已退款",
  PARTLY_REFUNDED: "已部分退款",
};

export function statusText(status: TOrderStatus): string {
  return STATUS_TEXT[status];
}

/** `2026-05-01T08:30:00.000Z` → `2026-05-01 16:30` in Beijing time, where the shop's customers are. */
export function formatBeijingTime(iso: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return "";
  const d = new Date(t + 8 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}
