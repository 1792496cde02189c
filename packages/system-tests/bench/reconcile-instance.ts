// One shop instance's reconciliation pass, as its own process (so two of them are two instances, not two pools in one
// event loop): createCoreDeps on the database, reconcilePass over every due attempt, then prints the pass's stats and
// wall time as one JSON line. Usage: tsx bench/reconcile-instance.ts <database url> <sim url>
import { createCoreDeps, reconcilePass, silentLogger } from "@wxpay/core";
import { createDbHandle } from "@wxpay/db";

import { benchCoreConfig } from "../src/bench-fixtures";

const [databaseUrl, simUrl] = process.argv.slice(2);
if (!databaseUrl || !simUrl) throw new Error("usage: reconcile-instance <database url> <sim url>");
const handle = await createDbHandle({ databaseUrl });
const deps = createCoreDeps({
  db: handle.db,
  log: silentLogger,
  config: benchCoreConfig,
  wechat: { payBase: simUrl, apiBase: simUrl, openBase: simUrl },
});
const started = performance.now();
const stats = await reconcilePass(deps, { maxAttempts: 1_000_000 });
console.log(JSON.stringify({ ms: performance.now() - started, ...stats }));
await handle.close();
