// The notify engine against real merchant HTTP servers: WeChat's whole retry schedule at a compressed time
// scale, the 5 s reply deadline, what counts as an acknowledgement, fault injection, and refund notifies.
import { afterEach, describe, expect, it } from "vitest";

import { parsePayNotify, parseRefundNotify, replyXml } from "@wxpay/wechatpay";

import { RETRY_INTERVALS_MS } from "../src/notify/retry-schedule";
import type { Simulator } from "../src/server";
import {
  jsapiOrderFields,
  outTradeNo,
  payClient,
  rawPay,
  SANDBOX,
  startMerchant,
  startTestSim,
  until,
} from "./helpers";

const OK = replyXml(true);
const FAIL = replyXml(false, "not yet");
const payConfig = {
  mchId: SANDBOX.mchId,
  appIds: [SANDBOX.officialAppId, SANDBOX.miniAppId],
  keys: [SANDBOX.key],
};

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

async function sim(opts: Parameters<typeof startTestSim>[0]): Promise<Simulator> {
  const s = await startTestSim(opts);
  open.push(s);
  return s;
}
async function merchant(reply: Parameters<typeof startMerchant>[0]) {
  const m = await startMerchant(reply);
  open.push(m);
  return m;
}

async function paidOrder(
  s: Simulator,
  notifyUrl: string,
  over: Record<string, string | number> = {},
): Promise<string> {
  const no = outTradeNo();
  const r = await rawPay(s, "/pay/unifiedorder", jsapiOrderFields(no, { notify_url: notifyUrl, ...over }), {
    signType: over.sign_type === "HMAC-SHA256" ? "HMAC-SHA256" : "MD5",
  });
  expect(r.result_code).toBe("SUCCESS");
  const res = await fetch(`${s.url}/__sim/pay`, { method: "POST", body: JSON.stringify({ outTradeNo: no }) });
  expect(res.status).toBe(200);
  return no;
}

const jobOf = (s: Simulator, no: string) => {
  const job = s.state.notifyJobs.find((j) => j.outTradeNo === no && j.kind === "pay");
  if (!job) throw new Error(`no notify job for ${no}`);
  return job;
};

