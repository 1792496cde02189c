// `tsx scripts/probe-purchase-web.ts [purchases=200]`: createOrder + prepay(h5) end to end through the production
// server (`apps/web`'s shop-server: the tRPC path without Next's router), sequentially, against signed unifiedorder
// calls made directly to the simulator in the same run, interleaved one by one — the bench's createOrder + prepay row
// without the rest of the bench. Abuse limits off, as the bench runs. Needs `pnpm --filter @wxpay/web build`.
import os from "node:os";

import { directUnifiedOrder } from "../src/bench-fixtures";
import { percentile } from "../src/load";
import { Shopper } from "../src/shopper";
import { startSystem } from "../src/system";
import { startWeb } from "../src/web-process";

const PURCHASES = Number(process.argv[2] ?? 200);
const WARM_UP = 40;
const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ");

const sys = await startSystem();
const web = await startWeb({
  databaseUrl: sys.databaseUrl,
  simUrl: sys.sim.url,
  reconcileIntervalSeconds: 0,
});
const unifiedOrder = directUnifiedOrder(sys.sim.url, web.url);
const shopper = new Shopper(web.url);

/** The `ms` of the API's own `trpc` log lines the web process printed so far, in order, from line `from` on. */
function procedureMs(from: number): { lines: number; ms: number[] } {
  const lines = web.output().split("\n");
  const ms: number[] = [];
  for (const line of lines.slice(from)) {
    if (!line.includes('"msg":"trpc"')) continue;
    const l = JSON.parse(line.slice(line.indexOf("{"))) as { ms: number };
    ms.push(l.ms);
  }
  return { lines: lines.length - 1, ms };
}

try {
  const client: number[] = [];
  const inside: number[] = [];
  const insideCreate: number[] = [];
  const insidePrepay: number[] = [];
  const direct: number[] = [];
  console.log(`load average before: ${loadAverage()}`);
  for (let i = 0; i < WARM_UP + PURCHASES; i++) {
    const seen = procedureMs(0).lines;
    const t = performance.now();
    await shopper.placeH5Order();
    const c = performance.now() - t;
    const d = await unifiedOrder();
    // The process's log lines reach us a moment after the reply.
    await new Promise((r) => setTimeout(r, 5));
    const { ms } = procedureMs(seen);
    if (i < WARM_UP) continue;
    if (process.env.LOG_LEVEL !== "warn" && ms.length !== 2) throw new Error(`expected two trpc log lines, got ${ms.length}`);
    client.push(c);
    inside.push((ms[0] ?? 0) + (ms[1] ?? 0));
    insideCreate.push(ms[0] ?? 0);
    insidePrepay.push(ms[1] ?? 0);
    direct.push(d);
  }
  const p = (xs: number[], q: number) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      q,
    );
  console.log(`load average after: ${loadAverage()}`);
  console.log(
    `${PURCHASES} purchases (createOrder + prepay h5) through ${web.url}, sequential; ms p50 / p99`,
  );
  console.log(`  client-side, both calls:        ${p(client, 50).toFixed(2)} / ${p(client, 99).toFixed(2)}`);
  console.log(`  inside the procedures, both:    ${p(inside, 50).toFixed(2)} / ${p(inside, 99).toFixed(2)}`);
  console.log(
    `  inside createOrder:             ${p(insideCreate, 50).toFixed(2)} / ${p(insideCreate, 99).toFixed(2)}`,
  );
  console.log(
    `  inside prepay:                  ${p(insidePrepay, 50).toFixed(2)} / ${p(insidePrepay, 99).toFixed(2)}`,
  );
  console.log(`  direct unifiedorder:            ${p(direct, 50).toFixed(2)} / ${p(direct, 99).toFixed(2)}`);
  console.log(`  end to end − unifiedorder, p50: ${(p(client, 50) - p(direct, 50)).toFixed(2)}`);
  console.log(`  inside − unifiedorder, p50:     ${(p(inside, 50) - p(direct, 50)).toFixed(2)}`);
} finally {
  await web.stop();
  await sys.close();
}
