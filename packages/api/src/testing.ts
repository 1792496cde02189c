// For tests of other packages and of this one: the shop's HTTP entry points over real HTTP (node:http + tRPC's
// fetch adapter, the same adapter the web app mounts, plus the notify and OAuth routes), a database of their own,
// and the WeChat simulator over real HTTP. The web app's e2e suites run the same flows against the Next build.
import http from "node:http";

import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import type { CoreDeps, Logger, TCoreConfig } from "@wxpay/core";
import {
  beginOauth,
  clientIpFrom,
  completeOauth,
  createCoreDeps,
  enforceRateLimit,
  handlePayNotify,
  handleRefundNotify,
  handleV3PayNotify,
  handleV3RefundNotify,
  isCoreError,
  OAUTH_COOKIE,
  openH5Session,
  SESSION_COOKIE,
} from "@wxpay/core";
import type { TTestCore } from "@wxpay/core/testing";
import { createTestCore, sandboxV3Credentials } from "@wxpay/core/testing";
import type { Simulator, SimTlsOptions } from "@wxpay/wechat-sim";
import { createSimControl, startSimulator } from "@wxpay/wechat-sim";
import type { TFetch } from "@wxpay/wechatpay";

import { createApiContext, oauthCookieHeader, readCookie, sessionCookieHeader } from "./context";
import { handleOrdersExport, ORDERS_EXPORT_PATH } from "./admin-export";
import { appRouter } from "./router";

