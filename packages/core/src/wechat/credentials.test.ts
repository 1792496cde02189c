import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { leases } from "@wxpay/db";

import type { TTestCore } from "../testing";
import { createTestCore } from "../testing";
import { getCredential } from "./credentials";

const APPID = "wxd930ea5d5a258f4f";

/** A WeChat that answers only when told to. */
function slowWechat() {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let calls = 0;
  let started: () => void = () => {};
  const firstCall = new Promise<void>((r) => (started = r));
  return {
    get calls() {
      return calls;
    },
    firstCall,
    release,
    async fetchNew() {
      calls += 1;
      started();
      await gate;
      return { value: `token-${calls}`, expiresAt: new Date(Date.now() + 7200_000) };
    },
  };
}

describe("credential refresh", () => {
  let core: TTestCore;
  beforeAll(async () => {
    // One connection: anything that holds it across WeChat's answer starves every other query.
    core = await createTestCore({
      label: "core_credentials",
      wechatBase: "http://127.0.0.1:9",
      maxConnections: 1,
    });
  });
  afterAll(async () => {
    await core.close();
  });

  it("while WeChat is slow to answer, the refresh holds no connection: other queries still run", async () => {
    const wechat = slowWechat();
    const refreshing = getCredential(core.deps, APPID, "access_token", () => wechat.fetchNew());
    await wechat.firstCall;
    const other = core.deps.db.execute(sql`select 1 as one`).then(() => "answered");
    const outcome = await Promise.race([
      other,
      new Promise<string>((r) => setTimeout(() => r("starved"), 2000)),
    ]);
    wechat.release();
    expect(outcome).toBe("answered");
    expect(await refreshing).toBe("token-1");
    await other;
  });

  it("many concurrent cold callers cause one fetch and all get its value", async () => {
    const wechat = slowWechat();
    const callers = Array.from({ length: 8 }, () =>
      getCredential(core.deps, APPID, "jsapi_ticket", () => wechat.fetchNew()),
    );
    await wechat.firstCall;
    await new Promise((r) => setTimeout(r, 300));
    wechat.release();
    expect(new Set(await Promise.all(callers))).toEqual(new Set(["token-1"]));
    expect(wechat.calls).toBe(1);
  });

  it("a value the caller saw rejected is refreshed once, by one caller", async () => {
    const wechat = slowWechat();
    wechat.release();
    const first = await getCredential(core.deps, APPID, "access_token", () => wechat.fetchNew(), {
      stale: "token-1",
    });
    expect(first).toBe("token-1");
    expect(wechat.calls).toBe(1);
    const again = await getCredential(core.deps, APPID, "access_token", () => wechat.fetchNew());
    expect(again).toBe("token-1");
    expect(wechat.calls).toBe(1);
  });

  it("a lease left by an instance that died lapses and the next caller refreshes", async () => {
    await core.deps.db.insert(leases).values({
      name: `wechat_credentials:${APPID}:dead_kind`,
      holder: "gone",
      expiresAt: new Date(Date.now() - 1000),
    });
    const wechat = slowWechat();
    wechat.release();
    expect(
      await getCredential(core.deps, APPID, "dead_kind" as "access_token", () => wechat.fetchNew()),
    ).toBe("token-1");
  });
});
