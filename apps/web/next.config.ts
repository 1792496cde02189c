import path from "node:path";

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
  // Production artifact: .next/standalone holds server.js and only the files it needs (traced from the
  // repository root, so the workspace packages come along); the Docker image is exactly that folder.
  output: "standalone",
  outputFileTracingRoot: path.join(import.meta.dirname, "../.."),
  // The committed migrations are read from disk at start-up (packages/db finds them from the working directory).
  outputFileTracingIncludes: { "/*": ["../../packages/db/drizzle/**/*"] },
  // WeChat's domain verification files live at the site root (MP_verify_<code>.txt, from WECHAT_MP_VERIFY).
  async rewrites() {
    return [{ source: "/:file(MP_verify_[A-Za-z0-9]+\\.txt)", destination: "/api/wechat/mp-verify/:file" }];
  },
};

export default config;
