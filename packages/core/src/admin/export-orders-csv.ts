// The filtered order list as CSV (UTF-8 with BOM so Excel reads the Chinese headers), streamed page by page on the
// list's keyset cursor: memory stays at one page whatever the number of orders. The export is audited before the
// first byte leaves, so an export cut short is in the log too.
import type { CoreDeps } from "../deps";
import { recordAudit } from "../operators/audit";
import type { TOperatorSession } from "../operators/operator-session";
import type { TAdminOrderCursor, TAdminOrderFilter } from "./list-admin-orders";
import { listAdminOrders } from "./list-admin-orders";
import { yuanFromFen } from "./yuan";

/** Rows per database round trip while streaming. */
export const CSV_EXPORT_PAGE_ROWS = 1000;

export const CSV_HEADER =
  "订单号,客户,金额（元）,金额（分）,状态,渠道,API 版本,微信支付单号,创建时间,支付时间";

/**
 * One CSV cell. A cell a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) is
 * defused with a leading apostrophe (OWASP's CSV-injection advice); quoting alone does not stop Excel evaluating it.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export async function exportOrdersCsv(
  deps: CoreDeps,
  session: TOperatorSession,
  input: TAdminOrderFilter & { ip: string },
): Promise<AsyncGenerator<string, void, undefined>> {
  const { ip, ...filter } = input;
  await recordAudit(
    deps.db,
    {
      operatorId: session.operator.id,
      username: session.operator.username,
      action: "EXPORT",
      ip,
      data: { filter: JSON.parse(JSON.stringify(filter)) as Record<string, unknown>, format: "csv" },
    },
    deps.now(),
  );
  return (async function* rows() {
    yield `\uFEFF${CSV_HEADER}\r\n`;
    let cursor: TAdminOrderCursor | undefined;
    for (;;) {
      const page = await listAdminOrders(deps, {
        ...filter,
        ...(cursor ? { cursor } : {}),
        limit: CSV_EXPORT_PAGE_ROWS,
      });
      if (page.rows.length > 0) {
        yield page.rows
          .map(
            (o) =>
              [
                o.id,
                o.customerId,
                yuanFromFen(o.amountFen),
                String(o.amountFen),
                o.status,
                o.channel ?? "",
                o.apiVersion ?? "",
                o.transactionId ?? "",
                o.createdAt.toISOString(),
                o.paidAt?.toISOString() ?? "",
              ]
                .map(csvCell)
                .join(",") + "\r\n",
          )
          .join("");
      }
      if (!page.next) return;
      cursor = page.next;
    }
  })();
}
