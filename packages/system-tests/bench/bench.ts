// `pnpm bench` (this package): the shop's production build on real PostgreSQL, measured against baselines taken in
// the same run, on the same database, interleaved round by round (this host is noisy: only ratios mean anything).
//   1. POST /api/wechat/pay/notify of `next start` vs a bare node:http server calling the same core handler
//      (handlePayNotify, deps from createCoreDeps): throughput and p50/p99 latency, each request a fresh payment.
//   2. createOrder + prepay(h5) through the web API vs the simulator's own unifiedorder, called with the pay client.
// Prints a table and writes BENCHMARK.md. Usage: tsx bench/bench.ts [rounds=5] [notifies per round=2000] [prepays per round=100]
import type { ChildProcess } from "node:child_process";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

import { NOTIFY_PATH } from "@wxpay/core";
import { createPayClient, generateOutTradeNo } from "@wxpay/wechatpay";
import { SANDBOX } from "@wxpay/wechat-sim";

import type { TLoadResult } from "../src/load";
import { median, percentile, runLoad } from "../src/load";
import { restartPostgres } from "../src/pg-control";
import { Shopper } from "../src/shopper";
import { payableNotifies } from "../src/bench-fixtures";
import { startSystem } from "../src/system";
import { startWeb } from "../src/web-process";

const ROUNDS = Number(process.argv[2] ?? 5);
const NOTIFIES = Number(process.argv[3] ?? 2000);
const PREPAYS = Number(process.argv[4] ?? 100);
const CONCURRENCY = 32;
const PACKAGE_DIR = path.resolve(import.meta.dirname, "..");
const OUT_FILE = path.join(PACKAGE_DIR, "BENCHMARK.md");
const SUCCESS = "<return_code><![CDATA[SUCCESS]]></return_code>";

const log = (line: string) => console.log(`[bench] ${line}`);

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