describe("retry schedule", () => {
  it("delivers 16 times on WeChat's schedule (15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h) and then gives up", async () => {
    const scale = 10_000; // 24h4m of simulated time in about 8.7 real seconds
    const s = await sim({ timeScale: scale });
    const m = await merchant(() => ({ body: FAIL }));
    const realStart = performance.now();
    const no = await paidOrder(s, m.url);
    await until(() => jobOf(s, no).status !== "pending", 30_000, 20);
    const realElapsed = performance.now() - realStart;

    const job = jobOf(s, no);
    expect(job.status).toBe("gave_up");
    const attempts = job.attempts.filter((a) => !a.extra);
    expect(attempts.map((a) => a.n)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(attempts.every((a) => a.outcome === "FAIL_REPLY" && a.httpStatus === 200)).toBe(true);
    const gaps = attempts.slice(1).map((a, i) => a.scheduledAt - (attempts[i]?.scheduledAt ?? 0));
    expect(gaps).toEqual([...RETRY_INTERVALS_MS]);
    expect((attempts[15]?.scheduledAt ?? 0) - (attempts[0]?.scheduledAt ?? 0)).toBe(
      (24 * 60 + 4) * 60 * 1000,
    );
    for (const a of attempts) expect(a.startedAt).toBeGreaterThanOrEqual(a.scheduledAt);
    expect(m.received).toHaveLength(16);
    // The merchant saw the deliveries spread over real time as the scale says.
    const span = (m.received[15]?.at ?? 0) - (m.received[0]?.at ?? 0);
    expect(span).toBeGreaterThan((86_640_000 / scale) * 0.97);
    expect(realElapsed).toBeLessThan(86_640_000 / scale + 5000);
    // Every delivery carries the same signed notify.
    expect(new Set(m.received.map((r) => r.body)).size).toBe(1);
    expect(parsePayNotify(m.received[0]?.body ?? "", { ...payConfig, signType: "MD5" }).ok).toBe(true);
  });

  it("stops retrying once the merchant answers SUCCESS", async () => {
    const s = await sim({ timeScale: 0 });
    const m = await merchant((_n, i) => ({ body: i < 2 ? FAIL : OK }));
    const no = await paidOrder(s, m.url);
    await m.waitFor(1);
    await until(() => jobOf(s, no).attempts[0]?.outcome !== undefined);
    s.clock.advance(15_000);
    await m.waitFor(2);
    await until(() => jobOf(s, no).attempts[1]?.outcome !== undefined);
    s.clock.advance(14_999);
    await new Promise((r) => setTimeout(r, 50));
    expect(m.received).toHaveLength(2);
    s.clock.advance(1);
    await until(() => jobOf(s, no).status === "delivered");
    s.clock.advance(48 * 60 * 60 * 1000);
    await new Promise((r) => setTimeout(r, 50));
    expect(m.received).toHaveLength(3);
  });
});

describe("the 5 s deadline", () => {
  it("a reply after 5 simulated seconds is a failure and is retried; one within 5 s is accepted", async () => {
    const scale = 10; // 5 simulated seconds = 500 real ms
    const s = await sim({ timeScale: scale });
    const slowThenFast = await merchant(async (_n, i) => {
      if (i === 0) await new Promise((r) => setTimeout(r, 750)); // 7.5 simulated seconds
      return { body: OK };
    });
    const within = await merchant(async () => {
      await new Promise((r) => setTimeout(r, 100)); // 1 simulated second
      return { body: OK };
    });
    const slow = await paidOrder(s, slowThenFast.url);
    const fast = await paidOrder(s, within.url);
    await until(() => jobOf(s, fast).status === "delivered", 5000);
    expect(jobOf(s, fast).attempts).toHaveLength(1);
    await until(() => jobOf(s, slow).status === "delivered", 5000);
    const [first, second] = jobOf(s, slow).attempts;
    expect(first?.outcome).toBe("TIMEOUT");
    expect(first?.error).toContain("5000 ms");
    expect(second?.outcome).toBe("SUCCESS");
    expect((second?.scheduledAt ?? 0) - (first?.scheduledAt ?? 0)).toBe(15_000);
  });
});

describe("what counts as an acknowledgement", () => {
  const cases: [string, { status?: number; body: string }, string][] = [
    ['"success"', { body: "success" }, "NOT_XML"],
    ['"SUCCESS"', { body: "SUCCESS" }, "NOT_XML"],
    ["JSON", { body: JSON.stringify({ return_code: "SUCCESS", return_msg: "OK" }) }, "NOT_XML"],
    ["HTML", { body: "<html><body><xml><return_code>SUCCESS</return_code></xml></body></html>" }, "NOT_XML"],
    ["XML after a BOM", { body: "\ufeff" + OK }, "NOT_XML"],
    ["XML after whitespace", { body: "  " + OK }, "NOT_XML"],
    ["XML with trailing text", { body: OK + "ok" }, "NOT_XML"],
    ["an XML declaration first", { body: '<?xml version="1.0"?>' + OK }, "NOT_XML"],
    ["return_code FAIL", { body: FAIL }, "FAIL_REPLY"],
    [
      "return_code success (lower case)",
      { body: "<xml><return_code>success</return_code></xml>" },
      "FAIL_REPLY",
    ],
    ["the right XML with HTTP 500", { status: 500, body: OK }, "HTTP_STATUS"],
    ["the right XML with a redirect", { status: 302, body: OK }, "HTTP_STATUS"],
    ["WeChat's exact reply", { body: OK }, "SUCCESS"],
    [
      "WeChat's reply, plain text values",
      { body: "<xml><return_code>SUCCESS</return_code><return_msg>OK</return_msg></xml>" },
      "SUCCESS",
    ],
    ["WeChat's reply with a trailing newline", { body: OK + "\n" }, "SUCCESS"],
  ];

  it.each(cases)("%s → %s", async (_name, reply, outcome) => {
    const s = await sim({ timeScale: 0 });
    const m = await merchant(() => reply);
    const no = await paidOrder(s, m.url);
    await until(() => jobOf(s, no).attempts[0]?.outcome !== undefined);
    const job = jobOf(s, no);
    expect(job.attempts[0]?.outcome).toBe(outcome);
    expect(job.status).toBe(outcome === "SUCCESS" ? "delivered" : "pending");
    if (outcome !== "SUCCESS") expect(job.nextAttemptAt).toBe((job.attempts[0]?.scheduledAt ?? 0) + 15_000);
    // The admin page shows the reply the merchant gave.
    const admin = await (await fetch(`${s.url}/__sim/admin`)).text();
    expect(admin).toContain(outcome);
  });

  it("an unreachable notify_url is a network error and is retried", async () => {
    const s = await sim({ timeScale: 0 });
    const no = await paidOrder(s, "http://127.0.0.1:9/notify");
    await until(() => jobOf(s, no).attempts[0]?.outcome !== undefined);
    expect(jobOf(s, no).attempts[0]?.outcome).toBe("NETWORK_ERROR");
    expect(jobOf(s, no).status).toBe("pending");
  });
});

describe("fault injection", () => {
  async function setFault(s: Simulator, scope: Record<string, string>, rule: Record<string, unknown>) {
    const res = await fetch(`${s.url}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({ scope, rule }),
    });
    expect(res.status).toBe(201);
  }

  it("drop: the notify never arrives, and only orderquery tells the merchant", async () => {
    const s = await sim({ timeScale: 0 });
    const m = await merchant(() => ({ body: OK }));
    await setFault(s, {}, { drop: true });
    const no = await paidOrder(s, m.url);
    s.clock.advance(25 * 60 * 60 * 1000);
    await new Promise((r) => setTimeout(r, 50));
    expect(m.received).toHaveLength(0);
    expect(jobOf(s, no).status).toBe("dropped");
    expect((await payClient(s).orderQuery({ outTradeNo: no })).tradeState).toBe("SUCCESS");
  });

  it("duplicate: extra identical copies arrive seconds after the first, even once it was acknowledged", async () => {
    const s = await sim({ timeScale: 0 });
    const m = await merchant(() => ({ body: OK }));
    const no = outTradeNo();
    await setFault(s, { outTradeNo: no }, { duplicate: 2 });
    await rawPay(s, "/pay/unifiedorder", jsapiOrderFields(no, { notify_url: m.url }));
    await fetch(`${s.url}/__sim/pay`, { method: "POST", body: JSON.stringify({ outTradeNo: no }) });
    await m.waitFor(1);
    s.clock.advance(2000);
    await m.waitFor(3);
    expect(new Set(m.received.map((r) => r.body)).size).toBe(1);
    expect(jobOf(s, no).attempts.map((a) => a.extra ?? "genuine")).toEqual([
      "genuine",
      "duplicate",
      "duplicate",
    ]);
  });

  it("delay: the first delivery waits the given simulated time", async () => {
    const s = await sim({ timeScale: 0 });
    const m = await merchant(() => ({ body: OK }));
    await setFault(s, {}, { delayMs: 60_000 });
    await paidOrder(s, m.url);
    s.clock.advance(59_999);
    await new Promise((r) => setTimeout(r, 50));
    expect(m.received).toHaveLength(0);
    s.clock.advance(1);
    await m.waitFor(1);
  });

  it("reorder: notifies held in the window arrive newest first", async () => {
    const s = await sim({ timeScale: 0 });
    const m = await merchant(() => ({ body: OK }));
    await setFault(s, {}, { reorder: true });
    const nos = [await paidOrder(s, m.url), await paidOrder(s, m.url), await paidOrder(s, m.url)];
    s.clock.advance(s.config.reorderWindowMs);
    await m.waitFor(3);
    const arrived = m.received.map((r) => {
      const p = parsePayNotify(r.body, { ...payConfig, signType: "MD5" });
      return p.ok ? p.notification.outTradeNo : "?";
    });
    expect(arrived).toEqual([...nos].reverse());
  });

  it("bad signature and bad amount: forged copies come first and the genuine notify follows", async () => {
    const s = await sim({ timeScale: 0 });
    const m = await merchant(() => ({ body: OK }));
    await setFault(s, {}, { badSignature: true, badAmount: 9999 });
    const no = await paidOrder(s, m.url, { total_fee: 100 });
    await m.waitFor(3);
    const [forgedSign, forgedAmount, genuine] = m.received.map((r) =>
      parsePayNotify(r.body, { ...payConfig, signType: "MD5" }),
    );
    expect(forgedSign?.ok === false && forgedSign.rejection.code).toBe("BAD_SIGN");
    expect(forgedAmount?.ok && forgedAmount.notification.totalFeeFen).toBe(9999);
    expect(genuine?.ok && genuine.notification.totalFeeFen).toBe(100);
    expect(genuine?.ok && genuine.notification.outTradeNo).toBe(no);
    expect(jobOf(s, no).attempts.map((a) => a.extra ?? "genuine")).toEqual([
      "bad_signature",
      "bad_amount",
      "genuine",
    ]);
  });

  it("settleDelay: the order becomes SUCCESS, and the notify is sent, only after the delay", async () => {
    const s = await sim({ timeScale: 0 });
    const m = await merchant(() => ({ body: OK }));
    const no = outTradeNo();
    await setFault(s, { outTradeNo: no }, { settleDelayMs: 3000 });
    await rawPay(s, "/pay/unifiedorder", jsapiOrderFields(no, { notify_url: m.url }));
    const pay = await (
      await fetch(`${s.url}/__sim/pay`, { method: "POST", body: JSON.stringify({ outTradeNo: no }) })
    ).json();
    expect((pay as { settled: string }).settled).toBe("later");
    expect((await payClient(s).orderQuery({ outTradeNo: no })).tradeState).toBe("NOTPAY");
    s.clock.advance(3000);
    expect((await payClient(s).orderQuery({ outTradeNo: no })).tradeState).toBe("SUCCESS");
    await m.waitFor(1);
  });
});

describe("notify contents", () => {
  it("an HMAC-SHA256 order's notify carries no sign_type and verifies with the order's sign type", async () => {
    const s = await sim({ timeScale: 0 });
    const m = await merchant(() => ({ body: OK }));
    const no = await paidOrder(s, m.url, { sign_type: "HMAC-SHA256", attach: "订单=42" });
    await m.waitFor(1);
    const body = m.received[0]?.body ?? "";
    expect(body).not.toContain("sign_type");
    expect(body).toContain("<total_fee>1</total_fee>");
    const parsed = parsePayNotify(body, { ...payConfig, signType: "HMAC-SHA256" });
    if (!parsed.ok) throw new Error(parsed.rejection.message);
    expect(parsed.notification).toMatchObject({
      outTradeNo: no,
      totalFeeFen: 1,
      attach: "订单=42",
      resultCode: "SUCCESS",
      tradeType: "JSAPI",
    });
    expect(parsed.notification.transactionId).toMatch(/^\d{28}$/);
    expect(parsePayNotify(body, { ...payConfig, signType: "MD5" }).ok).toBe(false);
  });

  it("a refund notify is encrypted with the merchant key, retried like a payment notify, and reports the final state", async () => {
    const s = await sim({ timeScale: 0 });
    const m = await merchant((_n, i) => ({ body: i === 0 ? "success" : OK }));
    const no = await paidOrder(s, "http://127.0.0.1:9/notify", { total_fee: 500 });
    await fetch(`${s.url}/__sim/faults`, {
      method: "POST",
      body: JSON.stringify({ scope: { outTradeNo: no }, rule: { refundOutcome: "CHANGE" } }),
    });
    await payClient(s).refund({
      outTradeNo: no,
      outRefundNo: `RF${no}`.slice(0, 32),
      totalFeeFen: 500,
      refundFeeFen: 200,
      notifyUrl: m.url,
    });
    s.clock.advance(s.config.refundSettleMs);
    await m.waitFor(1);
    const body = m.received[0]?.body ?? "";
    expect(body).toContain("<req_info>");
    expect(body).not.toContain("<sign>");
    const parsed = parseRefundNotify(body, payConfig);
    if (!parsed.ok) throw new Error(parsed.rejection.message);
    expect(parsed.notification).toMatchObject({
      outTradeNo: no,
      refundFeeFen: 200,
      totalFeeFen: 500,
      refundStatus: "CHANGE",
    });
    expect(parseRefundNotify(body, { ...payConfig, keys: ["f".repeat(32)] }).ok).toBe(false);
    s.clock.advance(15_000);
    await m.waitFor(2);
    await until(() => s.state.notifyJobs.some((j) => j.kind === "refund" && j.status === "delivered"));
  });
});
