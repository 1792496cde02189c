// The shop's API in-process for the page tests: the real router and core on tRPC's fetch adapter (the one the
// web app mounts) over node:http, the notify entry point, a database of its own, and the WeChat simulator.
// The end-to-end suite (test/e2e) runs the same flows against the production Next build instead.
import http from "node:http";

import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import { appRouter, createApiContext } from "@wxpay/api";
import { handlePayNotify } from "@wxpay/core";
import type { TTestCore } from "@wxpay/core/testing";
import { createTestCore } from "@wxpay/core/testing";
import type { SimControl, Simulator } from "@wxpay/wechat-sim";
import { createSimControl, startSimulator } from "@wxpay/wechat-sim";

export type ShopServer = {
  url: string;
  sim: Simulator;
  control: SimControl;
  core: TTestCore;
  close(): Promise<void>;
};

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startShopServer(label: string): Promise<ShopServer> {
  const sim = await startSimulator({ port: 0, log: false });
  // The core needs the server's URL (its appUrl builds notify_url), so it is set once the server listens.
  const holder: { core?: TTestCore } = {};
  const server = http.createServer((req, res) => {
    void (async () => {
      if (!holder.core) throw new Error("not ready");
      const deps = holder.core.deps;
      const body = await readBody(req);
      if (req.url === "/api/wechat/pay/notify" && req.method === "POST") {
        const r = await handlePayNotify(deps, {
          body: body.toString("utf8"),
          remoteAddr: req.socket.remoteAddress,
        });
        res.writeHead(200, { "content-type": "text/xml; charset=utf-8" });
        res.end(r.reply);
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      if (!headers.has("x-forwarded-for")) headers.set("x-forwarded-for", req.socket.remoteAddress ?? "");
      const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(body),
      });
      const response = await fetchRequestHandler({
        endpoint: "/api/trpc",
        req: request,
        router: appRouter,
        createContext: ({ resHeaders }) => createApiContext({ deps, headers: request.headers, resHeaders }),
      });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  const ready = await createTestCore({ label, wechatBase: sim.url, config: { appUrl: url } });
  holder.core = ready;
  return {
    url,
    sim,
    control: createSimControl(sim.url),
    core: ready,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await sim.close();
      await ready.close();
    },
  };
}