export type Harness = {
  url: string;
  /** Moves the shop's clock and the simulator's together. */
  advance(ms: number): Promise<void>;
  sim: Simulator;
  control: ReturnType<typeof createSimControl>;
  core: TTestCore;
  deps: CoreDeps;
  /** Rebuilds the shop's deps with changed configuration (a redeploy with new environment), same database. */
  reconfigure(over: Partial<TCoreConfig>): void;
  /** Notify bodies the shop answered, with their replies, in arrival order. */
  notifyLog: { body: string; reply: string; verdict: string }[];
  close(): Promise<void>;
};

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startHarness(opts: {
  label: string;
  config?: Partial<TCoreConfig>;
  /** Wraps the fetch the shop uses to reach WeChat (to lose a reply on purpose, or to count calls). */
  wrapFetch?: (inner: TFetch) => TFetch;
  maxConnections?: number;
  /** The shop's logger (default: silent). */
  log?: Logger;
  /** The v3 verification mode the shop is configured with (default public-key). */
  v3Mode?: "public-key" | "certificate" | "switching";
  /** Also start the simulator's HTTPS listener (mutual TLS for /secapi/); its origin is `sim.tlsUrl`. */
  simTls?: SimTlsOptions;
}): Promise<Harness> {
  const sim = await startSimulator({ port: 0, log: false, ...(opts.simTls ? { tls: opts.simTls } : {}) });
  // Set once the server's port (and so APP_URL) is known; requests only arrive after that.
  const ref: { deps?: CoreDeps } = {};
  const current = (): CoreDeps => {
    if (!ref.deps) throw new Error("harness not ready");
    return ref.deps;
  };
  const notifyLog: Harness["notifyLog"] = [];
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (url.pathname === "/api/wechat/pay/notify" && req.method === "POST") {
        const text = body.toString("utf8");
        const r = await handlePayNotify(current(), { body: text, remoteAddr: req.socket.remoteAddress });
        notifyLog.push({ body: text, reply: r.reply, verdict: r.verdict });
        res.writeHead(200, { "content-type": "text/xml; charset=utf-8" });
        res.end(r.reply);
        return;
      }
      if (url.pathname === "/api/wechat/refund/notify" && req.method === "POST") {
        const r = await handleRefundNotify(current(), { body: body.toString("utf8") });
        res.writeHead(200, { "content-type": "text/xml; charset=utf-8" });
        res.end(r.reply);
        return;
      }
      if (
        (url.pathname === "/api/wechat/v3/pay/notify" || url.pathname === "/api/wechat/v3/refund/notify") &&
        req.method === "POST"
      ) {
        const text = body.toString("utf8");
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
        const input = { headers, body: text, remoteAddr: req.socket.remoteAddress };
        const r = url.pathname.includes("/pay/")
          ? await handleV3PayNotify(current(), input)
          : await handleV3RefundNotify(current(), input);
        notifyLog.push({ body: text, reply: String(r.reply.status), verdict: r.verdict });
        res.writeHead(r.reply.status, r.reply.status === 204 ? {} : { "content-type": r.reply.contentType });
        res.end(r.reply.status === 204 ? undefined : r.reply.body);
        return;
      }
      if (url.pathname === "/api/wechat/oauth/start") {
        const xff = typeof req.headers["x-forwarded-for"] === "string" ? req.headers["x-forwarded-for"] : "";
        try {
          await enforceRateLimit(current(), {
            action: "oauthStart",
            ip: clientIpFrom(xff || req.socket.remoteAddress, current().config.trustProxyHops),
          });
        } catch (err) {
          if (!isCoreError(err)) throw err;
          res.writeHead(429, { "content-type": "text/plain; charset=utf-8" });
          res.end(err.message);
          return;
        }
        const begun = beginOauth(current(), url.searchParams.get("returnTo"));
        res.writeHead(302, { location: begun.url, "set-cookie": oauthCookieHeader(begun.cookie, false) });
        res.end();
        return;
      }
      if (url.pathname === "/api/wechat/oauth/callback") {
        const headers = new Headers(req.headers as Record<string, string>);
        const session = openH5Session(
          current().config.sessionSecret,
          readCookie(headers, SESSION_COOKIE),
          current().now(),
        );
        const done = await completeOauth(current(), {
          code: url.searchParams.get("code"),
          state: url.searchParams.get("state"),
          oauthCookie: readCookie(headers, OAUTH_COOKIE),
          session,
        });
        res.writeHead(302, {
          location: done.returnTo,
          "set-cookie": sessionCookieHeader(done.cookie, false),
        });
        res.end();
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      // What Next's server does when no proxy is in front: the socket address becomes X-Forwarded-For.
      if (!headers.has("x-forwarded-for")) headers.set("x-forwarded-for", req.socket.remoteAddress ?? "");
      const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(body),
      });
      if (url.pathname === ORDERS_EXPORT_PATH) {
        // Streamed as the web route streams it: chunk by chunk, never the whole body first.
        const exported = await handleOrdersExport(current(), request);
        res.writeHead(exported.status, Object.fromEntries(exported.headers));
        const reader = exported.body?.getReader();
        for (let r = await reader?.read(); r && !r.done; r = await reader?.read()) res.write(r.value);
        res.end();
        return;
      }
      const response = await fetchRequestHandler({
        endpoint: "/api/trpc",
        req: request,
        router: appRouter,
        createContext: ({ resHeaders }) =>
          createApiContext({ deps: current(), headers: request.headers, resHeaders }),
      });
      const out: Record<string, string | string[]> = {};
      response.headers.forEach((v, k) => {
        if (k === "set-cookie") out[k] = [...((out[k] as string[] | undefined) ?? []), v];
        else out[k] = v;
      });
      res.writeHead(response.status, out);
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const core = await createTestCore({
    label: opts.label,
    wechatBase: sim.url,
    config: { appUrl: url, ...opts.config },
    now,
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.maxConnections ? { maxConnections: opts.maxConnections } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  const build = (config: TCoreConfig): CoreDeps =>
    createCoreDeps({
      db: core.deps.db,
      config,
      log: core.deps.log,
      now,
      wechat: {
        payBase: sim.url,
        apiBase: sim.url,
        openBase: sim.url,
        timeoutMs: 5000,
        v3: sandboxV3Credentials(opts.v3Mode),
        ...(opts.wrapFetch ? { fetch: opts.wrapFetch(fetch) } : {}),
      },
    });
  let deps = build(core.deps.config);
  ref.deps = deps;
  const control = createSimControl(sim.url);
  return {
    url,
    async advance(ms: number) {
      offsetMs += ms;
      await control.advanceClock(ms);
    },
    sim,
    control,
    core,
    get deps() {
      return deps;
    },
    reconfigure(over) {
      deps = build({ ...deps.config, ...over });
      ref.deps = deps;
    },
    notifyLog,
    async close() {
      await new Promise((r) => server.close(r));
      server.closeAllConnections();
      await sim.close();
      await core.close();
    },
  };
}
