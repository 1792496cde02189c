import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import type { TSession } from "../session/session-token";
import { HANDOFF_TTL_MS, openHandoff, sealH5Session, sealHandoff } from "../session/session-token";
import { findOwnedOrder } from "./order-view";

export const HANDOFF_PATH = "/api/orders/handoff";

/** The owner's link (for a QR code) that opens this order on another device with the same customer session. */
export async function orderHandoffLink(
  deps: CoreDeps,
  session: TSession | undefined,
  orderId: string,
): Promise<{ url: string; expiresAt: Date }> {
  if (!session || session.kind !== "h5") throw new CoreError("NOT_FOUND", "订单不存在");
  await findOwnedOrder(deps, session.customerId, orderId);
  const now = deps.now();
  const token = sealHandoff(deps.config.sessionSecret, { customerId: session.customerId, orderId }, now);
  return {
    url: `${deps.config.appUrl}${HANDOFF_PATH}?t=${token}`,
    expiresAt: new Date(now.getTime() + HANDOFF_TTL_MS),
  };
}

/** Opening a handoff link: the session cookie to set and the order page to show; undefined when expired or forged. */
export function acceptHandoff(
  deps: CoreDeps,
  token: string | null,
): { cookie: string; orderId: string } | undefined {
  const h = openHandoff(deps.config.sessionSecret, token ?? undefined, deps.now());
  if (!h) return undefined;
  return {
    cookie: sealH5Session(deps.config.sessionSecret, { customerId: h.customerId }),
    orderId: h.orderId,
  };
}
