// The bench's framework-free purchase baseline: the shop's tRPC router (the same appRouter and createApiContext as the
// web app) behind a bare node:http server and tRPC's fetch adapter, with deps from createCoreDeps, in a process of its
// own. What a purchase costs through the production server beyond this is the web app's; what this costs is the
// router's and the shop's. Abuse limits off, as the bench runs the web app. Logs at info to stdout (its `trpc` lines
// carry each call's time inside the procedure). Prints {"port":N} once listening; stops on SIGTERM.
//   tsx scripts/bare-trpc-server.ts <database url> <simulator url>
import http from "node:http";

import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import { createCoreDeps, createLogger } from "@wxpay/core";
import { SANDBOX_CONFIG } from "@wxpay/core/testing";
import { createDbHandle } from "@wxpay/db";

import { createApiContext } from "../src/context";
import { appRouter } from "../src/router";

const [databaseUrl, simUrl] = process.argv.slice(2);
if (!databaseUrl || !simUrl) throw new Error("usage: bare-trpc-server <database url> <simulator url>");

const handle = await createDbHandle({ databaseUrl });
const server = http.createServer();
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
const port = typeof address === "object" && address ? address.port : 0;
const appUrl = `http://127.0.0.1:${port}`;
const deps = createCoreDeps({
  db: handle.db,
  config: { ...SANDBOX_CONFIG, appUrl },
  log: createLogger({ level: "info" }),
  wechat: { payBase: simUrl, apiBase: simUrl, openBase: simUrl },
});

server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
  void (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === "string") headers.set(name, value);
    if (!headers.has("x-forwarded-for")) headers.set("x-forwarded-for", req.socket.remoteAddress ?? "");
    const request = new Request(`${appUrl}${req.url ?? "/"}`, {
      method: req.method,
      headers,
      ...(req.method === "GET" || req.method === "HEAD" ? {} : { body: Buffer.concat(chunks) }),
    });
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: ({ resHeaders }) => createApiContext({ deps, headers: request.headers, resHeaders }),
    });
    const out: Record<string, string | string[]> = Object.fromEntries(response.headers);
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) out["set-cookie"] = cookies;
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  })().catch((err: unknown) => {
    res.writeHead(500);
    res.end(String(err));
  });
});
server.keepAliveTimeout = 30_000;
console.log(JSON.stringify({ port }));
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void handle.close().finally(() => process.exit(0));
});
