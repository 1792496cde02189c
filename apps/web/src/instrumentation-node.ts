// Server start on the Node.js runtime: open the database, apply committed migrations, start reconciliation.
import os from "node:os";

import { startCertificateUpkeep, startReconciler } from "@wxpay/core";

import { env } from "./env";
import { coreDeps, dbHandle } from "./server/deps";
import { registerDirectRouter } from "./server/direct-routes";

export async function startServer(): Promise<void> {
  try {
    env();
  } catch (err) {
    // A shop with a wrong configuration must not half-start (Next would keep the port open and answer 500s): say
    // what is wrong and stop, so a process manager or the container's health check sees it at once.
    console.error(`[config] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  const handle = await dbHandle();
  // The production server (shop-server.mjs) answers the notify and tRPC paths through these, without Next's router.
  registerDirectRouter();
  if (env().MIGRATE_ON_START) {
    console.log(`[db] ${handle.driver} ready, migrations applied`);
  } else {
    // Production migrates as a deploy step; until it has run, /api/health answers 503 (migrations-pending).
    const { migrations } = await handle.health();
    console.log(
      `[db] ${handle.driver} ready, ${migrations.applied}/${migrations.expected} migrations applied`,
    );
  }
  // v3 certificate and switching modes: the platform certificates are loaded now and looked at every 10 minutes.
  startCertificateUpkeep(await coreDeps(), { intervalMs: 10 * 60_000 });
  const intervalSeconds = env().RECONCILE_INTERVAL_SECONDS;
  if (intervalSeconds > 0) {
    startReconciler(await coreDeps(), {
      instance: `${os.hostname()}:${process.pid}`,
      intervalMs: intervalSeconds * 1000,
    });
  }
}
