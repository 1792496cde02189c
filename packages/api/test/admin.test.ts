// The operator console's API: its own login and session, roles, partial refunds through the shop's one refund use
// case, review resolution with a note, and an append-only audit log of every action.
import { and, eq, inArray, isNull, notInArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ADMIN_COOKIE, addOperator, CSV_EXPORT_PAGE_ROWS, CSV_HEADER, SESSION_COOKIE } from "@wxpay/core";
import { auditLog, operators, operatorSessions, orders, paymentAttempts, refunds } from "@wxpay/db";

import type { Harness, TrpcReply } from "./harness";
import { eventually, Shopper, startHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: "api_admin" });
});
afterAll(async () => {
  await h.close();
});

/** A browser on the console: its own cookie jar, same-origin requests. */
class Console {
  cookie: string | undefined;
  constructor(
    readonly base: string,
    readonly extra: Record<string, string> = {},
  ) {}
  private async unwrap<T>(res: Response): Promise<TrpcReply<T>> {
    const set = res.headers.getSetCookie().find((c) => c.startsWith(`${ADMIN_COOKIE}=`));
    if (set !== undefined) this.cookie = set.slice(ADMIN_COOKIE.length + 1).split(";")[0] || undefined;
    const body = (await res.json()) as { result?: { data: T }; error?: TrpcReply<T>["error"] };
    return {
      status: res.status,
      ...(body.result ? { data: body.result.data } : {}),
      ...(body.error ? { error: body.error } : {}),
    };
  }
  private headers(): Record<string, string> {
    return { ...(this.cookie ? { cookie: `${ADMIN_COOKIE}=${this.cookie}` } : {}), ...this.extra };
  }
  async query<T = unknown>(path: string, input?: unknown) {
    const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.unwrap<T>(
      await fetch(`${this.base}/api/trpc/admin.${path}${qs}`, { headers: this.headers() }),
    );
  }
  /** GET /api/admin/orders/export with the filter as query parameters: the streamed CSV, read to the end. */
  async exportCsv(filter: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(
      `${this.base}/api/admin/orders/export?${new URLSearchParams(filter).toString()}`,
      {
        headers: { ...this.headers(), ...headers },
      },
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    return {
      status: res.status,
      headers: res.headers,
      bom: bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf,
      body: new TextDecoder().decode(bytes),
    };
  }
  async mutate<T = unknown>(path: string, input?: unknown, headers: Record<string, string> = {}) {
    return this.unwrap<T>(
      await fetch(`${this.base}/api/trpc/admin.${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: this.base, ...this.headers(), ...headers },
        body: JSON.stringify(input ?? null),
      }),
    );
  }
}

/** An operator of the given role, logged in with a password of their own. */
async function loggedIn(role: "viewer" | "operator" | "admin", username: string) {
  const added = await addOperator(h.deps, { username, role });
  const c = new Console(h.url);
  expect((await c.mutate("login", { username, password: added.oneTimePassword })).status).toBe(200);
  const changed = await c.mutate("changePassword", {
    currentPassword: added.oneTimePassword,
    newPassword: `${username}-long-passphrase`,
  });
  expect(changed.status).toBe(200);
  return c;
}

const orderRow = async (orderId: string) =>
  (await h.deps.db.select().from(orders).where(eq(orders.id, orderId)))[0];

async function paidOrder(shopper = new Shopper(h.url)) {
  const orderId =
    (await shopper.mutate<{ orderId: string }>("createOrder", { items: [{ sku: "CUP-CELADON", qty: 1 }] }))
      .data?.orderId ?? "";
  await shopper.mutate("prepay", { orderId, channel: "h5" });
  const [a] = await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
  if (!a) throw new Error("no attempt");
  await h.control.pay({ outTradeNo: a.outTradeNo, userId: "alice" });
  await eventually(
    async () => (await orderRow(orderId))?.status,
    (s) => s === "PAID",
  );
  return { orderId, shopper, attempt: a };
}

/** An order paid twice: H5 first, then inside WeChat; the second payment lands on a PAID order. */
async function orderPaidTwice() {
  const shopper = new Shopper(h.url);
  const orderId =
    (await shopper.mutate<{ orderId: string }>("createOrder", { items: [{ sku: "CUP-CELADON", qty: 1 }] }))
      .data?.orderId ?? "";
  await shopper.mutate("prepay", { orderId, channel: "h5" });
  await shopper.oauth(h, "bob");
  await shopper.mutate("prepay", { orderId, channel: "jsapi" });
  const attempts = await h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
  const h5 = attempts.find((a) => a.channel === "h5");
  const jsapi = attempts.find((a) => a.channel === "jsapi");
  if (!h5 || !jsapi) throw new Error("expected two attempts");
  await h.control.pay({ outTradeNo: jsapi.outTradeNo, userId: "bob" });
  await eventually(
    async () => (await orderRow(orderId))?.status,
    (s) => s === "PAID",
  );
  await h.control.pay({ outTradeNo: h5.outTradeNo, userId: "bob" });
  await eventually(
    async () => (await orderRow(orderId))?.status,
    (s) => s === "PAID_NEEDS_REVIEW",
  );
  return { orderId, extra: h5, own: jsapi };
}

describe("operators log in to a session of their own", () => {
  it("a one-time password lets an operator do nothing but change it; the change ends the old session", async () => {
    const added = await addOperator(h.deps, { username: "wang", role: "operator" });
    expect(added.oneTimePassword).toMatch(/^[A-Za-z0-9]{16}$/);
    const c = new Console(h.url);
    const login = await c.mutate<{ operator: { mustChangePassword: boolean } }>("login", {
      username: "wang",
      password: added.oneTimePassword,
    });
    expect(login.data?.operator.mustChangePassword).toBe(true);
    const blocked = await c.query("overview");
    expect(blocked.status).toBe(403);
    expect(blocked.error?.data.appCode).toBe("PASSWORD_CHANGE_REQUIRED");

    const oldCookie = c.cookie;
    const changed = await c.mutate("changePassword", {
      currentPassword: added.oneTimePassword,
      newPassword: "a-much-better-passphrase",
    });
    expect(changed.status).toBe(200);
    expect(c.cookie).not.toBe(oldCookie);
    expect((await c.query("overview")).status).toBe(200);
    const stale = new Console(h.url);
    stale.cookie = oldCookie;
    expect((await stale.query("me")).status).toBe(401);
    // The one-time password is spent.
    const again = await new Console(h.url).mutate("login", {
      username: "wang",
      password: added.oneTimePassword,
    });
    expect(again.status).toBe(401);
  });

  it("the console cookie is HttpOnly, SameSite=Strict and distinct from the shopper's; logout revokes it", async () => {
    const added = await addOperator(h.deps, { username: "li", role: "viewer" });
    const res = await fetch(`${h.url}/api/trpc/admin.login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: h.url },
      body: JSON.stringify({ username: "li", password: added.oneTimePassword }),
    });
    const setCookie = res.headers.getSetCookie().join("\n");
    expect(setCookie).toMatch(
      new RegExp(`^${ADMIN_COOKIE}=[0-9A-Za-z]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200`),
    );
    const c = new Console(h.url);
    c.cookie = setCookie.slice(ADMIN_COOKIE.length + 1).split(";")[0];
    const token = c.cookie;
    expect((await c.mutate("logout")).status).toBe(200);
    const after = new Console(h.url);
    after.cookie = token;
    expect((await after.query("me")).status).toBe(401);
  });

  it("wrong passwords are refused and audited, and a username is throttled after five tries a minute", async () => {
    await addOperator(h.deps, { username: "zhao", role: "viewer" });
    const c = new Console(h.url, { "x-forwarded-for": "198.51.100.7" });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push((await c.mutate("login", { username: "zhao", password: `guess-${i}` })).status);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429]);
    const failed = await h.deps.db.select().from(auditLog).where(eq(auditLog.username, "zhao"));
    expect(failed.filter((a) => a.action === "LOGIN_FAILED")).toHaveLength(5);
    expect(failed.find((a) => a.action === "LOGIN_FAILED")?.ip).toBe("198.51.100.7");
  });
});

