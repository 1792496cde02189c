// Where a purchase's time goes, without Next: createOrder + prepay (h5 and jsapi), one shopper after another, through
// the real tRPC router (tRPC's fetch adapter behind a plain node:http server, as the web app mounts it) on a real
// PostgreSQL, with the WeChat simulator over HTTP. Prints p50/p99 per call — client-side, inside the procedure (the
// API's own `trpc … ms` log lines) — and, in the same run, the simulator's unifiedorder: as the shop's own HTTP call
// to it sees it, and as a direct signed unifiedorder from a pay client. Then the SQL statements each call sends
// (pg_stat_statements; prepared, so one round trip each once a connection has seen the text).
// Two configurations, interleaved shopper by shopper: the abuse limits off (as the bench runs) and the shipped
// defaults (60 requests per IP and 20 per customer a minute, 10 open orders), each shopper a new customer and IP.
//   pnpm exec tsx packages/testkit/src/bin/with-postgres.ts -- pnpm exec tsx packages/api/scripts/probe-purchase.ts \
//     [purchases=200] [live attempts of other shoppers=0]
// Without the wrapper it starts a throwaway PostgreSQL server of its own.
import { execFileSync } from "node:child_process";
import http from "node:http";
import os from "node:os";
import path from "node:path";

import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import postgres from "postgres";

import type { CoreDeps, TCoreConfig } from "@wxpay/core";
import {
  createCoreDeps,
  createLogger,
  newAnonymousSession,
  NOTIFY_PATH,
  SESSION_COOKIE,
  sealH5Session,
} from "@wxpay/core";
import { SANDBOX_CONFIG } from "@wxpay/core/testing";
import { createDbHandle } from "@wxpay/db";
import {
  createTestDatabase,
  findPostgresBinDir,
  startThrowawayPostgres,
  withDatabase,
} from "@wxpay/testkit/postgres";
import { DEFAULT_USERS, openidFor, startSimulator } from "@wxpay/wechat-sim";
import { createPayClient, generateOutTradeNo } from "@wxpay/wechatpay";

import { createApiContext } from "../src/context";
import { appRouter } from "../src/router";

const PURCHASES = Number(process.argv[2] ?? 200);
// Other shoppers' payments in flight (PENDING orders with a PREPAID h5 attempt) before the first purchase: a shop
// at 30 minutes of order lifetime and a busy hour has thousands.
const LIVE_ATTEMPTS = Number(process.argv[3] ?? 0);
const WARM_UP = 40;
const COUNTED = 20;

type TMode = "off" | "defaults";
type TChannel = "h5" | "jsapi";

const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ");
const percentile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : (s[Math.min(s.length - 1, Math.ceil((q / 100) * s.length) - 1)] ?? Number.NaN);
};
const f2 = (x: number) => x.toFixed(2);

/** A database of the with-postgres wrapper's server, or of a throwaway server of our own. */
async function database(): Promise<{ url: string; stop(): void }> {
  const fromWrapper = await createTestDatabase("probe_purchase");
  if (fromWrapper.url) return { url: fromWrapper.url, stop: () => void fromWrapper.drop() };
  const pg = await startThrowawayPostgres();
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  await admin.unsafe("create database shop");
  await admin.end();
  return { url: withDatabase(pg.url, "shop"), stop: () => pg.stop() };
}

/** pg_stat_statements on our throwaway server: loaded at start, so set it and restart once if it is not. */
async function enableStatementStats(url: string): Promise<postgres.Sql> {
  let sql = postgres(url, { max: 1, onnotice: () => {} });
  const loaded = await sql
    .unsafe("create extension if not exists pg_stat_statements")
    .then(
      () => sql.unsafe("select 1 from pg_stat_statements limit 1").then(() => true),
      () => false,
    )
    .catch(() => false);
  if (loaded) return sql;
  const [{ dir } = { dir: "" }] = await sql<
    { dir: string }[]
  >`select current_setting('data_directory') as dir`;
  await sql.unsafe("alter system set shared_preload_libraries = 'pg_stat_statements'");
  await sql.end();
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error("PostgreSQL binaries not found");
  const pgCtl = path.join(binDir, "pg_ctl");
  const log = path.join(path.dirname(dir), "server.log");
  const args = ["-D", dir, "-l", log, "-w", "-t", "60", "restart"];
  const [file, argv] =
    process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", pgCtl, ...args]] : [pgCtl, args];
  execFileSync(file, argv, { stdio: "ignore" });
  sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe("create extension if not exists pg_stat_statements");
  return sql;
}

