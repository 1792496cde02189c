// `pnpm --filter @wxpay/web assemble <dir>`: the production artifact, after `pnpm turbo run build
// --filter=@wxpay/web`. <dir> gets Next's standalone output (server.js and only the files it needs), the static
// assets and public files beside it, and the bundled operator commands. The Dockerfile copies exactly this folder
// into the image, and the standalone system test starts server.js from it.
//   <dir>/apps/web/shop-server.mjs           node apps/web/shop-server.mjs (PORT, HOSTNAME): Next plus the direct paths
//   <dir>/packages/db/dist/migrate.mjs       node packages/db/dist/migrate.mjs
//   <dir>/apps/web/dist/*.mjs                node apps/web/dist/{doctor,bill,reconcile,refund}.mjs [args]
import fs from "node:fs";
import path from "node:path";

const web = path.resolve(import.meta.dirname, "..");
const repo = path.resolve(web, "../..");
const dest = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
if (!dest) {
  console.error("usage: pnpm --filter @wxpay/web assemble <dir>");
  process.exit(2);
}
const parts: [from: string, to: string][] = [
  [path.join(web, ".next/standalone"), dest],
  [path.join(web, ".next/static"), path.join(dest, "apps/web/.next/static")],
  [path.join(web, "public"), path.join(dest, "apps/web/public")],
  [path.join(web, "shop-server.mjs"), path.join(dest, "apps/web/shop-server.mjs")],
  [path.join(web, "dist"), path.join(dest, "apps/web/dist")],
  [path.join(repo, "packages/db/dist"), path.join(dest, "packages/db/dist")],
];
const optional = path.join(web, "public");
for (const [from] of parts) {
  if (from !== optional && !fs.existsSync(from)) {
    console.error(
      `${path.relative(repo, from)} is missing: run \`pnpm turbo run build --filter=@wxpay/web\` first`,
    );
    process.exit(1);
  }
}
fs.rmSync(dest, { recursive: true, force: true });
for (const [from, to] of parts) {
  // pnpm's layout is relative symlinks: copy them as they are, so the folder moves as a whole.
  if (fs.existsSync(from)) fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}
console.log(`assembled ${dest}`);