describe("only an operator session reaches admin.*", () => {
  const calls: [kind: "query" | "mutate", path: string, input: unknown][] = [
    ["mutate", "logout", null],
    ["query", "me", undefined],
    ["mutate", "changePassword", { currentPassword: "x", newPassword: "yyyyyyyyyyyy" }],
    ["query", "overview", undefined],
    ["query", "orders", {}],
    ["query", "operators", undefined],
    ["mutate", "setOperatorDisabled", { username: "nobody", disabled: true }],
    ["mutate", "setOperatorRole", { username: "nobody", role: "admin" }],
    ["query", "order", { orderId: "o_AAAAAAAAAAAAAAAAAAAAAA" }],
    [
      "mutate",
      "refund",
      { orderId: "o_AAAAAAAAAAAAAAAAAAAAAA", outTradeNo: "abcdefgh", amountFen: 1, reason: "测试" },
    ],
    ["query", "review", undefined],
    ["query", "refunds", {}],
    ["mutate", "resolveReview", { orderId: "o_AAAAAAAAAAAAAAAAAAAAAA", note: "测试说明" }],
    ["query", "notifications", {}],
    ["query", "bills", undefined],
    ["mutate", "runBillCheck", { billDate: "20260101" }],
    ["query", "audit", {}],
  ];

  it("a shopper's cookie or Bearer token gets UNAUTHORIZED on every admin procedure", async () => {
    const { shopper } = await paidOrder();
    await shopper.miniLogin(h, "alice");
    const cookie = new Console(h.url, { cookie: `${SESSION_COOKIE}=${shopper.cookie ?? ""}` });
    const bearer = new Console(h.url, { authorization: `Bearer ${shopper.bearer ?? ""}` });
    for (const c of [cookie, bearer]) {
      for (const [kind, path, input] of calls) {
        const r = kind === "query" ? await c.query(path, input) : await c.mutate(path, input);
        expect([path, r.status, r.error?.data.code]).toEqual([path, 401, "UNAUTHORIZED"]);
      }
      const login = await c.mutate("login", { username: "nobody", password: "nothing-at-all" });
      expect(login.status).toBe(401);
      const exported = await c.exportCsv({});
      expect(exported.status).toBe(401);
    }
  });

  it("cross-site POSTs are refused, even with a valid console session", async () => {
    const c = await loggedIn("admin", "sun");
    await addOperator(h.deps, { username: "sun-target", role: "viewer" });
    const disable = { username: "sun-target", disabled: true };
    const foreign = await c.mutate("setOperatorDisabled", disable, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    const crossSite = await c.mutate("setOperatorDisabled", disable, { "sec-fetch-site": "cross-site" });
    expect(crossSite.status).toBe(403);
    const noOrigin = await fetch(`${h.url}/api/trpc/admin.setOperatorDisabled`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `${ADMIN_COOKIE}=${c.cookie ?? ""}` },
      body: JSON.stringify(disable),
    });
    expect(noOrigin.status).toBe(403);
    // The export is a GET, but a cross-site one (a link or an image on another site) is refused all the same.
    expect((await c.exportCsv({}, { "sec-fetch-site": "cross-site" })).status).toBe(403);
    const actions = await h.deps.db.select().from(auditLog).where(eq(auditLog.username, "sun"));
    expect(actions.filter((a) => a.action === "EXPORT" || a.action === "OPERATOR_DISABLED")).toHaveLength(0);
    const [target] = await h.deps.db.select().from(operators).where(eq(operators.username, "sun-target"));
    expect(target?.disabled).toBe(false);
  });

  it("a viewer reads orders but cannot refund, resolve or export", async () => {
    const o = await orderPaidTwice();
    const viewer = await loggedIn("viewer", "qian");
    expect((await viewer.query("order", { orderId: o.orderId })).status).toBe(200);
    const refund = await viewer.mutate("refund", {
      orderId: o.orderId,
      outTradeNo: o.extra.outTradeNo,
      amountFen: 100,
      reason: "重复支付",
    });
    expect(refund.status).toBe(403);
    expect(refund.error?.data.appCode).toBe("FORBIDDEN");
    expect((await viewer.mutate("resolveReview", { orderId: o.orderId, note: "看过了" })).status).toBe(403);
    expect((await viewer.exportCsv({})).status).toBe(403);
    expect((await viewer.query("audit", {})).status).toBe(403);
    expect(await h.deps.db.select().from(refunds).where(eq(refunds.orderId, o.orderId))).toHaveLength(0);
    expect((await orderRow(o.orderId))?.status).toBe("PAID_NEEDS_REVIEW");
  });
});

