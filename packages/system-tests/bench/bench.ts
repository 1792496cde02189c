// `pnpm bench` (this package): the shop's production build on real PostgreSQL, measured against baselines taken in
// the same run, on the same database, interleaved round by round (this host is noisy: only ratios mean anything).
//   1. Payment notifies, v2 (XML, MD5) and v3 (AES-GCM resource, SHA256withRSA headers), each one a fresh payment, at
//      32 connections, sent to: the shop as production runs it (shop-server.mjs: the notify paths answered without
//      Next's router); the same build under `next start` (the route file through Next's router); a bare node:http
//      server calling the same core handler; a hand-written server (node:http, parse + verify, one postgres.js
//      statement) — the baseline every ratio is taken against. Plus Next's own floor: a route answering a fixed body.
//   2. createOrder + prepay(h5) through the web API (both servers, and the same tRPC router behind a bare node:http
//      server: packages/api/scripts/bare-trpc-server.ts) vs the simulator's own unifiedorder: the shop's cost above
//      WeChat; and the floor: the same two calls and durable work written by hand (node:http, postgres.js statements:
//      bench/hand-written-purchase-server.ts). One shopper at a time, the servers and a direct unifiedorder taking turns
//      purchase by purchase, over kept-alive node:http connections, on a
//      settled shop (checkpoint, autovacuum done); the serving process's CPU per purchase beside each latency.
//   3. Growth: notify throughput at 10 k vs 1 M orders, orderStatus at both, one reconciliation pass over N due
//      attempts by one instance and by two (overlaps counted), the web process's peak RSS under the notify load.
// Prints the table and writes BENCHMARK.md's measured part (bench/BENCHMARK.generated.md, and the repository's
// BENCHMARK.md between its markers). Usage: tsx bench/bench.ts [rounds] [v2 notifies per round] [prepays per round];
// WXPAY_BENCH_QUICK=1 runs a reduced version (1 round, fewer requests, 100 k orders instead of 1 M) for development.
import type { ChildProcess } from "node:child_process";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

import { NOTIFY_PATH } from "@wxpay/core";

import type { TLoadBody, TLoadResult } from "../src/load";
import { median, percentile, runLoad } from "../src/load";
import { restartPostgres } from "../src/pg-control";
import { Shopper } from "../src/shopper";
import {
  directUnifiedOrder,
  dueAttempts,
  payableNotifies,
  payableV3Notifies,
  seedOrderHistory,
} from "../src/bench-fixtures";
import { startSystem } from "../src/system";
import { startWeb } from "../src/web-process";

const QUICK = process.env.WXPAY_BENCH_QUICK === "1";
const arg = (i: number, full: number, quick: number) => Number(process.argv[i] ?? (QUICK ? quick : full));
const ROUNDS = arg(2, 3, 1);
const NOTIFIES = arg(3, 2000, 400);
const PREPAYS = arg(4, 100, 30);
const V3_NOTIFIES = Math.round(NOTIFIES / 2);
const FLOOR_REQUESTS = NOTIFIES * 2;
const SMALL_SHOP = 10_000;
const BIG_SHOP = QUICK ? 100_000 : 1_000_000;
const DUE_ATTEMPTS = QUICK ? 1_000 : 10_000;
const STATUS_SAMPLES = QUICK ? 50 : 200;
const CONCURRENCY = 32;
const PACKAGE_DIR = path.resolve(import.meta.dirname, "..");
const REPO_DIR = path.resolve(PACKAGE_DIR, "../..");
const GENERATED = path.join(PACKAGE_DIR, "bench", "BENCHMARK.generated.md");
const REPO_BENCHMARK = path.join(REPO_DIR, "BENCHMARK.md");
const V3_NOTIFY_PATH = "/api/wechat/v3/pay/notify";
const FLOOR_PATH = "/api/bench/floor";
const SUCCESS = "<return_code><![CDATA[SUCCESS]]></return_code>";

const log = (line: string) => console.log(`[bench] ${line}`);
const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ");

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size of a process in MB, from /proc. */
function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

const sys = await startSystem({ timeScale: 1 });
const children: ChildProcess[] = [];
let web: Awaited<ReturnType<typeof startWeb>> | undefined;
let quietWeb: Awaited<ReturnType<typeof startWeb>> | undefined;
let nextWeb: Awaited<ReturnType<typeof startWeb>> | undefined;
const cleanup = async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  await web?.stop();
  await quietWeb?.stop();
  await nextWeb?.stop();
  await sys.close();
};
process.on("SIGINT", () => void cleanup().finally(() => process.exit(130)));

