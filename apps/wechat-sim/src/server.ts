// startSimulator: one node:http server on one origin serving WeChat's pay API, platform APIs, pages, the
// browser bridge, the wx shim's back end and the control API.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { bridgeConfig, bridgePayConfirm, bridgePayRequest } from "./bridge/bridge-api";
import { createClock, type SimClock } from "./clock";
import type { Log, SimConfig, SimContext } from "./context";
import { handleControl } from "./control/control-api";
import { DEFAULT_DAILY_TOKEN_QUOTA } from "./defaults";
import {
  BodyTooLargeError,
  cookies,
  CORS_HEADERS,
  parseJsonObject,
  readBody,
  send,
  sendHtml,
  sendJson,
  sendXml,
} from "./http/io";
import { startTlsListener, type SimTlsOptions } from "./http/tls";
import { createNotifyEngine } from "./notify/notify-engine";
import { adminBrowserUser, adminPage } from "./pages/admin-page";
import { h5Cashier, h5CashierAct } from "./pages/h5-cashier";
import { nativeScan, nativeScanAct } from "./pages/native-scan";
import { oauthAuthorize } from "./pages/oauth-authorize";
import { closeOrder } from "./pay/close-order";
import { downloadBill } from "./pay/download-bill";
import { orderQuery } from "./pay/order-query";
import { refund } from "./pay/refund";
import { refundQuery } from "./pay/refund-query";
import { unifiedOrder } from "./pay/unified-order";
import { returnFail, type PayAnswer } from "./pay/wire";
import { getTicket } from "./platform/get-ticket";
import { getToken } from "./platform/get-token";
import { jscode2session } from "./platform/jscode2session";
import { oauthAccessToken } from "./platform/oauth-access-token";
import { err, type PlatformReply } from "./platform/platform-reply";
import { stableToken } from "./platform/stable-token";
import { createState, type SimState } from "./state";
import { handleV3 } from "./v3/router";
import { wxLogin, wxRequestPayment } from "./wx/wx-api";

export type SimulatorOptions = {
  /** 0 picks a free port. Default 3100. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Origin browsers use to reach the simulator (mweb_url, pages); a function gets the bound port. Default: the listening origin. */
  publicUrl?: string | ((port: number) => string);
  /** Simulated seconds per real second; 0 freezes the clock (only advance moves it). Default 1. */
  timeScale?: number;
  /** Calls per appid per simulated day for token, stable_token and getticket. Default 2000. */
  dailyTokenQuota?: number;
  /** Simulated epoch milliseconds the clock starts at. Default: now. */
  startTime?: number;
  /** Line logger; false silences. Default: console.log with a prefix. */
  log?: Log | false;
  /**
   * v3: the chance (0–1) that a notify delivery carries a WECHATPAY/SIGNTEST/ probe signature, as WeChat sends
   * now and then. Default 0 (tests set probes deterministically through the control API).
   */
  signProbeRate?: number;
  /** Overrides of the timing rules (see SimConfig). */
  rules?: Partial<Omit<SimConfig, "publicUrl" | "timeScale" | "dailyTokenQuota" | "signProbeRate">>;
  /** Also listen on HTTPS, demanding the merchant's client certificate for /secapi/ (mutual TLS). */
  tls?: SimTlsOptions;
};

export type Simulator = {
  url: string;
  /** The HTTPS origin when `tls` was given. */
  tlsUrl?: string;
  port: number;
  publicUrl: string;
  state: SimState;
  clock: SimClock;
  config: SimConfig;
  close(): Promise<void>;
};

type PayHandler = (
  ctx: SimContext,
  method: string,
  raw: Buffer,
) => PayAnswer | { body: string | Buffer; contentType: string };
const PAY_ROUTES: Record<string, PayHandler> = {
  "/pay/unifiedorder": unifiedOrder,
  "/pay/orderquery": orderQuery,
  "/pay/closeorder": closeOrder,
  "/secapi/pay/refund": refund,
  "/pay/refundquery": refundQuery,
  "/pay/downloadbill": downloadBill,
};

