// Shared test helpers: a simulator on a free port, raw signed pay requests (for the inputs the client
// refuses to send), and a merchant HTTP server that records notifies and answers as told.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import {
  buildXml,
  createPayClient,
  createPlatformClient,
  nonceStr,
  parseXml,
  sign,
  type SignType,
} from "@wxpay/wechatpay";

import { SANDBOX } from "../src/defaults";
import { openidFor } from "../src/state";
import { startSimulator, type Simulator, type SimulatorOptions } from "../src/server";

export { SANDBOX };

export async function startTestSim(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ port: 0, log: false, ...opts });
}

export function payClient(
  sim: Simulator,
  over: { signType?: SignType; key?: string; appId?: string; mchId?: string } = {},
) {
  return createPayClient({
    baseUrl: sim.url,
    mchId: over.mchId ?? SANDBOX.mchId,
    key: over.key ?? SANDBOX.key,
    signType: over.signType ?? "MD5",
    appId: over.appId ?? SANDBOX.officialAppId,
    now: () => new Date(sim.clock.now()),
  });
}

export function platformClient(sim: Simulator) {
  return createPlatformClient({
    baseUrl: sim.url,
    openBaseUrl: sim.url,
    now: () => new Date(sim.clock.now()),
  });
}

/** Fields of a signed pay request with WeChat's envelope filled in (appid, mch_id, nonce_str, sign). */
export function signedXml(
  fields: Record<string, string | number>,
  opts: { key?: string; signType?: SignType; noSign?: boolean } = {},
): string {
  const signType = opts.signType ?? "MD5";
  const all: Record<string, string | number> = {
    appid: SANDBOX.officialAppId,
    mch_id: SANDBOX.mchId,
    nonce_str: nonceStr(),
    ...(signType === "HMAC-SHA256" ? { sign_type: signType } : {}),
    ...fields,
  };
  if (!opts.noSign) all.sign = sign(all, opts.key ?? SANDBOX.key, signType);
  return buildXml(all);
}

export async function rawPost(
  sim: Simulator,
  path: string,
  body: string | Buffer,
  init: RequestInit = {},
): Promise<Record<string, string>> {
  const res = await fetch(`${sim.url}${path}`, { method: "POST", body, ...init });
  return { ...parseXml(await res.text()) };
}

export async function rawPay(
  sim: Simulator,
  path: string,
  fields: Record<string, string | number>,
  opts: { key?: string; signType?: SignType; noSign?: boolean } = {},
): Promise<Record<string, string>> {
  return rawPost(sim, path, signedXml(fields, opts));
}

export function jsapiOrderFields(
  outTradeNo: string,
  over: Record<string, string | number> = {},
): Record<string, string | number> {
  return {
    body: "测试商品",
    out_trade_no: outTradeNo,
    total_fee: 1,
    spbill_create_ip: "127.0.0.1",
    notify_url: "http://127.0.0.1:9/notify",
    trade_type: "JSAPI",
    openid: openidOf("alice"),
    ...over,
  };
}

export function openidOf(userId: string, appId: string = SANDBOX.officialAppId): string {
  return openidFor(appId, userId);
}

let seq = 0;
export function outTradeNo(prefix = "T"): string {
  seq += 1;
  return `${prefix}${Date.now().toString(36)}${seq}${Math.random().toString(36).slice(2, 8)}`.slice(0, 32);
}

export type ReceivedNotify = { at: number; body: string; headers: IncomingMessage["headers"] };

/** A merchant's notify endpoint. `reply` decides each answer; every delivery is recorded. */
export async function startMerchant(
  reply: (
    n: ReceivedNotify,
    index: number,
  ) => Promise<{ status?: number; body: string }> | { status?: number; body: string },
) {
  const received: ReceivedNotify[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const n: ReceivedNotify = {
        at: performance.now(),
        body: Buffer.concat(chunks).toString("utf8"),
        headers: req.headers,
      };
      received.push(n);
      for (const w of waiters.filter((x) => received.length >= x.count)) w.resolve();
      void Promise.resolve(reply(n, received.length - 1)).then(
        (r) => {
          if (res.destroyed) return;
          res.writeHead(r.status ?? 200, { "content-type": "text/xml" });
          res.end(r.body);
        },
        () => res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  return {
    url,
    received,
    /** Resolves once `count` deliveries have arrived. */
    waitFor(count: number, timeoutMs = 10_000): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${received.length} of ${count} notifies arrived`)),
          timeoutMs,
        );
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  stepMs = 10,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
