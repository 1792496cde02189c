import { adminQuery } from "~/server/admin-caller";

import { beijing } from "../format";
import { RunBillCheck } from "./run-bill-check";

export const dynamic = "force-dynamic";

export default async function AdminBillsPage() {
  const runs = await adminQuery((a) => a.bills());
  const yesterday = new Date(Date.now() + 8 * 3600_000 - 86400_000)
    .toISOString()
    .slice(0, 10)
    .replaceAll("-", "");
  return (
    <>
      <h1>对账</h1>
      <RunBillCheck defaultDate={yesterday} />
      <table data-testid="bills-table">
        <thead>
          <tr>
            <th>账单日</th>
            <th>运行</th>
            <th>交易</th>
            <th>一致</th>
            <th>差异</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((b) => (
            <tr key={b.id}>
              <td>{b.billDate}</td>
              <td>
                {beijing(b.startedAt)} · {b.ranBy}
              </td>
              <td className="num">{b.trades ?? "—"}</td>
              <td className="num">{b.matched ?? "—"}</td>
              <td>
                {b.error && <div className="error">未完成：{b.error}</div>}
                {b.differences.length === 0 && !b.error && <span className="ok">无差异</span>}
                {b.differences.map((d, i) => (
                  <pre key={i}>{JSON.stringify(d)}</pre>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {runs.length === 0 && <p className="muted">还没有对账记录（命令：pnpm --filter @wxpay/web bill）。</p>}
    </>
  );
}
