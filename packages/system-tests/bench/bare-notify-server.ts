// The benchmark's framework-free baseline: a bare node:http server calling the same core handlers (handlePayNotify,
// handleV3PayNotify) with deps from createCoreDeps and a postgres.js pool of the web app's size, on the same database.
// No framework: what remains of the web route's cost over this is Next.js. Usage: tsx bench/bare-notify-server.ts <database url> <sim url>.
// Prints {"port":N} once listening; stops on SIGTERM.
import http from "node:http";

import {
  clientIpFrom,
  createCoreDeps,
  handlePayNotify,
  handleV3PayNotify,
  MAX_NOTIFY_BYTES,
  NOTIFY_PATH,
} from "@wxpay/core";
import { sandboxV3Credentials } from "@wxpay/core/testing";
import { createDbHandle } from "@wxpay/db";
import { replyXml } from "@wxpay/wechatpay";

import { benchCoreConfig } from "../src/bench-fixtures";

const [databaseUrl, simUrl] = process.argv.slice(2);
if (!databaseUrl || !simUrl) throw new Error("usage: bare-notify-server <database url> <sim url>");

const handle = await createDbHandle({ databaseUrl });
const deps = createCoreDeps({
  db: handle.db,
  config: benchCoreConfig,
  wechat: { payBase: simUrl, apiBase: simUrl, openBase: simUrl, v3: sandboxV3Credentials() },
});
const V3_NOTIFY_PATH = "/api/wechat/v3/pay/notify";

const XML_HEADERS = { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" };

const server = http.createServer((req, res) => {
  const v3 = req.url === V3_NOTIFY_PATH;
  if (req.method !== "POST" || (req.url !== NOTIFY_PATH && !v3)) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = Number(req.headers["content-length"] ?? 0) > MAX_NOTIFY_BYTES;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size > MAX_NOTIFY_BYTES) tooLarge = true;
    else chunks.push(c);
  });
  req.on("end", () => {
    if (tooLarge) {
      res.writeHead(200, XML_HEADERS).end(replyXml(false, "报文过大"));
      return;
    }
    const body = new TextDecoder("utf-8").decode(Buffer.concat(chunks));
    if (v3) {
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v[0] : v;
      handleV3PayNotify(deps, { headers, body, remoteAddr: req.socket.remoteAddress ?? undefined }).then(
        (r) => res.writeHead(r.reply.status).end(r.reply.status === 204 ? undefined : r.reply.body),
        () => res.writeHead(500).end(),
      );
      return;
    }
    handlePayNotify(deps, { body, remoteAddr: clientIpFrom(req.socket.remoteAddress ?? null, 0) }).then(
      (r) => res.writeHead(200, XML_HEADERS).end(r.reply),
      () => res.writeHead(200, XML_HEADERS).end(replyXml(false, "系统繁忙")),
    );
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  console.log(JSON.stringify({ port: typeof addr === "object" && addr ? addr.port : 0 }));
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void handle.close().finally(() => process.exit(0));
});
