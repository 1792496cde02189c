import Link from "next/link";

import { adminQuery } from "~/server/admin-caller";

import { beijing } from "../format";

export const dynamic = "force-dynamic";

const ACTION: Record<string, string> = {
  LOGIN: "登录",
  LOGIN_FAILED: "登录失败",
  LOGOUT: "退出",
  PASSWORD_CHANGED: "修改密码",
  REFUND: "退款",
  RESOLVE_REVIEW: "核对完成",
  EXPORT: "导出",
  OPERATOR_ADDED: "新增操作员",
  OPERATOR_DISABLED: "停用操作员",
  OPERATOR_ENABLED: "启用操作员",
  OPERATOR_ROLE_CHANGED: "修改角色",
};

export default async function AdminAuditPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const before = Number((await props.searchParams).before) || undefined;
  const r = await adminQuery((a) => a.audit({ limit: 100, ...(before ? { before } : {}) }));
  return (
    <>
      <h1>操作日志</h1>
      <p className="muted">只增不改：数据库拒绝修改或删除这张表。</p>
      <table data-testid="audit-table">
        <thead>
          <tr>
            <th>时间</th>
            <th>操作员</th>
            <th>操作</th>
            <th>来源</th>
            <th>订单</th>
            <th>内容</th>
          </tr>
        </thead>
        <tbody>
          {r.rows.map((a) => (
            <tr key={a.id}>
              <td className="nowrap">{beijing(a.at)}</td>
              <td className="nowrap">{a.username}</td>
              <td className={a.action === "LOGIN_FAILED" ? "bad nowrap" : "nowrap"}>
                {ACTION[a.action] ?? a.action}
              </td>
              <td>{a.ip ?? "—"}</td>
              <td>{a.orderId ? <Link href={`/admin/orders/${a.orderId}`}>{a.orderId}</Link> : "—"}</td>
              <td>
                <pre>{JSON.stringify(a.data)}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.nextBefore && <Link href={`/admin/audit?before=${r.nextBefore}`}>更早 →</Link>}
    </>
  );
}
