// GET /api/admin/orders/export?<filter>: the console's order list as CSV, streamed — one keyset page at a time from
// the database to the socket, so a million orders never sit in memory. Same session, role (operator) and filter
// as admin.orders; the export is audited before the first byte. Only a same-origin (or typed-in) request is served:
// the console's cookie is SameSite=Strict, and a cross-site fetch metadata header is refused as well.
import type { CoreDeps } from "@wxpay/core";
import { clientIpFrom, exportOrdersCsv } from "@wxpay/core";

import { adminAccess } from "./admin-session";
import { filterOf, ZOrderFilter } from "./routers/admin";

export const ORDERS_EXPORT_PATH = "/api/admin/orders/export";

const refuse = (status: number, appCode: string, message: string) =>
  Response.json({ error: { appCode, message } }, { status, headers: { "cache-control": "no-store" } });

export async function handleOrdersExport(deps: CoreDeps, request: Request): Promise<Response> {
  if (request.method !== "GET") return refuse(405, "BAD_INPUT", "use GET");
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") {
    return refuse(403, "FORBIDDEN", "cross-origin request refused");
  }
  const access = await adminAccess(deps, request.headers, "operator");
  if (!access.ok) {
    return access.why === "LOGIN_REQUIRED"
      ? refuse(401, "LOGIN_REQUIRED", "请先登录后台")
      : access.why === "PASSWORD_CHANGE_REQUIRED"
        ? refuse(403, "PASSWORD_CHANGE_REQUIRED", "请先修改初始密码")
        : refuse(403, "FORBIDDEN", "你的角色不能执行这项操作");
  }
  const params = Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== ""));
  const parsed = ZOrderFilter.safeParse(params);
  if (!parsed.success) return refuse(400, "BAD_INPUT", "筛选条件有误");
  const clientIp = clientIpFrom(request.headers.get("x-forwarded-for"), deps.config.trustProxyHops);
  const lines = await exportOrdersCsv(deps, access.operator, { ...filterOf(parsed.data), ip: clientIp });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        deps.log.error("orders export failed", { error: err });
        controller.error(err);
      }
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  const day = deps.now().toISOString().slice(0, 10).replace(/-/g, "");
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="orders-${day}.csv"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
