import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  // Internal packages ship TypeScript source; Next compiles them.
  transpilePackages: ["@wxpay/api", "@wxpay/core", "@wxpay/db", "@wxpay/wechatpay"],
  // PGlite's WASM and data files must not be bundled.
  serverExternalPackages: ["@electric-sql/pglite"],
  // Typecheck and lint are their own turbo tasks.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
};

export default config;
