// The operator console's own root layout: nothing here (or under /admin) is part of a shopper's page.
import type { Metadata } from "next";
import Link from "next/link";

import "./admin.css";

export const metadata: Metadata = { title: "茶与器 · 运营后台", robots: { index: false, follow: false } };

export default function AdminLayout(props: { children: React.ReactNode }) {
  return (
    <html lang="zh-CN">
      <body className="admin">
        <nav className="admin-nav">
          <strong>运营后台</strong>
          <Link href="/admin">概览</Link>
          <Link href="/admin/orders">订单</Link>
          <Link href="/admin/review">待核对</Link>
          <Link href="/admin/refunds">退款</Link>
          <Link href="/admin/notifications">支付通知</Link>
          <Link href="/admin/bills">对账</Link>
          <Link href="/admin/audit">操作日志</Link>
          <Link href="/admin/operators">操作员</Link>
        </nav>
        <main className="admin-main">{props.children}</main>
      </body>
    </html>
  );
}
