// The shop's HTTP entry points over real HTTP (node:http + tRPC's fetch adapter, the same adapter the web app
// mounts), a database of their own, and the WeChat simulator over real HTTP. Shoppers are cookie jars.
import http from "node:http";

import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import type { CoreDeps, TCoreConfig } from "@wxpay/core";
import {
  beginOauth,
  completeOauth,
  createCoreDeps,
  handlePayNotify,
  OAUTH_COOKIE,
  openH5Session,
  SESSION_COOKIE,
} from "@wxpay/core";
import type { TTestCore } from "@wxpay/core/testing";
import { createTestCore } from "@wxpay/core/testing";
import type { Simulator } from "@wxpay/wechat-sim";
import { createSimControl, startSimulator } from "@wxpay/wechat-sim";
import type { TFetch } from "@wxpay/wechatpay";

import { createApiContext, oauthCookieHeader, readCookie, sessionCookieHeader } from "../src/context";
import { appRouter } from "../src/router";

export type Harness = {
  url: string;
  /** Moves the shop's clock and the simulator's together. */
  advance(ms: number): Promise<void>;
  sim: Simulator;
  control: ReturnType<typeof createSimControl>;
  core: TTestCore;
  deps: CoreDeps;
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
}): Promise<Harness> {
  const sim = await startSimulator({ port: 0, log: false });
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
      if (url.pathname === "/api/wechat/oauth/start") {
        const begun = beginOauth(current(), url.searchParams.get("returnTo"));
        res.writeHead(302, { location: begun.url, "set-cookie": oauthCookieHeader(begun.cookie, false) });
        res.end();
        return;
      }
      if (url.pathname === "/api/wechat/oauth/callback") {
        const headers = new Headers(req.headers as Record<string, string>);
        const session = openH5Session(current().config.sessionSecret, readCookie(headers, SESSION_COOKIE));
        const done = await completeOauth(current(), {
          code: url.searchParams.get("code"),
          state: url.searchParams.get("state"),
          oauthCookie: readCookie(headers, OAUTH_COOKIE),
          session,
        });
        res.writeHead(302, { location: done.returnTo, "set-cookie": sessionCookieHeader(done.cookie, false) });
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
        body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
      });
      const response = await fetchRequestHandler({
        endpoint: "/api/trpc",
        req: request,
        router: appRouter,
        createContext: ({ resHeaders }) => createApiContext({ deps: current(), headers: request.headers, resHeaders }),
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
    ...(opts.maxConnections ? { maxConnections: opts.maxConnections } : {}),
  });
  const deps = createCoreDeps({
    db: core.deps.db,
    config: core.deps.config,
    log: core.deps.log,
    now,
    wechat: {
      payBase: sim.url,
      apiBase: sim.url,
      openBase: sim.url,
      timeoutMs: 5000,
      ...(opts.wrapFetch ? { fetch: opts.wrapFetch(fetch) } : {}),
    },
  });
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
    notifyLog,
    async close() {
      await new Promise((r) => server.close(r));
      server.closeAllConnections();
      await sim.close();
      await core.close();
    },
  };
}

export type TrpcReply<T> = { status: number; data?: T; error?: { message: string; data: { code: string; appCode?: string } } };

/** A shopper: a cookie jar (H5) or a Bearer token (mini-program) speaking tRPC's plain-JSON wire format. */
export class Shopper {
  cookie: string | undefined;
  bearer: string | undefined;
  constructor(readonly base: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(this.cookie ? { cookie: `${SESSION_COOKIE}=${this.cookie}` } : {}),
      ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}),
      ...extra,
    };
  }

  private async unwrap<T>(res: Response): Promise<TrpcReply<T>> {
    const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (set) this.cookie = set.slice(SESSION_COOKIE.length + 1).split(";")[0];
    const body = (await res.json()) as { result?: { data: T }; error?: TrpcReply<T>["error"] };
    return { status: res.status, ...(body.result ? { data: body.result.data } : {}), ...(body.error ? { error: body.error } : {}) };
  }

  async query<T = unknown>(path: string, input?: unknown): Promise<TrpcReply<T>> {
    const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.unwrap<T>(await fetch(`${this.base}/api/trpc/${path}${qs}`, { headers: this.headers() }));
  }

  async mutate<T = unknown>(path: string, input: unknown, extra: Record<string, string> = {}): Promise<TrpcReply<T>> {
    return this.unwrap<T>(
      await fetch(`${this.base}/api/trpc/${path}`, {
        method: "POST",
        headers: this.headers({ "content-type": "application/json", ...extra }),
        body: JSON.stringify(input),
      }),
    );
  }

  /**
   * OAuth round trip: the shop's start route (nonce state + cookie), WeChat's authorize step played by the
   * simulator's code for this user, then the shop's callback. The session now carries the official-account openid.
   */
  async oauth(h: Harness, userId: string): Promise<void> {
    const start = await fetch(`${this.base}/api/wechat/oauth/start?returnTo=/`, { headers: this.headers(), redirect: "manual" });
    const authorize = new URL(start.headers.get("location") ?? "");
    const state = authorize.searchParams.get("state") ?? "";
    const oauthCookie = start.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${OAUTH_COOKIE}=`))
      ?.slice(OAUTH_COOKIE.length + 1)
      .split(";")[0];
    const { code } = await h.control.oauthCode({ appId: h.deps.config.officialAccount.appId, userId });
    const res = await fetch(`${this.base}/api/wechat/oauth/callback?code=${code}&state=${encodeURIComponent(state)}`, {
      headers: { ...this.headers(), cookie: [this.headers().cookie, `${OAUTH_COOKIE}=${oauthCookie}`].filter(Boolean).join("; ") },
      redirect: "manual",
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (!set) throw new Error(`OAuth callback answered ${res.status} without a session`);
    this.cookie = set.slice(SESSION_COOKIE.length + 1).split(";")[0];
  }

  /** wx.login in the simulator, then miniLogin: the Bearer token of this user's mini-program openid. */
  async miniLogin(h: Harness, userId: string): Promise<void> {
    const { code } = await h.control.loginCode({ appId: h.deps.config.miniProgram.appId, userId });
    const r = await this.mutate<{ token: string }>("miniLogin", { code });
    if (!r.data) throw new Error(`miniLogin failed: ${JSON.stringify(r.error)}`);
    this.bearer = r.data.token;
  }
}

export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await fn();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`condition not reached; last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await fn();
  }
  return last;
}