const db = await database();
const stats = await enableStatementStats(db.url);
await stats.unsafe(`alter database ${new URL(db.url).pathname.slice(1)} set synchronous_commit = on`);
const handle = await createDbHandle({ databaseUrl: db.url });
await handle.migrate();
const sim = await startSimulator({ port: 0, log: false });
if (LIVE_ATTEMPTS > 0) {
  await stats.unsafe(
    `insert into customers (id) values ('c_probeothers000000000000') on conflict do nothing`,
  );
  await stats.unsafe(
    `insert into orders (id, customer_id, items, amount_fen, status, expires_at)
     select 'o_probelive' || g, 'c_probeothers000000000000', '[]'::jsonb, 1, 'PENDING', now() + interval '1 hour'
       from generate_series(1, $1::int) g`,
    [LIVE_ATTEMPTS],
  );
  await stats.unsafe(
    `insert into payment_attempts (id, order_id, out_trade_no, channel, trade_type, appid, mch_id, sign_type, amount_fen,
                                   client_ip, request_xml, status, prepay_id, next_check_at)
     select 'a_probelive' || g, 'o_probelive' || g, 'PROBELIVE' || lpad(g::text, 10, '0'), 'h5', 'MWEB', 'wx', '1', 'MD5', 1,
            '127.0.0.1', '<xml/>', 'PREPAID', 'wx_probe' || g, now() + interval '1 hour'
       from generate_series(1, $1::int) g`,
    [LIVE_ATTEMPTS],
  );
  await stats.unsafe("analyze");
}

// The API's `trpc` lines, by request id: pino writes them here (the same logger the web app uses, at info).
const procedureMs = new Map<string, number>();
const destination = {
  write(line: string) {
    if (!line.includes('"msg":"trpc"')) return;
    const l = JSON.parse(line) as { reqId?: string; ms?: number; errorCode?: string };
    if (l.errorCode) throw new Error(`procedure failed: ${line}`);
    if (l.reqId && typeof l.ms === "number") procedureMs.set(l.reqId, l.ms);
  },
};
const log = createLogger({ level: "info", destination });
// The shop's own unifiedorder call as it sees it: from the request to the reply's headers (the body follows at once).
let shopUnifiedMs: number[] = [];
const timedFetch: typeof fetch = async (input, init) => {
  const t = performance.now();
  const res = await fetch(input, init);
  if (String(input).endsWith("/pay/unifiedorder")) shopUnifiedMs.push(performance.now() - t);
  return res;
};

const server = http.createServer();
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const addr = server.address();
const appUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
const limitsOff: TCoreConfig = { ...SANDBOX_CONFIG, appUrl };
const shipped: TCoreConfig = {
  ...limitsOff,
  rateLimits: { perIpPerMinute: 60, perCustomerPerMinute: 20 },
  maxOpenOrdersPerCustomer: 10,
};
const depsFor = (config: TCoreConfig): CoreDeps =>
  createCoreDeps({
    db: handle.db,
    config,
    log,
    wechat: { payBase: sim.url, apiBase: sim.url, openBase: sim.url, timeoutMs: 5000, fetch: timedFetch },
  });
const deps: Record<TMode, CoreDeps> = { off: depsFor(limitsOff), defaults: depsFor(shipped) };
let mode: TMode = "off";