describe("partial refunds and reviews from the console", () => {
  it("an order paid twice: the extra payment refunded in part, settled by its notify, the review resolved with a note", async () => {
    const o = await orderPaidTwice();
    const c = await loggedIn("operator", "zhou");

    const detail = await c.query<{ refundable: { outTradeNo: string; leftFen: number }[] }>("order", {
      orderId: o.orderId,
    });
    const left = detail.data?.refundable.find((r) => r.outTradeNo === o.extra.outTradeNo)?.leftFen;
    expect(left).toBe(o.extra.amountFen);
    // The review queue offers the extra payment (not the order's own) with what is left of it, for one-click refund.
    type TQueue = { orderId: string; extraPayments: { outTradeNo: string; leftFen: number }[] }[];
    const queued = (await c.query<TQueue>("review")).data?.find((q) => q.orderId === o.orderId);
    expect(queued?.extraPayments).toEqual([
      { outTradeNo: o.extra.outTradeNo, paidFen: o.extra.amountFen, leftFen: o.extra.amountFen },
    ]);

    // More than is left: refused, nothing written.
    const tooMuch = await c.mutate("refund", {
      orderId: o.orderId,
      outTradeNo: o.extra.outTradeNo,
      amountFen: o.extra.amountFen + 1,
      reason: "重复支付",
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.error?.data.appCode).toBe("BAD_INPUT");
    expect(await h.deps.db.select().from(refunds).where(eq(refunds.orderId, o.orderId))).toHaveLength(0);

    const part = o.extra.amountFen - 100;
    const r = await c.mutate<{ outRefundNo: string; status: string; refundFeeFen: number }>("refund", {
      orderId: o.orderId,
      outTradeNo: o.extra.outTradeNo,
      amountFen: part,
      reason: "重复支付，退回大部分",
    });
    expect(r.status).toBe(200);
    const after = (await c.query<TQueue>("review")).data?.find((q) => q.orderId === o.orderId);
    expect(after?.extraPayments.map((p) => p.leftFen)).toEqual([100]);
    // The refunds page lists it first (newest first), with its payment.
    type TRefunds = { rows: { outRefundNo: string; outTradeNo: string; refundFeeFen: number }[] };
    const listed = (await c.query<TRefunds>("refunds", { limit: 1 })).data?.rows;
    expect(listed).toMatchObject([
      { outRefundNo: r.data?.outRefundNo, outTradeNo: o.extra.outTradeNo, refundFeeFen: part },
    ]);
    expect(r.data?.refundFeeFen).toBe(part);

    await h.control.settleRefund({ outRefundNo: r.data?.outRefundNo ?? "" });
    await eventually(
      async () => (await h.deps.db.select().from(refunds).where(eq(refunds.orderId, o.orderId)))[0]?.status,
      (s) => s === "SUCCESS",
    );
    // WeChat: a minute between two refunds of one payment.
    const tooSoon = await c.mutate("refund", {
      orderId: o.orderId,
      outTradeNo: o.extra.outTradeNo,
      amountFen: 100,
      reason: "余下部分",
    });
    expect(tooSoon.status).toBe(429);

    // Part of the extra payment is still here: the order stays in review.
    expect((await orderRow(o.orderId))?.status).toBe("PAID_NEEDS_REVIEW");
    const queue = await c.query<{ orderId: string }[]>("review");
    expect(queue.data?.map((q) => q.orderId)).toContain(o.orderId);

    const noNote = await c.mutate("resolveReview", { orderId: o.orderId, note: " " });
    expect(noNote.status).toBe(400);
    const resolved = await c.mutate<{ status: string }>("resolveReview", {
      orderId: o.orderId,
      note: "顾客同意保留 1 元作为运费",
    });
    expect(resolved.data?.status).toBe("PAID");
    expect((await orderRow(o.orderId))?.status).toBe("PAID");

    const audit = await c.query<{
      rows: { action: string; orderId: string | null; data: Record<string, unknown> }[];
    }>("audit", {});
    const mine = audit.data?.rows.filter((a) => a.orderId === o.orderId) ?? [];
    expect(mine.map((a) => a.action).sort()).toEqual(["REFUND", "REFUND", "REFUND", "RESOLVE_REVIEW"]);
    expect(mine.find((a) => a.action === "RESOLVE_REVIEW")?.data.note).toBe("顾客同意保留 1 元作为运费");

    const timeline = await c.query<{ timeline: { kind: string }[] }>("order", { orderId: o.orderId });
    const kinds = new Set(timeline.data?.timeline.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(["attempt", "event", "notify", "operator", "refund"]);
  });

  it("the order's own payment refunded in part makes it PARTLY_REFUNDED; the rest a minute later makes it REFUNDED", async () => {
    const { orderId, attempt } = await paidOrder();
    const c = await loggedIn("admin", "wu");
    const first = await c.mutate<{ outRefundNo: string; orderStatus: string }>("refund", {
      orderId,
      outTradeNo: attempt.outTradeNo,
      amountFen: 100,
      reason: "少发一件配件",
    });
    expect(first.data?.orderStatus).toBe("REFUNDING");
    await h.control.settleRefund({ outRefundNo: first.data?.outRefundNo ?? "" });
    await eventually(
      async () => (await orderRow(orderId))?.status,
      (s) => s === "PARTLY_REFUNDED",
    );
    await h.advance(61_000);
    const rest = await c.mutate<{ outRefundNo: string; refundFeeFen: number }>("refund", {
      orderId,
      outTradeNo: attempt.outTradeNo,
      amountFen: attempt.amountFen - 100,
      reason: "顾客退货",
    });
    expect(rest.status).toBe(200);
    await h.control.settleRefund({ outRefundNo: rest.data?.outRefundNo ?? "" });
    await eventually(
      async () => (await orderRow(orderId))?.status,
      (s) => s === "REFUNDED",
    );
    const more = await c.mutate("refund", {
      orderId,
      outTradeNo: attempt.outTradeNo,
      amountFen: 1,
      reason: "再退",
    });
    expect(more.error?.data.appCode).toBe("BAD_INPUT");
  });
});

describe("the order list and the audit log", () => {
  it("finds an order by out_trade_no and pages newest first without repeats", async () => {
    const made = [await paidOrder(), await paidOrder(), await paidOrder()];
    const c = await loggedIn("operator", "zheng");
    const found = await c.query<{ rows: { orderId: string }[] }>("orders", {
      q: made[1]?.attempt.outTradeNo,
    });
    expect(found.error).toBeUndefined();
    expect(found.data?.rows.map((r) => r.orderId)).toEqual([made[1]?.orderId]);

    const seen: string[] = [];
    let cursor: unknown;
    for (let i = 0; i < 20; i++) {
      const page = await c.query<{ rows: { orderId: string }[]; next: unknown }>("orders", {
        status: "PAID",
        limit: 1,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...(page.data?.rows.map((r) => r.orderId) ?? []));
      cursor = page.data?.next;
      if (!cursor) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const m of made) expect(seen).toContain(m.orderId);

    const csv = await c.exportCsv({ status: "PAID" });
    expect(csv.status).toBe(200);
    const lines = csv.body.trim().split("\r\n");
    for (const m of made) expect(csv.body).toContain(m.orderId);
    expect(lines.length - 1).toBe(seen.length);
  });

  it("the audit log refuses UPDATE and DELETE", async () => {
    await expect(h.deps.db.execute(sql`update audit_log set username = 'x'`)).rejects.toThrow();
    await expect(h.deps.db.execute(sql`delete from audit_log`)).rejects.toThrow();
    const [n] = await h.deps.db.select({ n: sql<number>`count(*)::int` }).from(auditLog);
    expect(n?.n).toBeGreaterThan(0);
  });
});

describe("the CSV export streams the filtered list", () => {
  it("more orders than one page come out whole, filtered, each once, with formula-like cells defused; audited", async () => {
    // A customer whose id a spreadsheet would run as a formula, with more orders than one streamed page holds.
    const customer = '=HYPERLINK("http://evil.example","x")';
    const count = CSV_EXPORT_PAGE_ROWS + 7;
    await h.deps.db.execute(sql`insert into customers (id) values (${customer})`);
    await h.deps.db.execute(sql`
      insert into orders (id, customer_id, items, amount_fen, status, expires_at, created_at)
      select 'o_csv' || lpad(g::text, 17, '0'), ${customer}, '[]'::jsonb, 100 + g, 'CLOSED',
             now() + interval '30 minutes', now() - g * interval '1 second'
        from generate_series(1, ${count}) g`);
    const other = await paidOrder();
    const c = await loggedIn("operator", "yang");

    const csv = await c.exportCsv({ q: customer });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="orders-\d{8}\.csv"$/);
    expect(csv.bom).toBe(true);
    const [header, ...rows] = csv.body.trimEnd().split("\r\n");
    expect(header).toBe(CSV_HEADER);
    expect(rows).toHaveLength(count);
    const ids = rows.map((r) => r.split(",")[0]);
    expect(new Set(ids).size).toBe(count);
    expect(ids[0]).toBe("o_csv00000000000000001");
    expect(ids.at(-1)).toBe(`o_csv${String(count).padStart(17, "0")}`);
    expect(csv.body).not.toContain(other.orderId);
    // The customer cell starts with an apostrophe inside quotes: Excel shows it as text instead of running it.
    expect(rows[0]).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    // Amount in yuan and in fen, then the status (the customer cell before them holds a quoted comma).
    expect(rows.every((r) => /,\d+\.\d{2},\d+,CLOSED,/.test(r))).toBe(true);

    const [audit] = await h.deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.username, "yang"), eq(auditLog.action, "EXPORT")));
    expect(audit?.data).toMatchObject({ filter: { q: customer }, format: "csv" });
  });

  it("a bad filter is refused with nothing exported or audited", async () => {
    const c = await loggedIn("operator", "you");
    const bad = await c.exportCsv({ status: "STOLEN" });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { appCode: "BAD_INPUT" } });
    const audit = await h.deps.db.select().from(auditLog).where(eq(auditLog.username, "you"));
    expect(audit.filter((a) => a.action === "EXPORT")).toHaveLength(0);
  });
});

