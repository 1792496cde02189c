// prepay with channel native on the wire: the tRPC HTTP endpoint as a desktop page (or curl) speaks it — plain JSON, no
// transformer — in both API versions. The answer is exactly { channel, codeUrl }: nothing of the attempt (prepay_id,
// out_trade_no, the signed request) leaves the server. Bad input gets a typed error and creates nothing.
// (native-prepay.test.ts covers the core use case: re-entry and the scan that pays.)
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { SESSION_COOKIE } from "@wxpay/core";
import { paymentAttempts } from "@wxpay/db";

import type { Harness } from "./harness";
import { Shopper, startHarness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: "api_native_wire" });
});
afterAll(async () => {
  await h.close();
});

/** POST /api/trpc/prepay as a browser sends it, returning status and the parsed body as it came. */
async function postPrepay(cookie: string | undefined, body: string) {
  const res = await fetch(`${h.url}/api/trpc/prepay`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {}),
    },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function newOrder() {
  const shopper = new Shopper(h.url);
  const r = await shopper.mutate<{ orderId: string }>("createOrder", {
    items: [{ sku: "TEA-LONGJING", qty: 1 }],
  });
  return { orderId: r.data?.orderId ?? "", cookie: shopper.cookie };
}
const attemptsOf = (orderId: string) =>
  h.deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));

for (const version of ["v2", "v3"] as const) {
  describe(`prepay native over HTTP, API ${version}`, () => {
    beforeAll(() => {
      h.reconfigure({ apiVersion: version });
    });

    it("answers exactly {channel:'native', codeUrl} — no prepay_id, out_trade_no or signed request", async () => {
      const { orderId, cookie } = await newOrder();
      const r = await postPrepay(cookie, JSON.stringify({ orderId, channel: "native" }));
      expect(r.status).toBe(200);
      expect(Object.keys(r.json)).toEqual(["result"]);
      const data = (r.json["result"] as { data: Record<string, unknown> }).data;
      expect(Object.keys(data).sort()).toEqual(["channel", "codeUrl"]);
      expect(data["channel"]).toBe("native");
      expect(data["codeUrl"]).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);

      const [a] = await attemptsOf(orderId);
      expect(a).toMatchObject({ apiVersion: version, tradeType: "NATIVE", codeUrl: data["codeUrl"] });
      const wire = JSON.stringify(r.json);
      for (const secret of [a?.prepayId, a?.outTradeNo, a?.requestXml]) {
        if (secret) expect(wire).not.toContain(secret);
      }
    });

    it("bad input: a typed BAD_REQUEST naming the field, and nothing is created", async () => {
      const { orderId, cookie } = await newOrder();
      const bad = [
        JSON.stringify({ orderId, channel: "qr" }),
        JSON.stringify({ orderId, channel: "native", amountFen: 1 }),
        JSON.stringify({ channel: "native" }),
        JSON.stringify({ orderId: 42, channel: "native" }),
        "{not json",
      ];
      for (const body of bad) {
        const r = await postPrepay(cookie, body);
        expect(r.status, body).toBe(400);
        const err = r.json["error"] as { data: { code: string; appCode?: string; httpStatus: number } };
        expect(err.data.code, body).toBe("BAD_REQUEST");
        expect(err.data.httpStatus, body).toBe(400);
      }
      const fieldError = await postPrepay(cookie, JSON.stringify({ orderId, channel: "qr" }));
      expect(JSON.stringify(fieldError.json)).toContain("channel");
      expect(await attemptsOf(orderId)).toHaveLength(0);
    });

    it("someone else's order, or no session: NOT_FOUND, and nothing is created", async () => {
      const { orderId } = await newOrder();
      const stranger = await newOrder();
      for (const cookie of [stranger.cookie, undefined]) {
        const r = await postPrepay(cookie, JSON.stringify({ orderId, channel: "native" }));
        expect(r.status).toBe(404);
        expect((r.json["error"] as { data: { code: string } }).data.code).toBe("NOT_FOUND");
      }
      expect(await attemptsOf(orderId)).toHaveLength(0);
    });
  });
}
