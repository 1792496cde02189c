// `pnpm --filter @wxpay/web bench:console [orders]` (default 1,000,000): fills the database in DATABASE_URL with that
// many orders (one payment attempt each, spread over 90 days, statuses and channels mixed; each paid attempt with its
// paid_at and an APPLIED notify row, each refunded order with a SUCCESS refund) if it holds fewer, then times
// admin.overview (the console's first page) and admin.orders — through the tRPC caller, with an operator session, as
// the console calls them — the latter for each filter, first page and a deep page, and prints p50/p95 in
// milliseconds. A bench, not a test: it never fails on a figure. Use a throwaway database: the seeded orders stay.
// LOG_LEVEL=warn keeps the per-call log lines out of the figures.
import postgres from "postgres";

import { appRouter, createApiContext, createCallerFactory } from "@wxpay/api";
import { ADMIN_COOKIE, addOperator, operatorLogin } from "@wxpay/core";

import { env } from "../src/env";
import { coreDeps, dbHandle } from "../src/server/deps";

const target = Number(process.argv[2] ?? 1_000_000);
const deps = await coreDeps();
if (!env().DATABASE_URL) throw new Error("bench:console needs DATABASE_URL (PostgreSQL)");
const sql = postgres(env().DATABASE_URL ?? "", { max: 1, onnotice: () => {} });

