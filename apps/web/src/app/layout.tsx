import type { Metadata, Viewport } from "next";

import { TRPCReactProvider } from "~/trpc/react";

import "./globals.css";

export const metadata: Metadata = {
  title: "茶与器 · 微信支付示例商店",
  description: "H5、公众号与小程序三端统一的微信支付示例商店",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#07c160" };

export default function RootLayout(props: { children: React.ReactNode }) {
  return (
    <html lang="zh-CN">
      <body>
        <TRPCReactProvider>{props.children}</TRPCReactProvider>
      </body>
    </html>
  );
}