describe("admins manage operators", () => {
  it("disabling an operator ends their sessions at once and refuses their login; enabling lets them back; audited", async () => {
    const admin = await loggedIn("admin", "feng");
    const chen = await loggedIn("operator", "chen");
    expect((await chen.query("me")).status).toBe(200);

    const off = await admin.mutate<{ sessionsRevoked: number }>("setOperatorDisabled", {
      username: "chen",
      disabled: true,
    });
    expect(off.status).toBe(200);
    expect(off.data?.sessionsRevoked).toBe(1);
    expect((await chen.query("me")).status).toBe(401);
    const [op] = await h.deps.db.select().from(operators).where(eq(operators.username, "chen"));
    const live = await h.deps.db
      .select()
      .from(operatorSessions)
      .where(and(eq(operatorSessions.operatorId, op?.id ?? ""), isNull(operatorSessions.revokedAt)));
    expect(live).toHaveLength(0);
    const again = new Console(h.url);
    const password = { username: "chen", password: "chen-long-passphrase" };
    expect((await again.mutate("login", password)).status).toBe(401);
    type TList = { username: string; disabled: boolean; role: string }[];
    const listed = (await admin.query<TList>("operators")).data?.find((o) => o.username === "chen");
    expect(listed).toMatchObject({ disabled: true, role: "operator" });

    expect((await admin.mutate("setOperatorDisabled", { username: "chen", disabled: false })).status).toBe(
      200,
    );
    expect((await again.mutate("login", password)).status).toBe(200);
    expect((await again.query("me")).status).toBe(200);

    const audit = await h.deps.db.select().from(auditLog).where(eq(auditLog.username, "feng"));
    expect(
      audit
        .filter((a) => a.action === "OPERATOR_DISABLED" || a.action === "OPERATOR_ENABLED")
        .map((a) => [a.action, a.data]),
    ).toEqual([
      ["OPERATOR_DISABLED", { operator: "chen", sessionsRevoked: 1 }],
      ["OPERATOR_ENABLED", { operator: "chen", sessionsRevoked: 0 }],
    ]);
  });

  it("a role change holds at once for the operator's open session, and is audited", async () => {
    const admin = await loggedIn("admin", "jiang");
    const wei = await loggedIn("viewer", "wei");
    expect((await wei.query("audit", {})).status).toBe(403);
    const r = await admin.mutate("setOperatorRole", { username: "wei", role: "operator" });
    expect(r).toMatchObject({ status: 200, data: { username: "wei", role: "operator" } });
    expect((await wei.query("audit", {})).status).toBe(200);
    const [row] = await h.deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.username, "jiang"), eq(auditLog.action, "OPERATOR_ROLE_CHANGED")));
    expect(row?.data).toEqual({ operator: "wei", from: "viewer", to: "operator" });
    // An unknown operator or role: a typed error, nothing changes.
    const unknown = await admin.mutate("setOperatorRole", { username: "nobody-here", role: "admin" });
    expect([unknown.status, unknown.error?.data.appCode]).toEqual([404, "NOT_FOUND"]);
    const badRole = await admin.mutate("setOperatorRole", { username: "wei", role: "root" });
    expect([badRole.status, badRole.error?.data.appCode]).toEqual([400, "BAD_INPUT"]);
    const [wei2] = await h.deps.db.select().from(operators).where(eq(operators.username, "wei"));
    expect(wei2?.role).toBe("operator");
  });

  it("viewers and operators cannot list, disable or re-role operators; nothing changes", async () => {
    await addOperator(h.deps, { username: "target", role: "viewer" });
    for (const [role, name] of [
      ["viewer", "han"],
      ["operator", "tang"],
    ] as const) {
      const c = await loggedIn(role, name);
      expect((await c.query("operators")).status).toBe(403);
      const off = await c.mutate("setOperatorDisabled", { username: "target", disabled: true });
      expect([off.status, off.error?.data.appCode]).toEqual([403, "FORBIDDEN"]);
      const up = await c.mutate("setOperatorRole", { username: name, role: "admin" });
      expect([up.status, up.error?.data.appCode]).toEqual([403, "FORBIDDEN"]);
    }
    const rows = await h.deps.db
      .select()
      .from(operators)
      .where(inArray(operators.username, ["target", "han", "tang"]));
    expect(rows.map((r) => [r.username, r.role, r.disabled]).sort()).toEqual([
      ["han", "viewer", false],
      ["tang", "operator", false],
      ["target", "viewer", false],
    ]);
  });

  it("the last enabled admin cannot be demoted or disabled, even by two admins acting on each other at once", async () => {
    const a1 = await loggedIn("admin", "admin-one");
    const a2 = await loggedIn("admin", "admin-two");
    // Only these two are admins now (the other tests' admins step down, as an admin would do it).
    await h.deps.db
      .update(operators)
      .set({ role: "operator" })
      .where(and(eq(operators.role, "admin"), notInArray(operators.username, ["admin-one", "admin-two"])));

    const self = await a1.mutate("setOperatorDisabled", { username: "admin-one", disabled: true });
    expect([self.status, self.error?.data.appCode]).toEqual([400, "BAD_INPUT"]);

    // Each demotes the other at the same moment: one wins, the other is refused; one admin is left.
    const [r1, r2] = await Promise.all([
      a1.mutate("setOperatorRole", { username: "admin-two", role: "viewer" }),
      a2.mutate("setOperatorRole", { username: "admin-one", role: "viewer" }),
    ]);
    expect([r1.status, r2.status].filter((st) => st === 200)).toHaveLength(1);
    const refused = r1.status === 200 ? r2 : r1;
    expect(["LAST_ADMIN", "FORBIDDEN"]).toContain(refused.error?.data.appCode);
    const admins = await h.deps.db
      .select()
      .from(operators)
      .where(and(eq(operators.role, "admin"), eq(operators.disabled, false)));
    expect(admins).toHaveLength(1);

    // The one left cannot step down either.
    const last = admins[0]?.username === "admin-one" ? a1 : a2;
    const down = await last.mutate("setOperatorRole", {
      username: admins[0]?.username ?? "",
      role: "operator",
    });
    expect([down.status, down.error?.data.appCode]).toEqual([409, "LAST_ADMIN"]);
    const [still] = await h.deps.db
      .select()
      .from(operators)
      .where(eq(operators.username, admins[0]?.username ?? ""));
    expect(still?.role).toBe("admin");
  });
});

