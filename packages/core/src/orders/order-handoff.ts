// The desktop→phone handoff: a desktop browser cannot pay, so it shows a link (a QR code) that opens the order on
// the shopper's phone with the same customer session. The link is a bearer credential for the customer, so it is
// single-use, short-lived, stored server-side (only its hash), and it never silently replaces a session the phone
// already has: that would let anyone who sends a link bind the victim's browser (and its openid) to their account.
import crypto from "node:crypto";

import { and, eq, gt, isNull, lt } from "drizzle-orm";

import { handoffLinks } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import { randomBase62 } from "../ids";
import type { TSession } from "../session/session-token";
import { sealH5Session } from "../session/session-token";
import { findOwnedOrder } from "./order-view";

export const HANDOFF_PATH = "/api/orders/handoff";
/** Long enough to scan a QR code and open it, short enough that a photographed code is soon worthless. */
export const HANDOFF_TTL_MS = 2 * 60 * 1000;

const hashOf = (token: string) => crypto.createHash("sha256").update(token).digest("hex");
const isToken = (t: string | null | undefined): t is string =>
  typeof t === "string" && /^[0-9A-Za-z]{32}$/.test(t);

/** The owner's link (for a QR code) that opens this order on another device with the same customer session. */
export async function orderHandoffLink(
  deps: CoreDeps,
  session: TSession | undefined,
  orderId: string,
): Promise<{ url: string; expiresAt: Date }> {
  if (!session || session.kind !== "h5") throw new CoreError("NOT_FOUND", "订单不存在");
  await findOwnedOrder(deps, session.customerId, orderId);
  const now = deps.now();
  const token = randomBase62(32);
  const expiresAt = new Date(now.getTime() + HANDOFF_TTL_MS);
  // Spent and lapsed links of this customer are of no further use.
  await deps.db
    .delete(handoffLinks)
    .where(and(eq(handoffLinks.customerId, session.customerId), lt(handoffLinks.expiresAt, now)));
  await deps.db.insert(handoffLinks).values({
    tokenHash: hashOf(token),
    customerId: session.customerId,
    orderId,
    createdAt: now,
    expiresAt,
  });
  return { url: `${deps.config.appUrl}${HANDOFF_PATH}?t=${token}`, expiresAt };
}

export type THandoffOutcome =
  /** Unknown, already used or expired. */
  | { kind: "invalid" }
  /** This browser has a session of another customer: ask the shopper before switching (nothing spent yet). */
  | { kind: "confirm"; token: string }
  /** Spent: the session cookie to set and the order page to show. */
  | { kind: "switched"; cookie: string; orderId: string };

/**
 * Opening a handoff link. A browser with no session, or with the link's own customer, continues at once; one with
 * another customer's session gets `confirm` until the shopper has said yes (`confirmed`). Spending the link is one
 * conditional UPDATE, so of two openings (on any instances) exactly one succeeds.
 */
export async function acceptHandoff(
  deps: CoreDeps,
  input: { token: string | null | undefined; session: TSession | undefined; confirmed: boolean },
): Promise<THandoffOutcome> {
  const { token, session } = input;
  if (!isToken(token)) return { kind: "invalid" };
  const now = deps.now();
  const live = and(
    eq(handoffLinks.tokenHash, hashOf(token)),
    isNull(handoffLinks.usedAt),
    gt(handoffLinks.expiresAt, now),
  );
  const [link] = await deps.db.select().from(handoffLinks).where(live).limit(1);
  if (!link) return { kind: "invalid" };
  if (session && session.customerId !== link.customerId && !input.confirmed)
    return { kind: "confirm", token };
  const [spent] = await deps.db
    .update(handoffLinks)
    .set({ usedAt: now })
    .where(live)
    .returning({ customerId: handoffLinks.customerId, orderId: handoffLinks.orderId });
  if (!spent) return { kind: "invalid" };
  // The phone's own WeChat identity is learnt again by OAuth: an openid never travels with a handoff.
  const { cookie } = sealH5Session(deps.config.sessionSecret, { customerId: spent.customerId }, now);
  return { kind: "switched", cookie, orderId: spent.orderId };
}
