// The benchmark's baseline: a bare node:http server calling the same core handler (handlePayNotify, with deps from
// createCoreDeps and a postgres.js pool of the web app's size) on the same database. No framework: what remains of
// the web route's cost over this is Next.js. Usage: tsx bench/bare-notify-server.ts <database url> <sim url>.
// Prints {"port":N} once listening; stops on SIGTERM.
import http from "node:http";

import { clientIpFrom, createCoreDeps, handlePayNotify, MAX_NOTIFY_BYTES, NOTIFY_PATH } from "@wxpay/core";
import { createDbHandle } from "@wxpay/db";
import { replyXml } from "@wxpay/wechatpay";

import { benchCoreConfig } from "../src/bench-fixtures";

const [databaseUrl, simUrl] = process.argv.slice(2);
if (!databaseUrl || !simUrl) throw new Error("usage: bare-notify-server <database url> <sim url>");

const handle = await createDbHandle({ databaseUrl });
const deps = createCoreDeps({
  db: handle.db,
  config: benchCoreConfig,
  wechat: { payBase: simUrl, apiBase: simUrl, openBase: simUrl },
});

const XML_HEADERS = { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" };

const server = http.createServer((req, res) => {
  if (req.method !== "POST" || req.url !== NOTIFY_PATH) {
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