/** Starts a bench server script and waits for its {"port":N} line; `onLine` sees every line it prints. */
async function spawnServer(
  script: string,
  args: string[],
  onLine?: (line: string) => void,
): Promise<{ port: number; pid: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: PACKAGE_DIR,
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const out = child.stdout;
  if (!out) throw new Error(`${script} has no stdout`);
  const port = await new Promise<number>((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
    readline.createInterface({ input: out }).on("line", (line) => {
      onLine?.(line);
      if (line.startsWith('{"port"')) resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return { port, pid: child.pid ?? 0 };
}

/** Runs a script to its end and returns its last stdout line parsed as JSON. */
function runScript<T>(script: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: PACKAGE_DIR,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    child.on("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code === 0) resolve(JSON.parse(last) as T);
      else reject(new Error(`${script} exited with ${code}: ${out.slice(-500)}`));
    });
  });
}

type TServer = "hand" | "bare" | "web" | "quiet" | "next";
type TMeasured = TLoadResult & { cpuMs: number; rate: number };
const rateOf = (r: TLoadResult) => (r.requests / r.elapsedMs) * 1000;
const p = (r: TLoadResult, q: number) => percentile(r.latenciesMs, q);

try {
  // pg_stat_statements, to count the statements one notify costs (loaded at server start).
  await sys.sql.unsafe(`alter system set shared_preload_libraries = 'pg_stat_statements'`);
  restartPostgres(sys.pg);
  // The test's own pool lost its connections in the restart: the first query may fail once.
  let statements = false;
  for (let i = 0; i < 20 && !statements; i++) {
    statements = await sys.sql.unsafe(`create extension if not exists pg_stat_statements`).then(
      () => true,
      async (err: unknown) => {
        if (i === 19) log(`pg_stat_statements unavailable (${String(err)}); statement counts skipped`);
        await new Promise((r) => setTimeout(r, 100));
        return false;
      },
    );
  }
  const [{ version: pgVersion } = { version: "?" }] = await sys.sql<
    { version: string }[]
  >`select current_setting('server_version') as version`;

  web = await startWeb({
    databaseUrl: sys.databaseUrl,
    simUrl: sys.sim.url,
    reconcileIntervalSeconds: 0,
    env: { WXPAY_BENCH_FLOOR: "1" },
  });
  // The same build with LOG_LEVEL=warn: the cost of the per-notify log line (pino) is the difference to `web`.
  quietWeb = await startWeb({
    databaseUrl: sys.databaseUrl,
    simUrl: sys.sim.url,
    reconcileIntervalSeconds: 0,
    env: { LOG_LEVEL: "warn" },
  });
  // The same build under `next start`: every request through Next's router, the route files included.
  nextWeb = await startWeb({
    databaseUrl: sys.databaseUrl,
    simUrl: sys.sim.url,
    reconcileIntervalSeconds: 0,
    nextStart: true,
  });
  const bare = await spawnServer("bench/bare-notify-server.ts", [sys.databaseUrl, sys.sim.url]);
  const hand = await spawnServer("bench/hand-written-notify-server.ts", [sys.databaseUrl]);
  // The same tRPC router without Next, for the purchase rows; its log lines carry the procedures' own times.
  let bareTrpcOutput = "";
  const bareTrpc = await spawnServer(
    path.join(REPO_DIR, "packages/api/scripts/bare-trpc-server.ts"),
    [sys.databaseUrl, sys.sim.url],
    (line) => (bareTrpcOutput += `${line}\n`),
  );
  // The purchase's floor: the same two calls and the same statements, written by hand.
  const handPurchase = await spawnServer("bench/hand-written-purchase-server.ts", [
    sys.databaseUrl,
    sys.sim.url,
  ]);
  const origin: Record<TServer, string> = {
    web: web.url,
    quiet: quietWeb.url,
    next: nextWeb.url,
    bare: `http://127.0.0.1:${bare.port}`,
    hand: `http://127.0.0.1:${hand.port}`,
  };
  const pids: Record<TServer, number> = {
    web: web.serverPid,
    quiet: quietWeb.serverPid,
    next: nextWeb.serverPid,
    bare: bare.pid,
    hand: hand.pid,
  };
  log(
    `web ${web.url} (pid ${web.serverPid}), next start ${nextWeb.url}, bare :${bare.port}, hand-written :${hand.port}, PostgreSQL ${pgVersion}`,
  );

  // The web process's resident memory, sampled while it serves notifies.
  let rssPeak = 0;
  let sampling = false;
  const sampler = setInterval(() => {
    if (sampling) rssPeak = Math.max(rssPeak, rssMb(pids.web) || 0);
  }, 100);

  let batchNo = 0;
  async function notifyRound(which: TServer, version: "v2" | "v3", n: number): Promise<TMeasured> {
    const bodies: TLoadBody[] =
      version === "v2"
        ? await payableNotifies(sys.sql, { prefix: "BENCH", batch: ++batchNo, n })
        : await payableV3Notifies(sys.sql, { prefix: "BENCHV", batch: ++batchNo, n });
    const url = `${origin[which]}${version === "v2" ? NOTIFY_PATH : V3_NOTIFY_PATH}`;
    const cpu0 = cpuMs(pids[which]);
    sampling = which === "web";
    const r = await runLoad({
      url,
      bodies,
      concurrency: CONCURRENCY,
      expect: SUCCESS,
      ...(version === "v3" ? { expectStatus: 204 } : {}),
    });
    sampling = false;
    const used = cpuMs(pids[which]) - cpu0;
    if (r.failures > 0)
      throw new Error(
        `${which} ${version}: ${r.failures} of ${n} notifies not acknowledged (${r.firstFailure})`,
      );
    return { ...r, cpuMs: used / n, rate: rateOf(r) };
  }
  // A build without the floor route (an older commit) measures everything else.
  const floorLive =
    (await fetch(`${origin.web}${FLOOR_PATH}`, { method: "POST", body: "ping" }).catch(() => undefined))
      ?.status === 200;
  const noFloor: TMeasured = {
    requests: 0,
    elapsedMs: 1,
    latenciesMs: [],
    failures: 0,
    cpuMs: Number.NaN,
    rate: Number.NaN,
  };
  async function floorRound(n: number): Promise<TMeasured> {
    if (!floorLive) return noFloor;
    const cpu0 = cpuMs(pids.web);
    const r = await runLoad({
      url: `${origin.web}${FLOOR_PATH}`,
      bodies: Array.from({ length: n }, () => "ping"),
      concurrency: CONCURRENCY,
      expect: "floor",
    });
    if (r.failures > 0) throw new Error(`floor: ${r.failures} of ${n} failed (${r.firstFailure})`);
    return { ...r, cpuMs: (cpuMs(pids.web) - cpu0) / n, rate: rateOf(r) };
  }

  // The shoppers hold one kept-alive node:http connection each, as a browser does: undici's fetch would add about 1 ms of
  // the client's own work to every call (src/shopper.ts), the same for every server but not the shop's cost.
  const client = { client: "node-http" } as const;
  const shoppers = {
    web: new Shopper(web.url, client),
    next: new Shopper(nextWeb.url, client),
    bare: new Shopper(`http://127.0.0.1:${bareTrpc.port}`, client),
    handPurchase: new Shopper(`http://127.0.0.1:${handPurchase.port}`, client),
  };
  const purchasePids: Record<keyof typeof shoppers, number> = {
    web: web.serverPid,
    next: nextWeb.serverPid,
    bare: bareTrpc.pid,
    handPurchase: handPurchase.pid,
  };
  const unifiedOrder = directUnifiedOrder(sys.sim.url, web.url);
  /**
   * createOrder + prepay as the API itself timed them (its `trpc` log lines, `ms` to a hundredth), for the purchases
   * the web process logged since `fromChar` of its output: the shop's work without the two HTTP hops.
   */
  async function procedureTimes(fromChar: number, output = () => web?.output() ?? ""): Promise<number[]> {
    // The lines travel through a pipe: give the last one a moment to arrive.
    await new Promise((r) => setTimeout(r, 50));
    const out = output();
    if (out.length < fromChar) return [];
    const byPath: Record<string, number[]> = { createOrder: [], prepay: [] };
    for (const line of out.slice(fromChar).split("\n")) {
      if (!line.includes('"msg":"trpc"')) continue;
      const l = JSON.parse(line.slice(line.indexOf("{"))) as { path: string; ms: number };
      byPath[l.path]?.push(l.ms);
    }
    const create = byPath.createOrder ?? [];
    const prepay = byPath.prepay ?? [];
    return create.slice(0, prepay.length).map((ms, i) => ms + (prepay[i] ?? 0));
  }
  type TVia = keyof typeof shoppers;
  /**
   * n purchases on every server and n direct unifiedorders, interleaved one by one (the order rotating), so a slow
   * stretch of the host hits them all alike: sorted ms per server and for unifiedorder, and each serving process's CPU
   * (user + system, all its threads) per purchase — a server is idle while the others are measured.
   */
  async function purchaseRound(n: number): Promise<{
    ms: Record<TVia, number[]>;
    sim: number[];
    cpu: Record<TVia, number>;
  }> {
    const vias = Object.keys(shoppers) as TVia[];
    const ms = Object.fromEntries(vias.map((v) => [v, [] as number[]])) as Record<TVia, number[]>;
    const cpu0 = Object.fromEntries(vias.map((v) => [v, cpuMs(purchasePids[v])])) as Record<TVia, number>;
    const sim: number[] = [];
    for (let i = 0; i < n; i++) {
      const steps: (TVia | "sim")[] = [...vias, "sim"];
      for (let k = 0; k < steps.length; k++) {
        const step = steps[(i + k) % steps.length] as TVia | "sim";
        if (step === "sim") {
          sim.push(await unifiedOrder());
          continue;
        }
        const t = performance.now();
        await shoppers[step].placeH5Order();
        ms[step].push(performance.now() - t);
      }
    }
    for (const v of vias) ms[v].sort((a, b) => a - b);
    const cpu = Object.fromEntries(vias.map((v) => [v, (cpuMs(purchasePids[v]) - cpu0[v]) / n])) as Record<
      TVia,
      number
    >;
    return { ms, sim: sim.sort((a, b) => a - b), cpu };
  }
  /**
   * The purchase rows measure one shopper at a time on a quiet shop: after the notify rounds, WAL is checkpointed and
   * autovacuum's passes over the tables they filled are let finish (at most 20 s) first.
   */
  async function settle(): Promise<void> {
    await sys.sql`checkpoint`;
    for (let waited = 0; waited < 20_000; waited += 250) {
      const [busy] = await sys.sql<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where backend_type = 'autovacuum worker'`;
      if (!busy?.n) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** orderStatus of one PENDING order (no attempt, so WeChat is not asked), sequentially, sorted ms. */
  const statusShopper = new Shopper(web.url, client);
  const statusOrder = await statusShopper.mutate<{ orderId: string }>("createOrder", {
    items: [{ sku: "TEST-1FEN", qty: 1 }],
  });
  const statusOrderId = statusOrder.data?.orderId;
  if (!statusOrderId) throw new Error(`createOrder failed: ${JSON.stringify(statusOrder)}`);
  async function orderStatuses(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = await statusShopper.query<{ status: string }>("orderStatus", { orderId: statusOrderId });
      out.push(performance.now() - t);
      if (r.data?.status !== "PENDING") throw new Error(`orderStatus: ${JSON.stringify(r)}`);
    }
    return out.sort((a, b) => a - b);
  }

  // The shop at its small size: 10 k orders of history before anything is measured.
  await seedOrderHistory(sys.sql, SMALL_SHOP);
  log(`warm-up (load average ${loadAverage()})`);
  for (const s of ["web", "quiet", "next", "bare", "hand"] as const) {
    await notifyRound(s, "v2", 300);
    await notifyRound(s, "v3", 100);
  }
  await floorRound(500);
  await purchaseRound(20);
  await orderStatuses(20);
  const loadBefore = loadAverage();

  type TRound = {
    v2: Record<TServer, TMeasured>;
    v3: Record<Exclude<TServer, "quiet">, TMeasured>;
    floor: TMeasured;
    shop: number[];
    shopInside: number[];
    shopNext: number[];
    shopBare: number[];
    shopBareInside: number[];
    shopHand: number[];
    /** CPU ms per purchase of each serving process, this round. */
    cpu: Record<"web" | "next" | "bare" | "handPurchase", number>;
    sim: number[];
  };
  const rounds: TRound[] = [];
  const servers: TServer[] = ["hand", "bare", "web", "quiet", "next"];
  for (let r = 1; r <= ROUNDS; r++) {
    // Rotate who goes first, so a slow stretch of the host does not always hit the same server.
    const order = servers.map((_, i) => servers[(i + r) % servers.length] as TServer);
    const v2: Partial<Record<TServer, TMeasured>> = {};
    const v3: Partial<Record<TServer, TMeasured>> = {};
    for (const s of order) v2[s] = await notifyRound(s, "v2", NOTIFIES);
    const floor = await floorRound(FLOOR_REQUESTS);
    for (const s of order) if (s !== "quiet") v3[s] = await notifyRound(s, "v3", V3_NOTIFIES);
    await settle();
    const logFrom = web.output().length;
    const bareFrom = bareTrpcOutput.length;
    const purchases = await purchaseRound(PREPAYS);
    const { sim, cpu } = purchases;
    const { web: shop, next: shopNext, bare: shopBare, handPurchase: shopHand } = purchases.ms;
    const shopInside = (await procedureTimes(logFrom)).sort((a, b) => a - b);
    const shopBareInside = (await procedureTimes(bareFrom, () => bareTrpcOutput)).sort((a, b) => a - b);
    const round = {
      v2,
      v3,
      floor,
      shop,
      shopInside,
      shopNext,
      shopBare,
      shopBareInside,
      shopHand,
      cpu,
      sim,
    } as TRound;
    rounds.push(round);
    log(
      `round ${r}: v2 req/s web ${round.v2.web.rate.toFixed(0)} next ${round.v2.next.rate.toFixed(0)} bare ${round.v2.bare.rate.toFixed(0)} ` +
        `hand ${round.v2.hand.rate.toFixed(0)}; floor ${floor.rate.toFixed(0)}; v3 web ${round.v3.web.rate.toFixed(0)} ` +
        `hand ${round.v3.hand.rate.toFixed(0)}; createOrder+prepay p50 ${percentile(shop, 50).toFixed(1)} ms ` +
        `(hand-written ${percentile(shopHand, 50).toFixed(1)} ms), ` +
        `unifiedorder p50 ${percentile(sim, 50).toFixed(1)} ms (load ${loadAverage()})`,
    );
  }

  // Statements per notify: one more round to the route with the counters reset (no other traffic in the database).
  let perNotify: { query: string; calls: number; meanMs: number }[] = [];
  if (statements) {
    await sys.sql`select pg_stat_statements_reset()`;
    const n = Math.min(NOTIFIES, 1000);
    await notifyRound("web", "v2", n);
    const rows = await sys.sql<{ query: string; calls: string; meanMs: number }[]>`
      select regexp_replace(query, '\\s+', ' ', 'g') as query, calls::text, mean_exec_time as "meanMs"
        from pg_stat_statements
       where dbid = (select oid from pg_database where datname = current_database())
         and query not ilike '%pg_stat_statements%'
       order by calls desc, query`;
    perNotify = rows
      .map((row) => ({ query: row.query, calls: Number(row.calls) / n, meanMs: row.meanMs }))
      .filter((row) => row.calls >= 0.5);
  }

  // Growth: the same notify load and orderStatus at 10 k orders (now) and at BIG_SHOP orders.
  const [{ n: ordersNow } = { n: 0 }] = await sys.sql<{ n: number }[]>`select count(*)::int as n from orders`;
  const growthRound = async () => {
    const w = await notifyRound("web", "v2", NOTIFIES);
    const h = await notifyRound("hand", "v2", NOTIFIES);
    return { web: w, hand: h, status: await orderStatuses(STATUS_SAMPLES) };
  };
  const small = await growthRound();
  log(`seeding up to ${BIG_SHOP} orders (load average ${loadAverage()})`);
  const seedStarted = performance.now();
  await seedOrderHistory(sys.sql, BIG_SHOP);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  // Measured on a settled database, not one still writing out the seed: visibility map and statistics up to date
  // (autovacuum would do it minutes later, in the middle of the rounds), dirty pages flushed.
  await sys.sql`vacuum analyze`;
  await sys.sql`checkpoint`;
  await notifyRound("web", "v2", 300);
  await notifyRound("hand", "v2", 300);
  await orderStatuses(20);
  const big = await growthRound();
  const [{ n: ordersBig } = { n: 0 }] = await sys.sql<{ n: number }[]>`select count(*)::int as n from orders`;

  // Reconciliation at the big size: N due attempts, one instance; then N more, two instances at once.
  log(`reconciliation over ${DUE_ATTEMPTS} due attempts (load average ${loadAverage()})`);
  type TPass = { ms: number; checked: number; errors: number };
  // The purchase rows' own attempts come due a minute after their prepay: put them off, so a pass checks N, not N + those.
  await sys.sql`
    update payment_attempts set next_check_at = now() + interval '1 day'
     where status in ('CREATED', 'PREPAID') and next_check_at < now() + interval '1 hour'`;
  await dueAttempts(sys.sql, { tag: "rone", n: DUE_ATTEMPTS });
  const one = await runScript<TPass>("bench/reconcile-instance.ts", [sys.databaseUrl, sys.sim.url]);
  await dueAttempts(sys.sql, { tag: "rtwo", n: DUE_ATTEMPTS });
  const twoStarted = performance.now();
  const two = await Promise.all([
    runScript<TPass>("bench/reconcile-instance.ts", [sys.databaseUrl, sys.sim.url]),
    runScript<TPass>("bench/reconcile-instance.ts", [sys.databaseUrl, sys.sim.url]),
  ]);
  const twoMs = performance.now() - twoStarted;
  const [checks] = await sys.sql<{ tag: string; once: number; overlaps: number; missed: number }[]>`
    select count(*) filter (where check_count = 1)::int as once,
           count(*) filter (where check_count > 1)::int as overlaps,
           count(*) filter (where check_count = 0)::int as missed
      from payment_attempts where id like 'rtwo%'`;
  clearInterval(sampler);

  // Every payment was applied exactly once.
  const [check] = await sys.sql<{ unpaid: number; paidEvents: number; orders: number }[]>`
    select count(*) filter (where o.status <> 'PAID')::int as unpaid,
           count(e.id)::int as "paidEvents",
           count(*)::int as orders
      from orders o left join order_events e on e.order_id = o.id and e.type = 'PAID'
     where o.customer_id = 'bench' and o.id like 'bench%'`;
  if (!check || check.unpaid !== 0 || check.paidEvents !== check.orders) {
    throw new Error(`bench payments not applied exactly once: ${JSON.stringify(check)}`);
  }
  const loadAfter = loadAverage();

  // ---- the report ----
  const f0 = (x: number) => x.toFixed(0);
  const f1 = (x: number) => x.toFixed(1);
  const f2 = (x: number) => x.toFixed(2);
  const med = (f: (r: TRound) => number) => median(rounds.map(f));
  type TRow = { label: string; pick: (r: TRound) => TMeasured; base: (r: TRound) => TMeasured };
  const rowsSpec: TRow[] = [
    {
      label: "v2 notify — hand-written (node:http, parse + verify, 1 postgres.js statement)",
      pick: (r) => r.v2.hand,
      base: (r) => r.v2.hand,
    },
    {
      label: "v2 notify — bare node:http + the shop's core handler",
      pick: (r) => r.v2.bare,
      base: (r) => r.v2.hand,
    },
    {
      label: `**v2 notify — the route as production serves it** (\`shop-server.mjs\`, \`POST ${NOTIFY_PATH}\`)`,
      pick: (r) => r.v2.web,
      base: (r) => r.v2.hand,
    },
    {
      label: "v2 notify — the same route file through Next's router (`next start`)",
      pick: (r) => r.v2.next,
      base: (r) => r.v2.hand,
    },
    {
      label: "v2 notify — production route with LOG_LEVEL=warn (no per-notify log line)",
      pick: (r) => r.v2.quiet,
      base: (r) => r.v2.hand,
    },
    {
      label: "Next's floor (same build, a route answering a fixed body)",
      pick: (r) => r.floor,
      base: (r) => r.v2.hand,
    },
    {
      label: "v3 notify — hand-written (same, with RSA verify + AES-GCM)",
      pick: (r) => r.v3.hand,
      base: (r) => r.v3.hand,
    },
    { label: "v3 notify — bare node:http + core handler", pick: (r) => r.v3.bare, base: (r) => r.v3.hand },
    {
      label: `**v3 notify — the route as production serves it** (\`POST ${V3_NOTIFY_PATH}\`)`,
      pick: (r) => r.v3.web,
      base: (r) => r.v3.hand,
    },
    {
      label: "v3 notify — the same route file through Next's router (`next start`)",
      pick: (r) => r.v3.next,
      base: (r) => r.v3.hand,
    },
  ];
  const mainTable = [
    `| ${CONCURRENCY} connections | req/s | p50 ms | p99 ms | CPU ms per request | ÷ hand-written (req/s, same round) |`,
    "|---|---:|---:|---:|---:|---:|",
    ...rowsSpec.map(
      (row) =>
        `| ${row.label} | ${f0(med((r) => row.pick(r).rate))} | ${f1(med((r) => p(row.pick(r), 50)))} | ` +
        `${f1(med((r) => p(row.pick(r), 99)))} | ${f2(med((r) => row.pick(r).cpuMs))} | ` +
        `${f2(med((r) => row.pick(r).rate / row.base(r).rate))} |`,
    ),
  ].join("\n");

  const shopP50 = med((r) => percentile(r.shop, 50));
  const simP50 = med((r) => percentile(r.sim, 50));
  const overheadP50 = med((r) => percentile(r.shop, 50) - percentile(r.sim, 50));
  const statusSmall = percentile(small.status, 50);
  const statusBig = percentile(big.status, 50);
  const otherTable = [
    "| measure | value | against | ratio / difference |",
    "|---|---:|---:|---:|",
    `| createOrder + prepay(h5), p50 ms (sequential, ${PREPAYS} a round) | ${f1(shopP50)} | ${f1(simP50)} (simulator's unifiedorder via the pay client) | **+${f1(overheadP50)} ms** the shop's own cost |`,
    `| the same inside the procedures (the API's own timing of createOrder + prepay, without the two HTTP hops), p50 ms | ${f1(med((r) => percentile(r.shopInside, 50)))} | ${f1(simP50)} | +${f1(med((r) => percentile(r.shopInside, 50) - percentile(r.sim, 50)))} ms |`,
    `| the same through the tRPC router behind a bare node:http server (no Next, \`packages/api/scripts/bare-trpc-server.ts\`): end to end / inside the procedures, p50 ms | ${f1(med((r) => percentile(r.shopBare, 50)))} / ${f1(med((r) => percentile(r.shopBareInside, 50)))} | ${f1(simP50)} | +${f1(med((r) => percentile(r.shopBare, 50) - percentile(r.sim, 50)))} / +${f1(med((r) => percentile(r.shopBareInside, 50) - percentile(r.sim, 50)))} ms |`,
    `| the same work written by hand (node:http + postgres.js, \`bench/hand-written-purchase-server.ts\`): end to end p50 ms | ${f1(med((r) => percentile(r.shopHand, 50)))} | ${f1(simP50)} | +${f1(med((r) => percentile(r.shopHand, 50) - percentile(r.sim, 50)))} ms; the shop − hand-written: **+${f1(med((r) => percentile(r.shop, 50) - percentile(r.shopHand, 50)))} ms** (shop ÷ hand-written, end to end: ${f2(med((r) => percentile(r.shop, 50) / percentile(r.shopHand, 50)))}) |`,
    `| CPU of the serving process per purchase (user + system, all its threads), ms: the shop / the bare tRPC server / by hand | ${f2(med((r) => r.cpu.web))} / ${f2(med((r) => r.cpu.bare))} / ${f2(med((r) => r.cpu.handPurchase))} | | shop − hand-written: +${f2(med((r) => r.cpu.web - r.cpu.handPurchase))} ms |`,
    `| the same through Next's router (\`next start\`), p50 ms | ${f1(med((r) => percentile(r.shopNext, 50)))} | ${f1(simP50)} | +${f1(med((r) => percentile(r.shopNext, 50) - percentile(r.sim, 50)))} ms |`,
    `| createOrder + prepay(h5), p99 ms | ${f1(med((r) => percentile(r.shop, 99)))} | ${f1(med((r) => percentile(r.sim, 99)))} | +${f1(med((r) => percentile(r.shop, 99) - percentile(r.sim, 99)))} ms |`,
    `| v2 notify route req/s at ${ordersNow.toLocaleString("en")} → ${ordersBig.toLocaleString("en")} orders | ${f0(big.web.rate)} | ${f0(small.web.rate)} | ${f2(big.web.rate / small.web.rate)} |`,
    `| hand-written req/s at the same two sizes | ${f0(big.hand.rate)} | ${f0(small.hand.rate)} | ${f2(big.hand.rate / small.hand.rate)} |`,
    `| route ÷ hand-written at ${ordersBig.toLocaleString("en")} orders (at ${ordersNow.toLocaleString("en")}) | ${f2(big.web.rate / big.hand.rate)} | ${f2(small.web.rate / small.hand.rate)} | |`,
    `| route p99 ms at ${ordersBig.toLocaleString("en")} orders (at ${ordersNow.toLocaleString("en")}) | ${f1(p(big.web, 99))} | ${f1(p(small.web, 99))} | |`,
    `| orderStatus p50 ms at ${ordersBig.toLocaleString("en")} orders (at ${ordersNow.toLocaleString("en")}) | ${f2(statusBig)} | ${f2(statusSmall)} | ${f2(statusBig / statusSmall)} |`,
    `| reconciliation pass, ${DUE_ATTEMPTS.toLocaleString("en")} due attempts, one instance (s) | ${f1(one.ms / 1000)} | ${f0((one.checked / one.ms) * 1000)} attempts/s | ${one.checked} checked, ${one.errors} errors |`,
    `| the same, two instances at once (s) | ${f1(twoMs / 1000)} | ${two.map((t) => t.checked).join(" + ")} checked | **${checks?.overlaps ?? "?"} overlaps**, ${checks?.missed ?? "?"} missed |`,
    `| web process peak RSS under the notify load (MB) | ${f0(rssPeak)} | ≤ 400 | |`,
  ].join("\n");

  const cpus = os.cpus();
  let commit = "?";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    // not a git checkout
  }
  const machine = [
    `- Date: ${new Date().toISOString()}; commit ${commit}; ${QUICK ? "**quick mode** (WXPAY_BENCH_QUICK=1)" : "full run"}: ${ROUNDS} round(s), ${NOTIFIES} v2 / ${V3_NOTIFIES} v3 notifies and ${FLOOR_REQUESTS} floor requests per server per round`,
    `- Load average (1/5/15 min) before the rounds ${loadBefore}, after the run ${loadAfter}`,
    `- CPU: ${cpus[0]?.model ?? "?"}, ${cpus.length} cores; ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM; Node ${process.version}; PostgreSQL ${pgVersion} (throwaway cluster, synchronous_commit on for the shop's database)`,
    `- Everything on this one machine: PostgreSQL, the shop's two servers, the baseline servers (notify and purchase), the simulator and the load generator share the cores. Seeding ${(BIG_SHOP - ordersNow).toLocaleString("en")} orders took ${f0(seedSeconds)} s.`,
  ].join("\n");
  const perRound = [
    "| round | v2 req/s hand / bare / web / next start | floor req/s | v3 req/s hand / bare / web / next start | v2 route p50 / p99 ms | createOrder+prepay p50 (next start / hand-written) | unifiedorder p50 |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rounds.map(
      (r, i) =>
        `| ${i + 1} | ${f0(r.v2.hand.rate)} / ${f0(r.v2.bare.rate)} / ${f0(r.v2.web.rate)} / ${f0(r.v2.next.rate)} | ${f0(r.floor.rate)} | ` +
        `${f0(r.v3.hand.rate)} / ${f0(r.v3.bare.rate)} / ${f0(r.v3.web.rate)} / ${f0(r.v3.next.rate)} | ${f1(p(r.v2.web, 50))} / ${f1(p(r.v2.web, 99))} | ` +
        `${f1(percentile(r.shop, 50))} (${f1(percentile(r.shopNext, 50))} / ${f1(percentile(r.shopHand, 50))}) | ${f1(percentile(r.sim, 50))} |`,
    ),
  ].join("\n");
  const statementTable = perNotify.length
    ? [
        `Statements per applied v2 notify through the route (pg_stat_statements over ${Math.min(NOTIFIES, 1000)} notifies; ` +
          `${f1(perNotify.reduce((n, s) => n + s.calls, 0))} in all), each prepared once per connection:`,
        "",
        "| per notify | mean ms | statement |",
        "|---:|---:|---|",
        ...perNotify.map(
          (s) =>
            `| ${f1(s.calls)} | ${s.meanMs.toFixed(3)} | \`${s.query.slice(0, 110).replace(/\|/g, "\\|")}\` |`,
        ),
      ].join("\n")
    : "";

  const generated = `${mainTable}\n\n${otherTable}\n\nMachine and run:\n\n${machine}\n\nPer round:\n\n${perRound}\n\n${statementTable}\n`;
  fs.writeFileSync(GENERATED, `<!-- written by \`pnpm bench\` -->\n\n${generated}`);
  // BENCHMARK.md at the repository root keeps its prose; the measured part between the markers is replaced.
  const BEGIN = "<!-- bench:begin -->";
  const END = "<!-- bench:end -->";
  if (fs.existsSync(REPO_BENCHMARK)) {
    const doc = fs.readFileSync(REPO_BENCHMARK, "utf8");
    const a = doc.indexOf(BEGIN);
    const b = doc.indexOf(END);
    if (a >= 0 && b > a) {
      fs.writeFileSync(REPO_BENCHMARK, `${doc.slice(0, a + BEGIN.length)}\n\n${generated}\n${doc.slice(b)}`);
    }
  }
  try {
    // The repository's formatter lays the tables out, so a fresh run leaves `pnpm format:check` clean.
    execFileSync(
      path.join(REPO_DIR, "node_modules/.bin/prettier"),
      ["--write", GENERATED, ...(fs.existsSync(REPO_BENCHMARK) ? [REPO_BENCHMARK] : [])],
      { stdio: "ignore" },
    );
  } catch {
    // formatting is cosmetic
  }
  console.log(`\n${generated}`);
  log(`written to ${path.relative(process.cwd(), GENERATED)} and BENCHMARK.md`);
} finally {
  await cleanup();
}
