// The process's core dependencies, built once from the validated configuration.
import type { CoreDeps } from "@wxpay/core";
import type { DbHandle } from "@wxpay/db";
import { sharedDbHandle } from "@wxpay/db";

import { env } from "~/env";

export function dbHandle(): Promise<DbHandle> {
  const e = env();
  return sharedDbHandle({ databaseUrl: e.DATABASE_URL, pgliteDataDir: e.pgliteDataDir });
}

export async function coreDeps(): Promise<CoreDeps> {
  const handle = await dbHandle();
  return { db: handle.db, now: () => new Date() };
}
