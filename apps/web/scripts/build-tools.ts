// After `next build`: bundles the operator commands that the production image runs beside server.js (doctor, the
// bill check, reconcile, refund) into dist/*.mjs, each one file on plain Node with no node_modules.
import path from "node:path";

import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
await build({
  entryPoints: ["bill", "doctor", "operator", "reconcile", "refund"].map((name) =>
    path.join(root, "scripts", `${name}.ts`),
  ),
  outdir: path.join(root, "dist"),
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  tsconfig: path.join(root, "tsconfig.json"),
  // Embedded PGlite is for development only; production runs on PostgreSQL (DATABASE_URL).
  // (drizzle's PGlite driver imports it statically, so it stays out too: a dynamic import that never runs here.)
  external: ["@electric-sql/pglite", "drizzle-orm/pglite", "drizzle-orm/pglite/*"],
  // Bundled CommonJS modules may call require() for Node's built-ins.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  logLevel: "warning",
});
