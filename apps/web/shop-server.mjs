// The shop's production server: `node apps/web/shop-server.mjs` (PORT, HOSTNAME, KEEP_ALIVE_TIMEOUT, as Next's own
// server.js). Next's request handler serves everything — pages, assets, every route — except WeChat's notifies and the
// tRPC calls, which the app registers at start as direct paths (src/server/direct-routes.ts): the same endpoints as the
// route files, reached without Next's router, whose own cost per request is several times a notify's (BENCHMARK.md).
// Runs from the build in place (after `next build`) and from the assembled standalone folder (scripts/assemble.ts).
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";

const dir = import.meta.dirname;
process.env.NODE_ENV = "production";
process.chdir(dir);

const port = Number.parseInt(process.env.PORT ?? "", 10) || 3000;
const hostname = process.env.HOSTNAME || "0.0.0.0";
const keepAliveTimeout = Number.parseInt(process.env.KEEP_ALIVE_TIMEOUT ?? "", 10);

// The configuration the build recorded (as Next's standalone server.js does): next.config.ts is not read at run time.
const { config } = JSON.parse(fs.readFileSync(path.join(dir, ".next/required-server-files.json"), "utf8"));
process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
process.env.PORT = String(port);
process.env.__NEXT_PRIVATE_ORIGIN = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;

const require = createRequire(import.meta.url);
const next = require("next");

const DIRECT_ROUTER = Symbol.for("wxpay.web.directRouter");
const app = next({ dir, dev: false, hostname, port });

const server = http.createServer((req, res) => {
  // Registered by the app's start-up (instrumentation); until then, and for anything it does not match, Next answers.
  const direct = globalThis[DIRECT_ROUTER]?.(req);
  if (direct) {
    void direct(req, res);
    return;
  }
  void handle(req, res);
});
if (Number.isFinite(keepAliveTimeout) && keepAliveTimeout >= 0) server.keepAliveTimeout = keepAliveTimeout;

let handle;
try {
  await app.prepare();
  const nextHandler = app.getRequestHandler();
  handle = (req, res) =>
    nextHandler(req, res).catch((err) => {
      console.error(err);
      if (!res.headersSent) res.writeHead(500).end();
    });
} catch (err) {
  console.error(err);
  process.exit(1);
}

server.listen(port, hostname, () => {
  console.log(`[web] listening on http://${hostname}:${port}`);
});
server.on("error", (err) => {
  console.error(err);
  process.exit(1);
});

// SIGTERM / SIGINT: stop accepting, let requests in flight finish (a notify answered only after its commit), then exit.
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(signal === "SIGTERM" ? 143 : 130), 10_000).unref();
    server.close(() => {
      app
        .close()
        .catch((err) => console.error(err))
        .finally(() => process.exit(signal === "SIGTERM" ? 143 : 130));
    });
    server.closeIdleConnections();
  });
}
