// The filtered order list as CSV (UTF-8 with BOM so Excel reads the Chinese headers), capped, and audited.
import { yuanFromFen } from "./yuan";
import type { CoreDeps } from "../deps";
import { recordAudit } from "../operators/audit";
import type { TOperatorSession } from "../operators/operator-session";
import type { TAdminOrderCursor, TAdminOrderFilter } from "./list-admin-orders";
import { listAdminOrders } from "./list-admin-orders";

export const CSV_EXPORT_MAX_ROWS = 100_000;

const cell = (v: string) => (/[",\n\r]/.test(v) || /^[=+\-@]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export async function exportOrdersCsv(
  deps: CoreDeps,
  session: TOperatorSession,
  input: TAdminOrderFilter & { ip: string },
): Promise<{ csv: string; rows: number }> {
  const lines = ["订单号,客户,金额（元）,金额（分）,状态,渠道,微信支付单号,创建时间,支付时间"];
  let cursor: TAdminOrderCursor | undefined;
  let count = 0;
  while (count < CSV_EXPORT_MAX_ROWS) {
    const page = await listAdminOrders(deps, { ...input, ...(cursor ? { cursor } : {}), limit: 1000 });
    for (const o of page.rows) {
      lines.push(
        [
          o.id,
          o.customerId,
          yuanFromFen(o.amountFen),
          String(o.amountFen),
          o.status,
          o.channels.join(" "),
          o.transactionId ?? "",
          o.createdAt.toISOString(),
          o.paidAt?.toISOString() ?? "",
        ]
          .map(cell)
          .join(","),
      );
    }
    count += page.rows.length;
    if (!page.next) break;
    cursor = page.next;
  }
  const { ip, ...filter } = input;
  await recordAudit(
    deps.db,
    {
      operatorId: session.operator.id,
      username: session.operator.username,
      action: "EXPORT",
      ip,
      data: { filter: JSON.parse(JSON.stringify(filter)) as Record<string, unknown>, rows: count },
    },
    deps.now(),
  );
  return { csv: `\uFEFF${lines.join("\r\n")}\r\n`, rows: count };
}
