import type { Metadata, Viewport } from "next";
import Link from "next/link";

import { env } from "~/env";
import { asWechatModeAvailable } from "~/lib/as-wechat";
import { shopperClient } from "~/lib/shopper-client";
import { TRPCReactProvider } from "~/trpc/react";

import "./globals.css";

export const metadata: Metadata = {
  title: "茶与器 · 微信支付示例商店",
  description: "H5、公众号与小程序三端统一的微信支付示例商店",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#07c160" };

export default async function RootLayout(props: { children: React.ReactNode }) {
  const client = await shopperClient();
  // WeChat's browser brings its own WeixinJSBridge; against the simulator its bridge script stands in for it.
  const bridge = client.simulator && client.kind === "wechat" ? `${client.simulator}/jsbridge.js` : undefined;
  const devLinks = asWechatModeAvailable(env());
  return (
    <html lang="zh-CN">
      <head>
        {/* Synchronous on purpose: the bridge must exist before the page's own scripts run. */}
        {bridge && <script src={bridge} />}
      </head>
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            茶与器
          </Link>
          <Link href="/orders" className="nav-link">
            我的订单
          </Link>
        </header>
        {client.asWechat && (
          <p className="dev-banner" data-testid="as-wechat-banner">
            开发模式：本页按微信内置浏览器处理（模拟器）· <a href="/dev/as-wechat?on=0">退出</a>
          </p>
        )}
        <TRPCReactProvider>{props.children}</TRPCReactProvider>
        {devLinks && !client.asWechat && (
          <p className="dev-footer">
            <a href="/dev/as-wechat?on=1">以微信内置浏览器身份打开（开发模式）</a>
          </p>
        )}
      </body>
    </html>
  );
}
