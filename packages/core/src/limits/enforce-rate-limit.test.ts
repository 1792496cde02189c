// The rate limiter's one statement (count both keys, sweep old windows) on the test database: PostgreSQL under the
// with-postgres wrapper, PGlite without it.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { rowsOf } from "@wxpay/db";

import type { CoreDeps } from "../deps";
import type { TTestCore } from "../testing";
import { createTestCore } from "../testing";
import { enforceRateLimit, RATE_LIMIT_WINDOW_MS } from "./enforce-rate-limit";

// A fixed clock at the start of a window, moved by the tests.
let nowMs = Math.ceil(Date.now() / RATE_LIMIT_WINDOW_MS) * RATE_LIMIT_WINDOW_MS;
let core: TTestCore;
let deps: CoreDeps;

beforeAll(async () => {
  core = await createTestCore({
    label: "core_rate_limit",
    wechatBase: "http://127.0.0.1:9",
    now: () => new Date(nowMs),
    config: { rateLimits: { perIpPerMinute: 3, perCustomerPerMinute: 2 } },
  });
  deps = core.deps;
});
afterAll(async () => {
  await core.close();
});

const rows = async () =>
  rowsOf<{ key: string; hits: number }>(
    await deps.db.execute(sql`select key, hits from rate_limit_hits order by key, window_start`),
  );
const hit = (ip: string, customerId?: string) => enforceRateLimit(deps, { action: "prepay", ip, customerId });

describe("enforceRateLimit", () => {
  it("counts the IP and the customer; past either limit in the minute: TOO_MANY_REQUESTS, and the next minute is new", async () => {
    await hit("198.51.100.1", "c_a");
    await hit("198.51.100.1", "c_a");
    // The customer's third call in the minute (limit 2), from another address.
    await expect(hit("198.51.100.2", "c_a")).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    // The first address's third call is within its limit of 3 (another customer).
    await hit("198.51.100.1", "c_b");
    await expect(hit("198.51.100.1", "c_c")).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(await rows()).toEqual([
      { key: "prepay:customer:c_a", hits: 3 },
      { key: "prepay:customer:c_b", hits: 1 },
      { key: "prepay:customer:c_c", hits: 1 },
      { key: "prepay:ip:198.51.100.1", hits: 4 },
      { key: "prepay:ip:198.51.100.2", hits: 1 },
    ]);
    nowMs += RATE_LIMIT_WINDOW_MS;
    await hit("198.51.100.1", "c_a");
  });

  it("a key's first call in a new window sweeps its old windows; windows older than ten minutes go for every key", async () => {
    // Now: c_a and 198.51.100.1 have a row in the current window and one in the window before; the others only
    // in the window before. Eleven minutes on, a call by a fourth customer sweeps everyone's rows.
    nowMs += RATE_LIMIT_WINDOW_MS;
    await hit("198.51.100.1", "c_a");
    const keys = (await rows()).map((r) => r.key);
    expect(keys.filter((k) => k === "prepay:customer:c_a")).toHaveLength(1);
    expect(keys.filter((k) => k === "prepay:ip:198.51.100.1")).toHaveLength(1);
    expect(keys).toContain("prepay:customer:c_b");

    nowMs += 11 * RATE_LIMIT_WINDOW_MS;
    await hit("203.0.113.9", "c_d");
    expect(await rows()).toEqual([
      { key: "prepay:customer:c_d", hits: 1 },
      { key: "prepay:ip:203.0.113.9", hits: 1 },
    ]);
  });

  it("no limits configured: nothing is counted", async () => {
    const off: CoreDeps = {
      ...deps,
      config: { ...deps.config, rateLimits: { perIpPerMinute: 0, perCustomerPerMinute: 0 } },
    };
    const before = await rows();
    await enforceRateLimit(off, { action: "createOrder", ip: "198.51.100.7", customerId: "c_z" });
    expect(await rows()).toEqual(before);
  });
});
