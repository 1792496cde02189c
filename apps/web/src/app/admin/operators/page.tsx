import { TRPCError } from "@trpc/server";

import { adminQuery } from "~/server/admin-caller";

import { beijing } from "../format";
import { OperatorActions } from "./operator-actions";

export const dynamic = "force-dynamic";

const ROLE_LABEL: Record<string, string> = { viewer: "只读", operator: "运营", admin: "管理员" };

export default async function AdminOperatorsPage() {
  const me = await adminQuery((a) => a.me());
  let list;
  try {
    list = await adminQuery((a) => a.operators());
  } catch (err) {
    if (err instanceof TRPCError && err.code === "FORBIDDEN") {
      return (
        <>
          <h1>操作员</h1>
          <p className="error">只有管理员可以查看和管理操作员。</p>
        </>
      );
    }
    throw err;
  }
  return (
    <>
      <h1>操作员（{list.length}）</h1>
      <p className="muted">
        停用会立即结束该操作员的所有会话；角色修改立即生效。至少保留一位启用的管理员。新增操作员：
        <code>pnpm --filter @wxpay/web operator add &lt;用户名&gt; --role viewer|operator|admin</code>
      </p>
      <table data-testid="operators-table">
        <thead>
          <tr>
            <th>用户名</th>
            <th>角色</th>
            <th>状态</th>
            <th>最近活动</th>
            <th>创建时间</th>
            <th>操作</th>
          </tr>
        </thead>
        <tbody>
          {list.map((o) => (
            <tr key={o.username} data-operator={o.username}>
              <td>
                {o.username}
                {o.username === me.operator.username && <span className="muted">（你）</span>}
              </td>
              <td>{ROLE_LABEL[o.role] ?? o.role}</td>
              <td className={o.disabled ? "bad" : ""}>
                {o.disabled ? "已停用" : o.mustChangePassword ? "待修改初始密码" : "启用"}
              </td>
              <td>{beijing(o.lastSeenAt)}</td>
              <td>{beijing(o.createdAt)}</td>
              <td>
                <OperatorActions
                  username={o.username}
                  role={o.role}
                  disabled={o.disabled}
                  self={o.username === me.operator.username}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
