// `build`: bundles the migrate command into one file (dist/migrate.mjs) that runs on plain Node with no
// node_modules, so the production image migrates with the same code and committed SQL as development.
import path from "node:path";

import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "../..");
await build({
  entryPoints: [path.join(root, "src/bin/migrate.ts")],
  outfile: path.join(root, "dist/migrate.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Embedded PGlite is for development only; production migrates PostgreSQL (DATABASE_URL).
  // (drizzle's PGlite driver imports it statically, so it stays out too: a dynamic import that never runs here.)
  external: ["@electric-sql/pglite", "drizzle-orm/pglite", "drizzle-orm/pglite/*"],
  // Bundled CommonJS modules may call require() for Node's built-ins.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  logLevel: "warning",
});
