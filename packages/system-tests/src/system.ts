// One private world per test file: a throwaway PostgreSQL server (ours to crash and restart), the shop's database
// in it, and the WeChat simulator over HTTP. Web processes are started against it with startWeb.
import postgres from "postgres";

import type { ThrowawayPostgres } from "@wxpay/testkit/postgres";
import { startThrowawayPostgres, withDatabase } from "@wxpay/testkit/postgres";
import type { SimControl, Simulator } from "@wxpay/wechat-sim";
import { createSimControl, SANDBOX, startSimulator } from "@wxpay/wechat-sim";

export type TSystem = {
  pg: ThrowawayPostgres;
  /** The shop's database (what DATABASE_URL of every web process points at). */
  databaseUrl: string;
  /** A connection of the test's own, for assertions and for moving the schedule. */
  sql: postgres.Sql;
  sim: Simulator;
  control: SimControl;
  mchId: string;
  close(): Promise<void>;
};

export async function startSystem(opts: { timeScale?: number } = {}): Promise<TSystem> {
  const pg = await startThrowawayPostgres();
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database shop`);
    // The throwaway server runs with synchronous_commit=off for speed, which lets a crash lose the last commits.
    // A shop never runs so: its database keeps the default, so "replied SUCCESS" implies "survives a crash".
    await admin.unsafe(`alter database shop set synchronous_commit = on`);
  } finally {
    await admin.end();
  }
  const databaseUrl = withDatabase(pg.url, "shop");
  const sql = postgres(databaseUrl, { max: 4, onnotice: () => {}, connect_timeout: 5, backoff: () => 0.2 });
  const sim = await startSimulator({
    port: 0,
    log: false,
    timeScale: opts.timeScale ?? 1,
    // WeChat's 5 s reply deadline, scaled, would be a few ms; a loaded 2-core machine needs real time to answer.
    // v3 signatures carry real time: the shop refuses a Wechatpay-Timestamp over 5 minutes off its own clock, and
    // simulated time at 10x or 60x is that far ahead within a minute of the run.
    rules: { minRealNotifyDeadlineMs: 3000, signatureClock: "real" },
  });
  return {
    pg,
    databaseUrl,
    sql,
    sim,
    control: createSimControl(sim.url),
    mchId: SANDBOX.mchId,
    async close() {
      await sim.close();
      await sql.end({ timeout: 1 }).catch(() => {});
      pg.stop();
    },
  };
}

/** Polls `fn` until `ok` holds, or throws with the last value after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await fn();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`${what} not reached in ${timeoutMs} ms; last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await fn();
  }
  return last;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