const sys = await startSystem({ timeScale: 1 });
const children: ChildProcess[] = [];
let web: Awaited<ReturnType<typeof startWeb>> | undefined;
const cleanup = async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  await web?.stop();
  await sys.close();
};
process.on("SIGINT", () => void cleanup().finally(() => process.exit(130)));

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

  web = await startWeb({ databaseUrl: sys.databaseUrl, simUrl: sys.sim.url, reconcileIntervalSeconds: 0 });
  const bare = spawn(
    process.execPath,
    ["--import", "tsx", "bench/bare-notify-server.ts", sys.databaseUrl, sys.sim.url],
    {
      cwd: PACKAGE_DIR,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(bare);
  const bareOut = bare.stdout;
  if (!bareOut) throw new Error("bare server has no stdout");
  const barePort = await new Promise<number>((resolve, reject) => {
    bare.on("exit", (code) => reject(new Error(`bare server exited with ${code}`)));
    readline.createInterface({ input: bareOut }).on("line", (line) => {
      if (line.startsWith('{"port"')) resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  const targets = { web: `${web.url}${NOTIFY_PATH}`, bare: `http://127.0.0.1:${barePort}${NOTIFY_PATH}` };
  log(
    `web ${web.url} (pid ${web.serverPid}), bare node:http :${barePort} (pid ${bare.pid}), PostgreSQL ${pgVersion}`,
  );

  // Fresh PREPAID attempts, inserted directly, and one signed notify (WeChat's layout, MD5) paying each.
  let batchNo = 0;
  const freshNotifies = (n: number) => payableNotifies(sys.sql, { prefix: "BENCH", batch: ++batchNo, n });

  const serverPids = { web: web.serverPid, bare: bare.pid ?? 0 };
  type TNotifyRound = TLoadResult & { cpuMsPerNotify: number };
  async function notifyRound(which: keyof typeof targets, n: number): Promise<TNotifyRound> {
    const bodies = await freshNotifies(n);
    const cpu0 = cpuMs(serverPids[which]);
    const r = await runLoad({ url: targets[which], bodies, concurrency: CONCURRENCY, expect: SUCCESS });
    const cpuMsPerNotify = (cpuMs(serverPids[which]) - cpu0) / n;
    if (r.failures > 0)
      throw new Error(`${which}: ${r.failures} of ${n} notifies not acknowledged (${r.firstFailure})`);
    return { ...r, cpuMsPerNotify };
  }

  const shopper = new Shopper(web.url);
  const payClient = createPayClient({
    baseUrl: sys.sim.url,
    mchId: SANDBOX.mchId,
    key: SANDBOX.key,
    signType: "MD5",
    appId: SANDBOX.officialAppId,
    timeoutMs: 10_000,
  });
  async function shopPrepays(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await shopper.placeH5Order();
      out.push(performance.now() - t);
    }
    return out.sort((a, b) => a - b);
  }
  async function simUnifiedOrders(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await payClient.unifiedOrder({
        tradeType: "MWEB",
        sceneInfo: { type: "Wap", wapUrl: web?.url ?? "http://127.0.0.1", wapName: "bench" },
        outTradeNo: generateOutTradeNo(),
        body: "茶与器-测试商品（1分钱）",
        totalFeeFen: 1,
        notifyUrl: `${web?.url ?? "http://127.0.0.1"}${NOTIFY_PATH}`,
        spbillCreateIp: "127.0.0.1",
        timeExpire: new Date(Date.now() + 30 * 60_000),
      });
      out.push(performance.now() - t);
    }
    return out.sort((a, b) => a - b);
  }

  log("warm-up");
  await notifyRound("web", 500);
  await notifyRound("bare", 500);
  await shopPrepays(20);
  await simUnifiedOrders(20);

  type TRound = { web: TNotifyRound; bare: TNotifyRound; shop: number[]; sim: number[] };
  const rounds: TRound[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    // Alternate who goes first, so a slow stretch of the host does not always hit the same side.
    const order: (keyof typeof targets)[] = r % 2 ? ["web", "bare"] : ["bare", "web"];
    const res: Partial<Record<keyof typeof targets, TNotifyRound>> = {};
    for (const which of order) res[which] = await notifyRound(which, NOTIFIES);
    const [shop, sim] =
      r % 2
        ? [await shopPrepays(PREPAYS), await simUnifiedOrders(PREPAYS)]
        : await (async () => {
            const s = await simUnifiedOrders(PREPAYS);
            return [await shopPrepays(PREPAYS), s];
          })();
    const round: TRound = { web: res.web as TNotifyRound, bare: res.bare as TNotifyRound, shop, sim };
    rounds.push(round);
    const rate = (x: TLoadResult) => (x.requests / x.elapsedMs) * 1000;
    log(
      `round ${r}: notify web ${rate(round.web).toFixed(0)}/s p50 ${percentile(round.web.latenciesMs, 50).toFixed(1)} ms, ` +
        `bare ${rate(round.bare).toFixed(0)}/s p50 ${percentile(round.bare.latenciesMs, 50).toFixed(1)} ms; ` +
        `createOrder+prepay p50 ${percentile(shop, 50).toFixed(1)} ms, unifiedorder p50 ${percentile(sim, 50).toFixed(1)} ms`,
    );
  }

  // Statements per notify: one more bare round with the counters reset (bare: no other traffic in the database).
  let perNotify: { query: string; calls: number; meanMs: number }[] = [];
  if (statements) {
    await sys.sql`select pg_stat_statements_reset()`;
    const n = 1000;
    await notifyRound("bare", n);
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

  // Every payment was applied exactly once.
  const [check] = await sys.sql<{ unpaid: number; paidEvents: number; orders: number }[]>`
    select count(*) filter (where o.status <> 'PAID')::int as unpaid,
           (select count(*)::int from order_events e where e.type = 'PAID' and e.order_id like 'b%x%') as "paidEvents",
           count(*)::int as orders
      from orders o where o.customer_id = 'bench'`;
  if (!check || check.unpaid !== 0 || check.paidEvents !== check.orders) {
    throw new Error(`bench payments not applied exactly once: ${JSON.stringify(check)}`);
  }

  const rate = (x: TLoadResult) => (x.requests / x.elapsedMs) * 1000;
  const m = {
    webRate: median(rounds.map((r) => rate(r.web))),
    bareRate: median(rounds.map((r) => rate(r.bare))),
    webP50: median(rounds.map((r) => percentile(r.web.latenciesMs, 50))),
    bareP50: median(rounds.map((r) => percentile(r.bare.latenciesMs, 50))),
    webP99: median(rounds.map((r) => percentile(r.web.latenciesMs, 99))),
    webCpu: median(rounds.map((r) => r.web.cpuMsPerNotify)),
    bareCpu: median(rounds.map((r) => r.bare.cpuMsPerNotify)),
    bareP99: median(rounds.map((r) => percentile(r.bare.latenciesMs, 99))),
    shopP50: median(rounds.map((r) => percentile(r.shop, 50))),
    simP50: median(rounds.map((r) => percentile(r.sim, 50))),
    shopP99: median(rounds.map((r) => percentile(r.shop, 99))),
    simP99: median(rounds.map((r) => percentile(r.sim, 99))),
  };
  // Ratios are medians of the per-round ratios (each round's pair ran back to back).
  const ratio = (f: (r: TRound) => number) => median(rounds.map(f));
  const ratios = {
    rate: ratio((r) => rate(r.web) / rate(r.bare)),
    p50: ratio((r) => percentile(r.web.latenciesMs, 50) / percentile(r.bare.latenciesMs, 50)),
    p99: ratio((r) => percentile(r.web.latenciesMs, 99) / percentile(r.bare.latenciesMs, 99)),
    cpu: ratio((r) => r.web.cpuMsPerNotify / r.bare.cpuMsPerNotify),
    prepayP50: ratio((r) => percentile(r.shop, 50) / percentile(r.sim, 50)),
    prepayP99: ratio((r) => percentile(r.shop, 99) / percentile(r.sim, 99)),
  };

  const f1 = (x: number) => x.toFixed(1);
  const f0 = (x: number) => x.toFixed(0);
  const f2 = (x: number) => x.toFixed(2);
  const table = [
    "| measure | shop (production build) | baseline, same run | ratio |",
    "|---|---:|---:|---:|",
    `| notify route throughput (req/s, ${CONCURRENCY} connections) | ${f0(m.webRate)} | ${f0(m.bareRate)} (bare node:http + same core handler) | ${f2(ratios.rate)} |`,
    `| notify route latency p50 (ms) | ${f1(m.webP50)} | ${f1(m.bareP50)} | ${f2(ratios.p50)} |`,
    `| notify route latency p99 (ms) | ${f1(m.webP99)} | ${f1(m.bareP99)} | ${f2(ratios.p99)} |`,
    `| server CPU per notify (ms, user + system) | ${f2(m.webCpu)} | ${f2(m.bareCpu)} | ${f2(ratios.cpu)} |`,
    `| createOrder + prepay(h5) latency p50 (ms, sequential) | ${f1(m.shopP50)} | ${f1(m.simP50)} (simulator's unifiedorder via the pay client) | ${f2(ratios.prepayP50)} |`,
    `| createOrder + prepay(h5) latency p99 (ms) | ${f1(m.shopP99)} | ${f1(m.simP99)} | ${f2(ratios.prepayP99)} |`,
  ].join("\n");

  const cpus = os.cpus();
  let commit = "?";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    // not a git checkout
  }
  const machine = [
    `- Date: ${new Date().toISOString()}`,
    `- CPU: ${cpus[0]?.model ?? "?"}, ${cpus.length} cores; ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM; ${os.type()} ${os.release()}`,
    `- Node ${process.version}; PostgreSQL ${pgVersion} (throwaway cluster: fsync off, synchronous_commit on for the shop's database); commit ${commit}`,
    `- Everything on this one machine: PostgreSQL, \`next start\`, the bare server, the simulator and the load generator share the cores.`,
  ].join("\n");
  const perRound = rounds
    .map(
      (r, i) =>
        `| ${i + 1} | ${f0(rate(r.web))} | ${f0(rate(r.bare))} | ${f2(r.web.cpuMsPerNotify)} / ${f2(r.bare.cpuMsPerNotify)} | ${f1(percentile(r.web.latenciesMs, 50))} / ${f1(percentile(r.web.latenciesMs, 99))} | ` +
        `${f1(percentile(r.bare.latenciesMs, 50))} / ${f1(percentile(r.bare.latenciesMs, 99))} | ${f1(percentile(r.shop, 50))} / ${f1(percentile(r.shop, 99))} | ${f1(percentile(r.sim, 50))} / ${f1(percentile(r.sim, 99))} |`,
    )
    .join("\n");
  const statementTable = perNotify.length
    ? [
        `Statements per applied notify (pg_stat_statements over ${1000} notifies to the bare server; ` +
          `${f1(perNotify.reduce((n, s) => n + s.calls, 0))} besides COMMIT), each prepared once per connection ` +
          "(@wxpay/db's client makes postgres.js prepare what drizzle sends). `tsx scripts/notify-round-trips.ts` compares " +
          "core's handler with the same work written directly against postgres.js.",
        "",
        "| per notify | mean ms | statement |",
        "|---:|---:|---|",
        ...perNotify.map(
          (s) =>
            `| ${f1(s.calls)} | ${s.meanMs.toFixed(3)} | \`${s.query.slice(0, 110).replace(/\|/g, "\\|")}\` |`,
        ),
      ].join("\n")
    : "";

  const md = `# Benchmark

\`pnpm bench\` (here: \`pnpm --filter @wxpay/system-tests bench\`, after \`pnpm build\`). Production build (\`next start\`) on real
PostgreSQL; every figure is a median over ${ROUNDS} interleaved rounds, and every comparison is against a baseline measured in the
same run on the same database. Read the ratios; the absolute numbers move ±30 % with the host's load.

- **Notify route**: ${NOTIFIES} signed payment notifies per round (each one a fresh payment: verify, lock, transition, event,
  delivery record, one transaction), ${CONCURRENCY} keep-alive connections, sent to \`POST ${NOTIFY_PATH}\` of \`next start\` and to a
  bare \`node:http\` server calling the same \`handlePayNotify\` with deps from \`createCoreDeps\` (same pool size, same database).
- **createOrder + prepay**: ${PREPAYS} sequential H5 purchases per round through the web API (two tRPC calls; prepay stores the
  attempt, calls the simulator's \`unifiedorder\`, stores the answer) against ${PREPAYS} \`unifiedorder\` calls made directly to the
  simulator with the same pay client.

${table}

Machine:
${machine}

Per round (throughput req/s; latencies p50 / p99 ms):

| round | web req/s | bare req/s | CPU ms per notify web / bare | web notify | bare notify | createOrder+prepay | sim unifiedorder |
|---|---:|---:|---:|---:|---:|---:|---:|
${perRound}

${statementTable}
`;
  fs.writeFileSync(OUT_FILE, md);
  try {
    // The repository's formatter lays the tables out, so a fresh run leaves `pnpm format:check` clean.
    execFileSync(path.resolve(PACKAGE_DIR, "../../node_modules/.bin/prettier"), ["--write", OUT_FILE], {
      stdio: "ignore",
    });
  } catch {
    // formatting is cosmetic
  }
  console.log(`\n${table}\n\n${machine}\n`);
  if (statementTable) console.log(`${statementTable}\n`);
  log(`written to ${path.relative(process.cwd(), OUT_FILE)}`);
} finally {
  await cleanup();
}