describe("the console overview", () => {
  type TOverview = {
    days: {
      day: string;
      paidFen: number;
      created: number;
      paid: number;
      refundedFen: number;
      refunds: number;
    }[];
    channels: { channel: string; attempted: number; paid: number }[];
    verdicts: { verdict: string; count: number }[];
    inReview: number;
  };
  it("counts today's order, its payment, its channel and its notify; an order never prepaid has no channel", async () => {
    const c = await loggedIn("viewer", "overview-viewer");
    const before = (await c.query<TOverview>("overview")).data;
    const { attempt } = await paidOrder();
    // Created, never prepaid: counted as created, in no channel.
    const shopper = new Shopper(h.url);
    await shopper.mutate("createOrder", { items: [{ sku: "CUP-CELADON", qty: 1 }] });
    const after = (await c.query<TOverview>("overview")).data;
    if (!before || !after) throw new Error("no overview");
    const today = (o: TOverview) => o.days.at(-1);
    const h5 = (o: TOverview) => o.channels.find((x) => x.channel === "h5") ?? { attempted: 0, paid: 0 };
    const applied = (o: TOverview) => o.verdicts.find((v) => v.verdict === "APPLIED")?.count ?? 0;
    expect(after.days).toHaveLength(14);
    expect({
      created: (today(after)?.created ?? 0) - (today(before)?.created ?? 0),
      paid: (today(after)?.paid ?? 0) - (today(before)?.paid ?? 0),
      paidFen: (today(after)?.paidFen ?? 0) - (today(before)?.paidFen ?? 0),
      h5Attempted: h5(after).attempted - h5(before).attempted,
      h5Paid: h5(after).paid - h5(before).paid,
      channelsAttempted:
        after.channels.reduce((s, x) => s + x.attempted, 0) -
        before.channels.reduce((s, x) => s + x.attempted, 0),
      applied: applied(after) - applied(before),
    }).toEqual({
      created: 2,
      paid: 1,
      paidFen: attempt.amountFen,
      h5Attempted: 1,
      h5Paid: 1,
      channelsAttempted: 1,
      applied: 1,
    });
  });
});
