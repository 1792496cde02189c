// `tsx scripts/notify-round-trips.ts [rounds=3] [notifies=2000]`: where the notify path's time goes. In one process,
// on one database, interleaved: core's handlePayNotify (drizzle: BEGIN, a locking SELECT, one CTE transition, the delivery record, COMMIT), the same ten
// statements written directly with postgres.js (unprepared like drizzle sends them, then prepared), and a sketch of
// the same happy path in four round trips (BEGIN; one SELECT … FOR UPDATE joining attempt and
// order; one statement whose CTEs write attempt, order, sibling attempts, PAID event and delivery record; COMMIT),
// written directly with postgres.js. The sketch covers only the APPLIED path: it measures, it is not a replacement.
import crypto from "node:crypto";

import postgres from "postgres";

import { createCoreDeps, handlePayNotify, silentLogger } from "@wxpay/core";
import { createDbHandle } from "@wxpay/db";
import { parsePayNotify, replyXml } from "@wxpay/wechatpay";
import { SANDBOX } from "@wxpay/wechat-sim";

import { median } from "../src/load";
import { benchCoreConfig, payableNotifies } from "../src/bench-fixtures";
import { startSystem } from "../src/system";

const ROUNDS = Number(process.argv[2] ?? 3);
const N = Number(process.argv[3] ?? 2000);
const CONCURRENCY = 32;

const sys = await startSystem();
const handle = await createDbHandle({ databaseUrl: sys.databaseUrl });
await handle.migrate();
const deps = createCoreDeps({
  db: handle.db,
  log: silentLogger,
  config: benchCoreConfig,
  wechat: { payBase: sys.sim.url, apiBase: sys.sim.url, openBase: sys.sim.url },
});
// The same pool size as the web app's (10). drizzle's postgres-js driver sends every statement unprepared (it passes
// prepare: false unless a query is given a name), so postgres.js describes each parameterized statement first: one
// more round trip per statement. `unprepared` reproduces that wire behaviour without drizzle.
const prepared = postgres(sys.databaseUrl, { max: 10, onnotice: () => {} });
const unprepared = postgres(sys.databaseUrl, { max: 10, onnotice: () => {}, prepare: false });
const notifyConfig = {
  mchId: SANDBOX.mchId,
  appIds: [SANDBOX.officialAppId],
  keys: [SANDBOX.key],
  signType: "MD5" as const,
};
const OK = replyXml(true);

let batch = 0;
const freshNotifies = (n: number) => payableNotifies(sys.sql, { prefix: "RT", batch: ++batch, n });

/** The APPLIED path in four round trips. */
async function fourRoundTrips(sql: postgres.Sql, body: string): Promise<string> {
  const parsed = parsePayNotify(body, notifyConfig);
  if (!parsed.ok) return replyXml(false, parsed.rejection.code);
  const n = parsed.notification;
  const sha = crypto.createHash("sha256").update(body).digest("hex");
  return sql.begin(async (tx) => {
    const [a] = await tx<
      { id: string; orderId: string; amountFen: number; txid: string | null; status: string }[]
    >`
      select a.id, a.order_id as "orderId", a.amount_fen as "amountFen", a.transaction_id as txid, o.status::text as status
        from payment_attempts a join orders o on o.id = a.order_id
       where a.out_trade_no = ${n.outTradeNo} for update of o`;
    if (!a || a.txid !== null || a.status !== "PENDING" || a.amountFen !== n.totalFeeFen)
      throw new Error("not the APPLIED path");
    const [r] = await tx<{ paid: number }[]>`
      with pa as (
        update payment_attempts set status = 'PAID', transaction_id = ${n.transactionId}, paid_at = ${n.paidAt}, next_check_at = null,
               updated_at = now() where id = ${a.id} returning id),
      po as (
        update orders set status = 'PAID', paid_attempt_id = ${a.id}, transaction_id = ${n.transactionId}, paid_at = ${n.paidAt},
               updated_at = now() where id = ${a.orderId} and status = 'PENDING' and exists (select 1 from pa) returning id),
      sup as (
        update payment_attempts set status = 'SUPERSEDED', updated_at = now()
         where order_id = ${a.orderId} and id <> ${a.id} and status in ('CREATED', 'PREPAID') and exists (select 1 from po)),
      ev as (
        insert into order_events (order_id, attempt_id, type, source, data)
        select ${a.orderId}, ${a.id}, 'PAID', 'notify', ${sql.json({ transactionId: n.transactionId, totalFeeFen: n.totalFeeFen })} from po),
      pn as (
        insert into payment_notifications (body_sha256, raw_xml, out_trade_no, transaction_id, attempt_id, verdict, reply)
        values (${sha}, ${body}, ${n.outTradeNo}, ${n.transactionId}, ${a.id}, 'APPLIED', ${OK}))
      select count(*)::int as paid from po`;
    if (r?.paid !== 1) throw new Error("not applied");
    return OK;
  });
}

