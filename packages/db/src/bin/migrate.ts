// Applies committed migrations to DATABASE_URL (or the PGlite dir) and exits: `pnpm --filter @wxpay/db migrate`,
// in the image `node packages/db/dist/migrate.mjs`. A deploy step: run it before the new version starts, while the
// previous one still serves (migrations only expand the schema; see the README's contributor notes).
// Idempotent: a second run applies nothing. Concurrent runs are serialised by an advisory lock.
import { createDbHandle } from "../client";

const databaseUrl = process.env.DATABASE_URL?.trim();
if (!databaseUrl && process.env.NODE_ENV === "production") {
  console.error("DATABASE_URL is empty: production migrates a PostgreSQL server, never an embedded PGlite");
  process.exit(1);
}
const handle = await createDbHandle({ databaseUrl, pgliteDataDir: process.env.PGLITE_DATA_DIR });
try {
  const before = await handle.health();
  await handle.migrate();
  const after = await handle.health();
  console.log(
    JSON.stringify({
      driver: handle.driver,
      applied: after.migrations.applied - before.migrations.applied,
      migrations: after.migrations,
      ok: after.ok,
    }),
  );
  if (!after.ok) process.exitCode = 1;
} finally {
  await handle.close();
}
