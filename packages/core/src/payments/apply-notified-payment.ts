// The step a verified payment notify comes to, whichever API version sent it: apply the payment and record the
// delivery with its verdict, atomically, and only then choose the reply (in the sender's format). The v2 and v3
// handlers differ in how they verify and how they answer; from here on they are the same.
//
// The usual delivery — the first notify for a PENDING order whose attempt it matches — is one statement, one round
// trip (see applyPaymentAtOnce). Anything else (a duplicate, a mismatch, an order that cannot take the money, a lost
// race) finds that statement changed nothing and takes the general path: one transaction that locks the attempt and
// order (applyPayment) and records the delivery. Either way nothing is acknowledged before its commit.
import { paymentNotifications } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import type { TApplyVerdict, TPaymentEvidence } from "./apply-payment";
import { applyPayment, applyPaymentAtOnce } from "./apply-payment";

/** What a delivery record keeps of the notify besides its verdict: who sent it, its digest, the verified evidence. */
export type TNotifyDelivery = {
  remoteAddr: string | null;
  bodySha256: string;
  bodyBytes: number;
  /** The verified content (v2: the raw XML; v3: the decrypted resource), capped. */
  evidence: string;
  /** The record's detail from the transition's own (v3 adds "api v3", v2 a key-rotation note), at most 500 chars. */
  detail(applied: string | undefined): string | null;
};

export type TNotifyReplies<R> = {
  /** The reply for a verdict of the transition (acknowledged or not is the caller's rule). */
  forVerdict(verdict: TApplyVerdict): R;
  /** The reply when nothing could be committed: WeChat must deliver again. */
  busy: R;
  /** How the reply is kept in the delivery record. */
  stored(reply: R): string;
};

type TEvidence = TPaymentEvidence & {
  /** v2: the sign type the notify verified under; the one-statement path takes only attempts signed the same way. */
  signType?: string | undefined;
};
type TResult<R> = { verdict: TApplyVerdict | "ERROR"; reply: R; orderId?: string };

function recordOf(ev: TEvidence, delivery: TNotifyDelivery) {
  return {
    remoteAddr: delivery.remoteAddr,
    bodySha256: delivery.bodySha256,
    bodyBytes: delivery.bodyBytes,
    rawXml: delivery.evidence,
    outTradeNo: ev.outTradeNo,
    transactionId: ev.transactionId,
  };
}

function failed<R>(deps: CoreDeps, ev: TEvidence, replies: TNotifyReplies<R>, err: unknown): TResult<R> {
  // Nothing was committed: WeChat must deliver again.
  deps.log.error("notify: transaction failed, replying FAIL", {
    outTradeNo: ev.outTradeNo,
    error: String(err),
  });
  return { verdict: "ERROR", reply: replies.busy };
}

/**
 * Only the one-statement path: the result when it applied the payment (or the database failed: FAIL, retry), undefined
 * when one of its guards did not hold and nothing was written.
 */
export async function applyNotifiedPaymentAtOnce<R>(
  deps: CoreDeps,
  ev: TEvidence,
  delivery: TNotifyDelivery,
  replies: TNotifyReplies<R>,
): Promise<TResult<R> | undefined> {
  try {
    const reply = replies.forVerdict("APPLIED");
    const applied = await applyPaymentAtOnce(deps.db, ev, deps.now(), {
      ...recordOf(ev, delivery),
      detail: delivery.detail(undefined),
      reply: replies.stored(reply),
    });
    return applied ? { verdict: "APPLIED", reply, orderId: applied.orderId } : undefined;
  } catch (err) {
    return failed(deps, ev, replies, err);
  }
}

export async function applyNotifiedPayment<R>(
  deps: CoreDeps,
  ev: TEvidence,
  delivery: TNotifyDelivery,
  replies: TNotifyReplies<R>,
  /** false when the caller already tried the one-statement path with this evidence. */
  tryAtOnce = true,
): Promise<TResult<R>> {
  const atOnce = tryAtOnce ? await applyNotifiedPaymentAtOnce(deps, ev, delivery, replies) : undefined;
  if (atOnce) return atOnce;
  const record = recordOf(ev, delivery);
  try {
    return await deps.db.transaction(async (tx) => {
      const applied = await applyPayment(tx, ev, deps.now(), deps.log);
      const reply = replies.forVerdict(applied.verdict);
      await tx.insert(paymentNotifications).values({
        ...record,
        attemptId: applied.attemptId ?? null,
        verdict: applied.verdict,
        detail: delivery.detail(applied.detail),
        reply: replies.stored(reply),
      });
      return { verdict: applied.verdict, reply, ...(applied.orderId ? { orderId: applied.orderId } : {}) };
    });
  } catch (err) {
    return failed(deps, ev, replies, err);
  }
}
