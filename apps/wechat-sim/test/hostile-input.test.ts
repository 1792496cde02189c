// Bad input never crashes the simulator: every route answers hostile requests the way WeChat would (or with a
// 4xx on the control API), never a 500, and the simulator keeps serving.
import { afterAll, beforeAll, expect, it } from "vitest";

import type { Simulator } from "../src/server";
import { SANDBOX, startTestSim } from "./helpers";
import { byTheDocsClient } from "./v3-by-the-docs";

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSim({ timeScale: 0 });
});
afterAll(() => sim.close());

const PATHS = [
  "/pay/unifiedorder",
  "/pay/orderquery",
  "/secapi/pay/refund",
  "/cgi-bin/token",
  "/cgi-bin/stable_token",
  "/cgi-bin/ticket/getticket",
  "/sns/oauth2/access_token",
  "/sns/jscode2session",
  "/connect/oauth2/authorize",
  "/pay/h5cashier",
  "/pay/h5cashier/act",
  "/jsbridge.js",
  "/",
  "/__sim/admin",
  "/__sim/bridge/config",
  "/__sim/bridge/pay-request",
  "/__sim/bridge/pay-confirm",
  "/__sim/wx/login",
  "/__sim/wx/request-payment",
  "/__sim/users",
  "/__sim/merchants",
  "/__sim/apps",
  "/__sim/pay",
  "/__sim/faults",
  "/__sim/clock/advance",
  "/__sim/oauth-code",
  "/__sim/refunds/settle",
  "/__sim/scan",
  "/__sim/merchants/signing",
  "/__sim/admin/browser-user",
  "/pay/scan",
  "/pay/scan/act",
  "/v3/pay/transactions/jsapi",
  "/v3/pay/transactions/out-trade-no/%E0%A4%A",
  "/v3/refund/domestic/refunds",
  "/v3/billdownload/file",
  "/v3/nothing",
  "/nothing/here",
];

const QUERIES = [
  "",
  "?appid=%E0%A4%A&redirect_uri=%ZZ&scope=snsapi_base&response_type=code",
  "?appid=wxd930ea5d5a258f4f&redirect_uri=javascript:alert(1)&response_type=code&scope=snsapi_base",
  "?prepay_id=&package=",
  "?prepay_id=wx1&package=1&redirect_url=%00",
  "?grant_type=client_credential&appid[]=x&secret=",
  "?access_token=" + "a".repeat(5000) + "&type=jsapi",
  "?sim_user=../../etc/passwd&appid=wxd930ea5d5a258f4f&redirect_uri=http://localhost/&response_type=code&scope=snsapi_base",
];

const BODIES: (string | Buffer)[] = [
  "",
  "null",
  "[]",
  '{"appId": {"$gt": ""}, "token": 1, "action": ["ok"], "ms": -1}',
  '{"scope": {"mchId": "1230000109"}, "rule": {"duplicate": 1e9}}',
  "{".repeat(10_000),
  "<xml><a>1</a></xml>",
  Buffer.from([0xff, 0xfe, 0xfd]),
  "action=ok&prepay_id=wx1&package=1&redirect_url=javascript:alert(1)",
];

it("answers every hostile request without a 500 and keeps serving", async () => {
  let requests = 0;
  for (const path of PATHS) {
    for (const query of QUERIES) {
      const get = await fetch(`${sim.url}${path}${query}`, {
        redirect: "manual",
        headers: { cookie: "wxsim_user=%E0%A4%A" },
      });
      expect(get.status, `GET ${path}${query}`).toBeLessThan(500);
      await get.arrayBuffer();
      requests += 1;
    }
    for (const body of BODIES) {
      for (const contentType of ["application/json", "application/x-www-form-urlencoded", "text/xml"]) {
        const res = await fetch(`${sim.url}${path}`, {
          method: "POST",
          body,
          redirect: "manual",
          headers: { "content-type": contentType, referer: "::not a url::" },
        });
        expect(res.status, `POST ${path} ${contentType} ${String(body).slice(0, 40)}`).toBeLessThan(500);
        await res.arrayBuffer();
        requests += 1;
      }
    }
  }
  expect(requests).toBe(PATHS.length * (QUERIES.length + BODIES.length * 3));
  expect((await fetch(`${sim.url}/__sim/health`)).status).toBe(200);
});

it("signed v3 requests with hostile bodies and paths get WeChat's 4xx, never a 500", async () => {
  const client = byTheDocsClient(sim.url, () => Math.floor(sim.clock.now() / 1000));
  const posts = [
    "/v3/pay/transactions/jsapi",
    "/v3/pay/transactions/h5",
    "/v3/pay/transactions/native",
    "/v3/pay/transactions/out-trade-no/A123456/close",
    "/v3/refund/domestic/refunds",
  ];
  const bodies: unknown[] = [
    "",
    "null",
    "[]",
    "{".repeat(10_000),
    { mchid: SANDBOX.mchId, amount: { total: 1e300 }, payer: [], scene_info: "x" },
    { mchid: SANDBOX.mchId, amount: null, out_trade_no: { $gt: "" }, description: 1 },
    {
      out_trade_no: "A123456",
      out_refund_no: "R1",
      amount: { refund: 1, total: 1, currency: "CNY", from: [null, 1] },
    },
    { __proto__: { mchid: SANDBOX.mchId }, constructor: { prototype: { x: 1 } } },
  ];
  for (const path of posts) {
    for (const body of bodies) {
      const r = await client.post(path, body);
      expect(r.status, `POST ${path} ${JSON.stringify(body).slice(0, 60)}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `POST ${path} ${JSON.stringify(body).slice(0, 60)}`).toBeLessThan(500);
    }
  }
  for (const path of [
    "/v3/pay/transactions/out-trade-no/%E0%A4%A?mchid=1230000109",
    "/v3/pay/transactions/id/..%2F..%2Fetc?mchid=1230000109&mchid=2",
    "/v3/bill/tradebill?bill_date=9999-99-99&tar_type=ZIP",
    "/v3/bill/fundflowbill?bill_date=2026-02-30",
    "/v3/billdownload/file?token=../../x",
    "/v3/refund/domestic/refunds/%00",
  ]) {
    const r = await client.get(path);
    expect(r.status, `GET ${path}`).toBeGreaterThanOrEqual(400);
    expect(r.status, `GET ${path}`).toBeLessThan(500);
  }
  expect((await fetch(`${sim.url}/__sim/health`)).status).toBe(200);
});
