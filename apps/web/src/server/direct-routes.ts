// The direct paths: the production server (apps/web/shop-server.mjs) answers WeChat's notifies and the tRPC calls by
// handing Node's request straight to the same endpoints Next's route files use, without Next's router (whose own cost
// per request is several times the notify's: BENCHMARK.md). Every other request, and any request these do not match
// exactly, goes to Next. Registered at start (instrumentation-node.ts); `next dev` and `next start` never look here,
// so they serve the same paths through the route files. What the direct paths skip is what Next does around a route:
// a proxy (middleware) file would not see them — the app has none — and Next's compression (done here for answers of
// 1 KiB or more).
import type { IncomingMessage, ServerResponse } from "node:http";

import { createLogger } from "@wxpay/core";

import { env } from "../env";
import type { NotifyPath } from "./notify-endpoints";
import { NOTIFY_ENDPOINTS } from "./notify-endpoints";
import {
  addForwardedDefaults,
  notifyFromIncoming,
  sendAnswer,
  sendResponse,
  webRequestFromIncoming,
} from "./node-http";
import { trpcHandler } from "./trpc-handler";

export type DirectRoute = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
/** What the production server calls for every request: the direct route for it, or undefined for Next. */
export type DirectRouter = (req: IncomingMessage) => DirectRoute | undefined;

export const DIRECT_ROUTER_KEY = Symbol.for("wxpay.web.directRouter");

/** tRPC inputs are ids and small forms; a larger body is refused before it is read. */
const MAX_TRPC_BODY_BYTES = 1024 * 1024;

export function createDirectRouter(): DirectRouter {
  const log = createLogger({ level: env().LOG_LEVEL, stdout: "async" });
  const guarded =
    (route: DirectRoute): DirectRoute =>
    async (req, res) => {
      try {
        addForwardedDefaults(req);
        await route(req, res);
      } catch (err) {
        // As Next does for a route handler that throws: a bare 500, and the error in the log.
        log.error("direct route failed", { path: req.url, error: String(err) });
        if (!res.headersSent) {
          res.writeHead(500, { "cache-control": "no-store" });
          res.end();
        } else {
          res.destroy();
        }
      }
    };
  const notify = new Map<string, DirectRoute>(
    (Object.keys(NOTIFY_ENDPOINTS) as NotifyPath[]).map((path) => {
      const endpoint = NOTIFY_ENDPOINTS[path];
      return [
        path,
        guarded(async (req, res) => sendAnswer(res, await endpoint(notifyFromIncoming(req, path)))),
      ];
    }),
  );
  const trpc = guarded(async (req, res) => {
    const request = await webRequestFromIncoming(req, MAX_TRPC_BODY_BYTES);
    if (!request) {
      res.writeHead(413, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end("request body too large");
      return;
    }
    await sendResponse(req, res, await trpcHandler(request));
  });
  return (req) => {
    const url = req.url ?? "";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    if (req.method === "POST") {
      const route = notify.get(path);
      if (route) return route;
    }
    // Exactly what Next's /api/trpc/[trpc] route matches: one path segment after the prefix.
    if ((req.method === "GET" || req.method === "POST") && path.startsWith("/api/trpc/")) {
      const procedures = path.slice("/api/trpc/".length);
      if (procedures.length > 0 && !procedures.includes("/")) return trpc;
    }
    return undefined;
  };
}

/** Makes the direct paths available to the production server in this process. */
export function registerDirectRouter(): void {
  (globalThis as Record<symbol, unknown>)[DIRECT_ROUTER_KEY] = createDirectRouter();
}
