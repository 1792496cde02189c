// The console's refund button: the shop's one refund use case, with who asked and what changed in the audit log.
import type { CoreDeps } from "../deps";
import { isCoreError } from "../errors";
import { recordAudit } from "../operators/audit";
import type { TOperatorSession } from "../operators/operator-session";
import type { TRequestRefundResult } from "../refunds/request-refund";
import { requestRefund } from "../refunds/request-refund";

export async function adminRefund(
  deps: CoreDeps,
  session: TOperatorSession,
  input: { orderId: string; outTradeNo: string; amountFen: number; reason: string; ip: string },
): Promise<TRequestRefundResult> {
  const who = { operatorId: session.operator.id, username: session.operator.username, ip: input.ip };
  const asked = { outTradeNo: input.outTradeNo, amountFen: input.amountFen, reason: input.reason };
  try {
    const r = await requestRefund(deps, {
      orderId: input.orderId,
      outTradeNo: input.outTradeNo,
      amountFen: input.amountFen,
      reason: input.reason,
      requestedBy: session.operator.username,
    });
    await recordAudit(
      deps.db,
      {
        ...who,
        action: "REFUND",
        orderId: input.orderId,
        data: { ...asked, outRefundNo: r.outRefundNo, refundStatus: r.status, orderStatus: r.orderStatus },
      },
      deps.now(),
    );
    return r;
  } catch (err) {
    // A refused refund is an action too: who tried what, and why it did not go.
    await recordAudit(
      deps.db,
      {
        ...who,
        action: "REFUND",
        orderId: input.orderId,
        data: { ...asked, refused: isCoreError(err) ? `${err.code}: ${err.message}` : "internal error" },
      },
      deps.now(),
    );
    throw err;
  }
}
