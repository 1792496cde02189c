// The log an operator reads, over real HTTP: every tRPC call is one line stamped with its request id (the
// caller's X-Request-Id, echoed back), and a login's lines hold no secret, token, cookie or full openid.
import { Writable } from "node:stream";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createLogger } from "@wxpay/core";
import { SANDBOX_CONFIG } from "@wxpay/core/testing";

import type { Harness } from "./harness";
import { Shopper, startHarness } from "./harness";

let h: Harness;
let written = "";
const lines = () =>
  written
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      written += chunk.toString();
      done();
    },
  });
  h = await startHarness({ label: "api_logging", log: createLogger({ level: "info", destination }) });
});
afterAll(async () => {
  await h.close();
});

describe("the log of a request", () => {
  it("a mini-program login: one line with the request id, and no secret, token or full openid anywhere", async () => {
    written = "";
    const { code } = await h.control.loginCode({ appId: h.deps.config.miniProgram.appId, userId: "alice" });
    const res = await fetch(`${h.url}/api/trpc/miniLogin`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "req-login-0001" },
      body: JSON.stringify({ code }),
    });
    expect(res.headers.get("x-request-id")).toBe("req-login-0001");
    const { result } = (await res.json()) as { result: { data: { token: string } } };
    const token = result.data.token;
    const openid = (
      JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as { mo: string }
    ).mo;
    expect(openid.length).toBeGreaterThan(10);

    // The code is spent: a second login with it is refused by WeChat, and logged with its code.
    await new Shopper(h.url).mutate("miniLogin", { code }, { "x-request-id": "req-login-0002" });
    // A shopper with a cookie places an order: the cookie never reaches the log either.
    const s = new Shopper(h.url);
    await s.mutate("createOrder", { items: [{ sku: "TEST-1FEN", qty: 1 }] });
    await s.query("myOrders");

    const login = lines().find((l) => l.reqId === "req-login-0001");
    expect(login).toMatchObject({ level: "info", msg: "trpc", path: "miniLogin", type: "mutation" });
    const refused = lines().find((l) => l.reqId === "req-login-0002");
    expect(refused).toMatchObject({ msg: "trpc", path: "miniLogin" });
    expect(refused?.errorCode).toMatch(/^[A-Z_]+$/);
    for (const secret of [
      token,
      openid,
      code,
      s.cookie ?? "missing cookie",
      SANDBOX_CONFIG.miniProgram.secret,
      SANDBOX_CONFIG.officialAccount.secret,
      SANDBOX_CONFIG.key,
      SANDBOX_CONFIG.sessionSecret,
    ]) {
      expect(written).not.toContain(secret);
    }
  });

  it("a request without an id gets one of its own, echoed and on its line", async () => {
    written = "";
    const res = await fetch(`${h.url}/api/trpc/products`);
    const id = res.headers.get("x-request-id") ?? "";
    expect(id).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(lines().find((l) => l.reqId === id)).toMatchObject({ msg: "trpc", path: "products" });
  });
});
