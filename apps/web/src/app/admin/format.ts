// Display only: fen to yuan by digits, instants in Beijing time.
export { formatYuan } from "~/lib/money";

export function beijing(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
  return d.toISOString().replace("T", " ").slice(0, 19);
}

export const STATUS_LABEL: Record<string, string> = {
  PENDING: "待支付",
  PAID: "已支付",
  CLOSED: "已关闭",
  PAID_NEEDS_REVIEW: "待核对",
  REFUNDING: "退款中",
  REFUNDED: "已退款",
  PARTLY_REFUNDED: "部分退款",
};