server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
  void (async () => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    if (!headers.has("x-forwarded-for")) headers.set("x-forwarded-for", req.socket.remoteAddress ?? "");
    const request = new Request(`${appUrl}${req.url ?? "/"}`, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
    });
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: ({ resHeaders }) =>
        createApiContext({ deps: deps[mode], headers: request.headers, resHeaders }),
    });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  })().catch((err: unknown) => {
    res.writeHead(500);
    res.end(String(err));
  });
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let requestSeq = 0;
/** One tRPC mutation over HTTP; its client-side ms and the procedure's own ms (from the log line). */
function mutate(
  procedure: string,
  input: unknown,
  cookie: string,
  ip: string,
): Promise<{ data: Record<string, unknown>; clientMs: number; procedureMs: number }> {
  const reqId = `probe${String(++requestSeq).padStart(8, "0")}`;
  const body = JSON.stringify(input);
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${appUrl}/api/trpc/${procedure}`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          cookie: `${SESSION_COOKIE}=${cookie}`,
          "x-forwarded-for": ip,
          "x-request-id": reqId,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const clientMs = performance.now() - t;
          const text = Buffer.concat(chunks).toString("utf8");
          const parsed = JSON.parse(text) as { result?: { data: Record<string, unknown> } };
          const inside = procedureMs.get(reqId);
          procedureMs.delete(reqId);
          if (res.statusCode !== 200 || !parsed.result || inside === undefined)
            return reject(new Error(`${procedure}: ${res.statusCode ?? "?"} ${text}`));
          resolve({ data: parsed.result.data, clientMs, procedureMs: inside });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const jsapiOpenid = openidFor(SANDBOX_CONFIG.officialAccount.appId, DEFAULT_USERS[0]?.userId ?? "");
let ipSeq = 0;
/** A new shopper (customer, cookie, IP) buys one item and asks to pay on `channel`. */
async function purchase(channel: TChannel) {
  const now = new Date();
  const anon = newAnonymousSession(SANDBOX_CONFIG.sessionSecret, now);
  const cookie =
    channel === "jsapi"
      ? sealH5Session(
          SANDBOX_CONFIG.sessionSecret,
          { customerId: anon.session.customerId, openid: jsapiOpenid },
          now,
        ).cookie
      : anon.cookie;
  const n = ++ipSeq;
  const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  const order = await mutate("createOrder", { items: [{ sku: "TEST-1FEN", qty: 1 }] }, cookie, ip);
  const before = shopUnifiedMs.length;
  const pay = await mutate("prepay", { orderId: order.data.orderId, channel }, cookie, ip);
  if (shopUnifiedMs.length !== before + 1) throw new Error("prepay did not call unifiedorder exactly once");
  if (channel === "h5" ? typeof pay.data.mwebUrl !== "string" : typeof pay.data.payParams !== "object")
    throw new Error(`prepay answered ${JSON.stringify(pay.data)}`);
  return { order, pay, shopUnified: shopUnifiedMs[before] ?? Number.NaN };
}

const payClient = createPayClient({
  baseUrl: sim.url,
  mchId: SANDBOX_CONFIG.mchId,
  key: SANDBOX_CONFIG.key,
  signType: "MD5",
  appId: SANDBOX_CONFIG.officialAccount.appId,
  timeoutMs: 10_000,
});
/** The same unifiedorder a prepay of `channel` sends, signed and sent directly by a pay client. */
async function directUnifiedOrder(channel: TChannel): Promise<number> {
  const common = {
    outTradeNo: generateOutTradeNo(),
    body: `${SANDBOX_CONFIG.shopName}-测试商品（1分钱）`,
    totalFeeFen: 1,
    notifyUrl: `${appUrl}${NOTIFY_PATH}`,
    spbillCreateIp: "10.0.0.1",
    timeExpire: new Date(Date.now() + 30 * 60_000),
    attach: "o_probe",
  };
  const t = performance.now();
  await payClient.unifiedOrder(
    channel === "h5"
      ? {
          ...common,
          tradeType: "MWEB",
          sceneInfo: { type: "Wap", wapUrl: appUrl, wapName: SANDBOX_CONFIG.shopName },
        }
      : { ...common, tradeType: "JSAPI", openid: jsapiOpenid },
  );
  return performance.now() - t;
}

type TSample = {
  createClient: number;
  createInside: number;
  prepayClient: number;
  prepayInside: number;
  shopUnified: number;
  direct: number;
};
const samples: Record<`${TMode}/${TChannel}`, TSample[]> = {
  "off/h5": [],
  "off/jsapi": [],
  "defaults/h5": [],
  "defaults/jsapi": [],
};
const combos = Object.keys(samples) as (keyof typeof samples)[];

async function oneOfEach(record: boolean) {
  for (const combo of combos) {
    const [m, channel] = combo.split("/") as [TMode, TChannel];
    mode = m;
    const p = await purchase(channel);
    const direct = await directUnifiedOrder(channel);
    if (record)
      samples[combo].push({
        createClient: p.order.clientMs,
        createInside: p.order.procedureMs,
        prepayClient: p.pay.clientMs,
        prepayInside: p.pay.procedureMs,
        shopUnified: p.shopUnified,
        direct,
      });
  }
}

type TStat = { queryid: string; query: string; calls: number; ms: number };
async function statementCalls(): Promise<Map<string, TStat>> {
  const rows = await stats<TStat[]>`
    select queryid::text, query, calls::int, total_exec_time as ms from pg_stat_statements
     where dbid = (select oid from pg_database where datname = current_database())`;
  return new Map(rows.map((r) => [r.queryid, r]));
}
/** Statements one call sent: the difference of pg_stat_statements around it, over COUNTED calls. */
async function countStatements(m: TMode, channel: TChannel) {
  mode = m;
  const per = { createOrder: new Map<string, TStat>(), prepay: new Map<string, TStat>() };
  const add = (into: Map<string, TStat>, a: Map<string, TStat>, b: Map<string, TStat>) => {
    for (const [id, s] of b) {
      const d = s.calls - (a.get(id)?.calls ?? 0);
      if (d <= 0 || s.query.includes("pg_stat_statements")) continue;
      const cur = into.get(id);
      const ms = s.ms - (a.get(id)?.ms ?? 0);
      into.set(id, { ...s, calls: (cur?.calls ?? 0) + d, ms: (cur?.ms ?? 0) + ms });
    }
  };
  for (let i = 0; i < COUNTED; i++) {
    const anon = newAnonymousSession(SANDBOX_CONFIG.sessionSecret, new Date());
    const cookie =
      channel === "jsapi"
        ? sealH5Session(
            SANDBOX_CONFIG.sessionSecret,
            { customerId: anon.session.customerId, openid: jsapiOpenid },
            new Date(),
          ).cookie
        : anon.cookie;
    const ip = `10.200.${i >> 8}.${i & 255}`;
    const s0 = await statementCalls();
    const order = await mutate("createOrder", { items: [{ sku: "TEST-1FEN", qty: 1 }] }, cookie, ip);
    const s1 = await statementCalls();
    await mutate("prepay", { orderId: order.data.orderId, channel }, cookie, ip);
    const s2 = await statementCalls();
    add(per.createOrder, s0, s1);
    add(per.prepay, s1, s2);
  }
  for (const [call, m2] of Object.entries(per)) {
    const list = [...m2.values()].sort((a, b) => b.calls - a.calls);
    const total = list.reduce((n, s) => n + s.calls, 0) / COUNTED;
    const serverMs = list.reduce((n, s) => n + s.ms, 0) / COUNTED;
    console.log(
      `  ${call} (${channel}, limits ${m}): ${f2(total)} statements per call, ${f2(serverMs)} ms executing in the server`,
    );
    console.log("    per call | server ms each | statement");
    for (const s of list)
      console.log(
        `    ${f2(s.calls / COUNTED)} | ${f2(s.ms / s.calls)} | ${s.query.replace(/\s+/g, " ").slice(0, 140)}`,
      );
  }
}

try {
  console.log(
    `load average before: ${loadAverage()}; ${os.cpus().length} cores; node ${process.version}; ` +
      `${LIVE_ATTEMPTS} live attempts of other shoppers`,
  );
  for (let i = 0; i < WARM_UP; i++) await oneOfEach(false);
  shopUnifiedMs = [];
  for (let i = 0; i < PURCHASES; i++) await oneOfEach(true);
  console.log(`load average after: ${loadAverage()}`);
  console.log(
    `\n${PURCHASES} purchases per row, sequential; ms p50 / p99. inside = the procedure's own time (logCalls); ` +
      "shop→sim = the shop's HTTP call to unifiedorder inside prepay; direct = a signed unifiedorder from a pay client",
  );
  const head =
    "| limits / channel | createOrder client | inside | prepay client | inside | shop→sim unifiedorder | direct unifiedorder | inside both − direct (p50s) | per purchase: inside both − shop→sim, p50 / p99 |";
  console.log(head);
  console.log(
    `|${head
      .split("|")
      .slice(1, -1)
      .map(() => "---")
      .join("|")}|`,
  );
  for (const combo of combos) {
    const s = samples[combo];
    const col = (f: (x: TSample) => number) =>
      `${f2(percentile(s.map(f), 50))} / ${f2(percentile(s.map(f), 99))}`;
    const p50 = (f: (x: TSample) => number) => percentile(s.map(f), 50);
    const own = s.map((x) => x.createInside + x.prepayInside - x.shopUnified);
    console.log(
      `| ${combo} | ${col((x) => x.createClient)} | ${col((x) => x.createInside)} | ${col((x) => x.prepayClient)} | ` +
        `${col((x) => x.prepayInside)} | ${col((x) => x.shopUnified)} | ${col((x) => x.direct)} | ` +
        `**${f2(p50((x) => x.createInside) + p50((x) => x.prepayInside) - p50((x) => x.direct))}** | ` +
        `${f2(percentile(own, 50))} / ${f2(percentile(own, 99))} |`,
    );
  }
  console.log(
    `\nSQL statements per call (pg_stat_statements, over ${COUNTED} calls each; COMMIT of a transaction is not listed):`,
  );
  for (const m of ["off", "defaults"] as const)
    for (const c of ["h5", "jsapi"] as const) await countStatements(m, c);
} finally {
  agent.destroy();
  await new Promise((r) => server.close(r));
  server.closeAllConnections();
  await sim.close();
  await handle.close();
  await stats.end();
  db.stop();
}