const JSBRIDGE_SOURCE = readFileSync(new URL("./browser/jsbridge.js", import.meta.url), "utf8");

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? "127.0.0.1";
  const log: Log =
    opts.log === false ? () => {} : (opts.log ?? ((line) => console.log(`[wechat-sim] ${line}`)));
  const clock = createClock({ timeScale: opts.timeScale ?? 1, start: opts.startTime });
  const state = createState({ now: clock.now, signProbeRate: opts.signProbeRate ?? 0 });
  const config: SimConfig = {
    publicUrl: "",
    timeScale: clock.timeScale,
    dailyTokenQuota: opts.dailyTokenQuota ?? DEFAULT_DAILY_TOKEN_QUOTA,
    tokenOverlapMs: 5 * 60 * 1000,
    closeOrderMinAgeMs: 5 * 60 * 1000,
    defaultOrderLifeMs: 7 * 24 * 60 * 60 * 1000,
    refundSettleMs: 5000,
    refundSpacingMs: 60 * 1000,
    notifyDeadlineMs: 5000,
    minRealNotifyDeadlineMs: 250,
    reorderWindowMs: 2000,
    signatureClock: "simulated",
    signProbeRate: opts.signProbeRate ?? 0,
    ...opts.rules,
  };
  const notify = createNotifyEngine({ state, clock, config, log });
  const ctx: SimContext = { state, clock, config, notify, log };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(ctx, req, res).catch((e: unknown) => {
      log(`error on ${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (!res.headersSent) send(res, 500, "internal error", "text/plain; charset=utf-8");
      else res.destroy();
    });
  };
  const server = createServer(onRequest);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 3100, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const publicUrl = typeof opts.publicUrl === "function" ? opts.publicUrl(port) : (opts.publicUrl ?? url);
  config.publicUrl = publicUrl.replace(/\/+$/, "");
  const tls = opts.tls ? await startTlsListener(host, opts.tls, onRequest, log) : undefined;

  let closed = false;
  return {
    url,
    ...(tls ? { tlsUrl: tls.url } : {}),
    port,
    publicUrl: config.publicUrl,
    state,
    clock,
    config,
    async close() {
      if (closed) return;
      closed = true;
      notify.dispose();
      clock.dispose();
      await tls?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function handle(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "GET";
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://wechat-sim.invalid");
  } catch {
    return send(res, 400, "bad request", "text/plain; charset=utf-8");
  }
  const path = url.pathname;

  if (path.startsWith("/v3/")) return handleV3(ctx, req, res, url);

  const pay = PAY_ROUTES[path];
  if (pay) {
    let raw: Buffer;
    try {
      raw = await readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLargeError) return sendXml(res, returnFail("XML格式错误").xml);
      throw e;
    }
    const answer = pay(ctx, method, raw);
    if ("xml" in answer) return sendXml(res, answer.xml);
    return send(res, 200, answer.body, answer.contentType);
  }

  if (path.startsWith("/cgi-bin/") || path.startsWith("/sns/")) {
    const raw = await readBody(req, 64 * 1024).catch(() => Buffer.alloc(0));
    const reply = platform(ctx, method, path, url.searchParams, raw);
    return sendJson(res, reply.status, reply.body);
  }

  if (path === "/connect/oauth2/authorize") return oauthAuthorize(ctx, req, res, url);
  if (path === "/pay/h5cashier" && method === "GET") return h5Cashier(ctx, req, res, url);
  if (path === "/pay/h5cashier/act" && method === "POST") return h5CashierAct(ctx, req, res);
  if (path === "/pay/scan" && method === "GET") return nativeScan(ctx, req, res, url);
  if (path === "/pay/scan/act" && method === "POST") return nativeScanAct(ctx, req, res);
  if (path === "/__sim/admin/browser-user" && method === "POST") return adminBrowserUser(ctx, req, res);
  if (path === "/jsbridge.js") {
    const src = JSBRIDGE_SOURCE.replace("__SIM_ORIGIN__", ctx.config.publicUrl);
    return send(res, 200, src, "application/javascript; charset=utf-8", {
      "cache-control": "no-store",
      ...CORS_HEADERS,
    });
  }
  if ((path === "/" || path === "/__sim/admin") && method === "GET") {
    const refresh = Number(url.searchParams.get("refresh"));
    return sendHtml(
      res,
      200,
      adminPage(ctx, cookies(req), Number.isInteger(refresh) && refresh > 0 ? refresh : undefined),
    );
  }

  if (path.startsWith("/__sim/")) {
    if (method === "OPTIONS") {
      res.writeHead(204, CORS_HEADERS);
      return void res.end();
    }
    const raw = await readBody(req, 256 * 1024);
    const browserRoute = BROWSER_ROUTES[path];
    if (browserRoute) {
      if (method !== "POST") return sendJson(res, 405, { error: "POST only" }, CORS_HEADERS);
      const body = parseJsonObject(raw);
      if (!body) return sendJson(res, 400, { error: "body must be a JSON object" }, CORS_HEADERS);
      const reply = browserRoute(ctx, body);
      return sendJson(res, reply.status, reply.body, CORS_HEADERS);
    }
    const reply = handleControl(ctx, method, path, url, raw);
    if (reply) return sendJson(res, reply.status, reply.body, CORS_HEADERS);
    return sendJson(res, 404, { error: `no control route ${method} ${path}` }, CORS_HEADERS);
  }
  send(res, 404, "not found", "text/plain; charset=utf-8");
}

const BROWSER_ROUTES: Record<
  string,
  (ctx: SimContext, body: Record<string, unknown>) => { status: number; body: unknown }
> = {
  "/__sim/bridge/config": bridgeConfig,
  "/__sim/bridge/pay-request": bridgePayRequest,
  "/__sim/bridge/pay-confirm": bridgePayConfirm,
  "/__sim/wx/login": wxLogin,
  "/__sim/wx/request-payment": wxRequestPayment,
};

function platform(
  ctx: SimContext,
  method: string,
  path: string,
  query: URLSearchParams,
  raw: Buffer,
): PlatformReply {
  switch (path) {
    case "/cgi-bin/token":
      return getToken(ctx, query);
    case "/cgi-bin/stable_token":
      return stableToken(ctx, method, raw);
    case "/cgi-bin/ticket/getticket":
      return getTicket(ctx, query);
    case "/sns/oauth2/access_token":
      return oauthAccessToken(ctx, query);
    case "/sns/jscode2session":
      return jscode2session(ctx, query);
    default:
      // WeChat answers an unknown API path (e.g. /sns/jsCode2Session) with 40066.
      return err(40066, "invalid url");
  }
}
