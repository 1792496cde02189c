// What WeChat checks when a user scans a Native code_url: a code it issued, still within its 2 hours, not
// replaced by a newer code_url of the same order (re-ordering refreshes it), for an order that can be paid.
import type { SimContext } from "../context";
import type { Order, Prepay } from "../state";
import { lookupPrepay } from "./orders";

export type CodeUrlLookup =
  | { ok: true; prepay: Prepay; order: Order }
  | { ok: false; reason: "UNKNOWN" | "EXPIRED" | "ORDER_PAID" | "ORDER_CLOSED"; message: string };

const MESSAGES = {
  UNKNOWN: "无效的二维码",
  EXPIRED: "二维码已失效，请刷新页面后重新扫描",
  ORDER_PAID: "该订单已支付，请勿重复支付",
  ORDER_CLOSED: "订单已关闭",
} as const;

export function lookupCodeUrl(ctx: SimContext, codeUrl: string): CodeUrlLookup {
  const fail = (reason: keyof typeof MESSAGES): CodeUrlLookup => ({
    ok: false,
    reason,
    message: MESSAGES[reason],
  });
  const prepay = [...ctx.state.prepays.values()].find(
    (p) => p.codeUrl !== undefined && p.codeUrl === codeUrl,
  );
  if (!prepay) return fail("UNKNOWN");
  const found = lookupPrepay(ctx, prepay.prepayId);
  if (!found.ok) return fail(found.reason === "UNKNOWN" ? "UNKNOWN" : found.reason);
  // WeChat: a re-order with the same parameters returns a new code_url and the old one stops working.
  if (found.order.prepayIds[found.order.prepayIds.length - 1] !== prepay.prepayId) return fail("EXPIRED");
  return { ok: true, prepay, order: found.order };
}
