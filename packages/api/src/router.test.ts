import http from "node:http";

import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { TTestCore } from "@wxpay/core/testing";
import { createTestCore } from "@wxpay/core/testing";

import { createApiContext } from "./context";
import { appRouter } from "./router";

// The router over real HTTP (the same fetch adapter the web app mounts), checking the plain-JSON wire shape.
describe("products over HTTP", () => {
  let core: TTestCore;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    // The catalog needs no WeChat: an address where nothing listens.
    core = await createTestCore({ label: "api_router", wechatBase: "http://127.0.0.1:9" });
    const deps = core.deps;
    server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
      });
      const response = await fetchRequestHandler({
        endpoint: "/api/trpc",
        req: request,
        router: appRouter,
        createContext: () => createApiContext({ deps, headers: request.headers }),
      });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await core.close();
  });

  it("GET /api/trpc/products answers the catalog as plain JSON with prices in fen", async () => {
    const res = await fetch(`${base}/api/trpc/products`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { data: { sku: string; priceFen: number }[] } };
    expect(body.result.data).toHaveLength(5);
    expect(body.result.data[0]).toEqual({
      sku: "TEA-LONGJING",
      title: "西湖龙井 50g",
      description: "明前特级，清香回甘",
      priceFen: 12800,
    });
  });

  it("rejects unknown input keys with a typed BAD_REQUEST and no stack trace", async () => {
    const res = await fetch(
      `${base}/api/trpc/products?input=${encodeURIComponent(JSON.stringify({ priceFen: 1 }))}`,
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { data: { code: string; stack?: string } } };
    expect(body.error.data.code).toBe("BAD_REQUEST");
    expect(body.error.data.stack).toBeUndefined();
  });
});