/** The same ten statements as core's path (BEGIN, three SELECTs, three UPDATEs, two INSERTs, COMMIT), without drizzle. */
async function tenStatements(sql: postgres.Sql, body: string): Promise<string> {
  const parsed = parsePayNotify(body, notifyConfig);
  if (!parsed.ok) return replyXml(false, parsed.rejection.code);
  const n = parsed.notification;
  const sha = crypto.createHash("sha256").update(body).digest("hex");
  return sql.begin(async (tx) => {
    const [found] = await tx<{ id: string; orderId: string }[]>`
      select id, order_id as "orderId" from payment_attempts where out_trade_no = ${n.outTradeNo} limit 1`;
    if (!found) throw new Error("unknown");
    const [o] = await tx<{ status: string }[]>`select * from orders where id = ${found.orderId} for update`;
    const [a] = await tx<{ amountFen: number; transactionId: string | null }[]>`
      select amount_fen as "amountFen", transaction_id as "transactionId" from payment_attempts where id = ${found.id}`;
    if (!o || !a || a.transactionId !== null || o.status !== "PENDING")
      throw new Error("not the APPLIED path");
    await tx`update payment_attempts set status = 'PAID', transaction_id = ${n.transactionId}, paid_at = ${n.paidAt},
             next_check_at = null, updated_at = now() where id = ${found.id}`;
    await tx`update orders set status = 'PAID', paid_attempt_id = ${found.id}, transaction_id = ${n.transactionId},
             paid_at = ${n.paidAt}, updated_at = now() where id = ${found.orderId} and status = 'PENDING' returning id`;
    await tx`update payment_attempts set status = 'SUPERSEDED', updated_at = now()
             where order_id = ${found.orderId} and id <> ${found.id} and status in ('CREATED', 'PREPAID')`;
    await tx`insert into order_events (order_id, attempt_id, type, source, data)
             values (${found.orderId}, ${found.id}, 'PAID', 'notify', ${sql.json({ transactionId: n.transactionId })})`;
    await tx`insert into payment_notifications (body_sha256, raw_xml, out_trade_no, transaction_id, attempt_id, verdict, reply)
             values (${sha}, ${body}, ${n.outTradeNo}, ${n.transactionId}, ${found.id}, 'APPLIED', ${OK})`;
    return OK;
  });
}

async function run(name: string, handler: (body: string) => Promise<string>) {
  const bodies = await freshNotifies(N);
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const body = bodies[next++];
        if (body === undefined) return;
        const reply = await handler(body);
        if (reply !== OK) throw new Error(`${name}: ${reply}`);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { rate: (N / elapsed) * 1000, cpuMs: (cpu.user + cpu.system) / 1000 / N };
}

const variants: Record<string, (body: string) => Promise<string>> = {
  "core (handlePayNotify)": (body) => handlePayNotify(deps, { body }).then((r) => r.reply),
  "postgres.js, same 10, unprepared": (body) => tenStatements(unprepared, body),
  "postgres.js, same 10, prepared": (body) => tenStatements(prepared, body),
  "postgres.js, 4 round trips, prepared": (body) => fourRoundTrips(prepared, body),
};
const names = Object.keys(variants);
try {
  for (const name of names) await run(`warm-up ${name}`, variants[name] as (body: string) => Promise<string>);
  type R = { rate: number; cpuMs: number };
  const results: Record<string, R>[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const round: Record<string, R> = {};
    for (const name of names)
      round[name] = await run(name, variants[name] as (body: string) => Promise<string>);
    results.push(round);
    console.log(
      `round ${i + 1}: ${names.map((n) => `${n} ${round[n]?.rate.toFixed(0)}/s ${round[n]?.cpuMs.toFixed(2)} ms CPU`).join("; ")}`,
    );
  }
  console.log(`\nmedians of ${ROUNDS} rounds, relative to core:`);
  for (const name of names) {
    const rate = median(results.map((r) => (r[name]?.rate ?? 0) / (r[names[0] as string]?.rate ?? 1)));
    const cpu = median(results.map((r) => (r[name]?.cpuMs ?? 0) / (r[names[0] as string]?.cpuMs ?? 1)));
    const abs = median(results.map((r) => r[name]?.rate ?? 0));
    const cpuAbs = median(results.map((r) => r[name]?.cpuMs ?? 0));
    console.log(
      `  ${name}: ${abs.toFixed(0)} notifies/s (x${rate.toFixed(2)}), ${cpuAbs.toFixed(2)} ms CPU per notify (x${cpu.toFixed(2)})`,
    );
  }
} finally {
  await prepared.end({ timeout: 1 });
  await unprepared.end({ timeout: 1 });
  await handle.close();
  await sys.close();
}
