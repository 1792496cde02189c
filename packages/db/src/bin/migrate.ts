// Applies committed migrations to DATABASE_URL (or the PGlite dir) and exits: `pnpm --filter @wxpay/db migrate`.
import { createDbHandle } from "../client";

const handle = await createDbHandle({
  databaseUrl: process.env.DATABASE_URL,
  pgliteDataDir: process.env.PGLITE_DATA_DIR,
});
try {
  await handle.migrate();
  console.log(JSON.stringify(await handle.health()));
} finally {
  await handle.close();
}