const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from orders`;
if (n < target) {
  const missing = target - n;
  console.log(`seeding ${missing} orders …`);
  const started = Date.now();
  const batch = 100_000;
  for (let done = 0; done < missing; done += batch) {
    const size = Math.min(batch, missing - done);
    await sql`
      with c as (
        insert into customers (id, created_at)
        select 'c_bench' || lpad((${n + done} + g)::text, 12, '0'), now() - interval '90 days'
          from generate_series(1, ${size} / 10 + 1) g
        on conflict do nothing
        returning id
      ), o as (
        insert into orders (id, customer_id, items, amount_fen, status, transaction_id, paid_at, expires_at, created_at, updated_at)
        select 'o_bench' || lpad((${n + done} + g)::text, 16, '0'),
               'c_bench' || lpad((${n + done} + g / 10 + 1)::text, 12, '0'),
               '[{"sku":"CUP-CELADON","title":"龙泉青瓷品茗杯","qty":1,"priceFen":5900}]'::jsonb,
               5900,
               (array['PAID','PAID','PAID','CLOSED','PENDING','REFUNDED','PARTLY_REFUNDED','PAID_NEEDS_REVIEW'])[1 + g % 8]::order_status,
               case when g % 8 in (0,1,2,5,6,7) then '42000bench' || lpad((${n + done} + g)::text, 18, '0') end,
               case when g % 8 in (0,1,2,5,6,7) then now() - ((${n + done} + g)::bigint * 7776000 / ${target}::bigint) * interval '1 second' end,
               now() - ((${n + done} + g)::bigint * 7776000 / ${target}::bigint) * interval '1 second' + interval '30 minutes',
               now() - ((${n + done} + g)::bigint * 7776000 / ${target}::bigint) * interval '1 second',
               now()
          from generate_series(1, ${size}) g
        returning id, created_at, status, transaction_id, paid_at
      ), a as (
        insert into payment_attempts (id, order_id, out_trade_no, channel, trade_type, appid, mch_id, sign_type, amount_fen,
                                      client_ip, request_xml, status, transaction_id, paid_at, created_at, updated_at)
        select 'a_' || substr(o.id, 3), o.id, 'B' || substr(o.id, 8), (array['h5','jsapi','mini'])[1 + (hashtext(o.id) & 3) % 3]::pay_channel,
               'MWEB', 'wxbench', '1230000109', 'MD5', 5900, '127.0.0.1', '<xml/>',
               case when o.transaction_id is not null then 'PAID' else 'CLOSED' end::attempt_status,
               o.transaction_id, o.paid_at, o.created_at, o.created_at
          from o
        returning id, order_id, out_trade_no, transaction_id, status, paid_at
      ), n as (
        insert into payment_notifications (received_at, body_sha256, out_trade_no, transaction_id, attempt_id, verdict, reply)
        select a.paid_at, md5(a.id), a.out_trade_no, a.transaction_id, a.id, 'APPLIED'::notify_verdict, '<xml/>'
          from a where a.status = 'PAID'
      )
      insert into refunds (out_refund_no, order_id, attempt_id, refund_fee_fen, status, succeeded_at, created_at, updated_at)
      select 'R' || substr(a.id, 8), a.order_id, a.id, case when o.status = 'REFUNDED' then 5900 else 2000 end,
             'SUCCESS'::refund_status, a.paid_at + interval '1 hour', a.paid_at + interval '10 minutes', now()
        from a join o on o.id = a.order_id
       where o.status in ('REFUNDED', 'PARTLY_REFUNDED')`;
    process.stdout.write(`  ${done + size}/${missing} (${Math.round((Date.now() - started) / 1000)} s)\n`);
  }
  // As a long-lived database would be after autovacuum: statistics and the visibility map (index-only scans).
  await sql`vacuum analyze`;
}

const username = `bench${Date.now().toString(36)}`;
const added = await addOperator(deps, { username, role: "viewer" });
await sql`update operators set must_change_password = false where username = ${username}`;
const { token } = await operatorLogin(deps, { username, password: added.oneTimePassword, ip: "127.0.0.1" });
const caller = createCallerFactory(appRouter)(
  createApiContext({ deps, headers: new Headers({ cookie: `${ADMIN_COOKIE}=${token}` }) }),
).admin;

const pct = (ms: number[], q: number) =>
  ([...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0).toFixed(1);

// The console's first page: 14 days of per-day sums, conversion by channel, notify verdicts.
await caller.overview();
const overviewMs: number[] = [];
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  await caller.overview();
  overviewMs.push(performance.now() - t);
}
console.log(
  `${"overview (14 days)".padEnd(32)} ${"".padEnd(8)} p50 ${pct(overviewMs, 0.5).padStart(6)} ms   p95 ${pct(overviewMs, 0.95).padStart(6)} ms`,
);

const [sample] = await sql<
  { id: string; out_trade_no: string; customer_id: string; transaction_id: string | null }[]
>`
  select o.id, a.out_trade_no, o.customer_id, o.transaction_id from orders o join payment_attempts a on a.order_id = o.id
   where o.transaction_id is not null
   order by o.created_at limit 1 offset 5000`;
const weekAgo = new Date(Date.now() - 7 * 86400_000).toISOString();
const cases: [string, Parameters<typeof caller.orders>[0]][] = [
  ["no filter, first page", { limit: 50 }],
  ["status PAID", { status: "PAID", limit: 50 }],
  ["status PAID_NEEDS_REVIEW", { status: "PAID_NEEDS_REVIEW", limit: 50 }],
  ["channel mini", { channel: "mini", limit: 50 }],
  ["status + channel + last 7 days", { status: "PAID", channel: "jsapi", from: weekAgo, limit: 50 }],
  // No seeded order is on v3: the filter must find that out from an index, not by reading every order.
  ["API version v3 (none)", { apiVersion: "v3", limit: 50 }],
  ["search by out_trade_no", { q: sample?.out_trade_no ?? "x", limit: 50 }],
  ["search by order id", { q: sample?.id ?? "x", limit: 50 }],
  ["search by transaction_id", { q: sample?.transaction_id ?? "x", limit: 50 }],
  ["search by customer", { q: sample?.customer_id ?? "x", limit: 50 }],
];

const runs = 40;
for (const [name, input] of cases) {
  // A deep page: the cursor of the 20th page (keyset: as cheap as the first).
  let cursor: { createdAt: string; id: string } | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await caller.orders({ ...input, ...(cursor ? { cursor } : {}) });
    if (!page.next) break;
    cursor = page.next;
  }
  for (const [label, extra] of [
    ["page 1", {}],
    ["page 21", cursor ? { cursor } : {}],
  ] as const) {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await caller.orders({ ...input, ...extra });
      ms.push(performance.now() - t);
    }
    console.log(
      `${name.padEnd(32)} ${label.padEnd(8)} p50 ${pct(ms, 0.5).padStart(6)} ms   p95 ${pct(ms, 0.95).padStart(6)} ms`,
    );
  }
}
await sql.end();
await (await dbHandle()).close();
process.exit(0);
