// A terminating tRPC link over wx.request. A mini-program has no fetch, AbortController, FormData or Blob, and
// @trpc/client's httpLink/httpBatchLink need them; this link needs none and speaks the fetch adapter's plain
// JSON wire format (no transformer): a query is `GET <url>/<path>?input=<json>`, a mutation is
// `POST <url>/<path>` with `content-type: application/json` and the input as the body; the answer is
// `{"result":{"data":…}}` or `{"error":{message,code,data}}`.
import type { Operation, TRPCLink } from "@trpc/client";
import { TRPCClientError } from "@trpc/client";
import type { AnyRouter } from "@trpc/server";
import { observable } from "@trpc/server/observable";

import type { WxLike } from "./wx-types";

export type WxRequestLinkOptions = {
  /** The tRPC endpoint, e.g. `http://localhost:3000/api/trpc`. */
  url: string;
  request: WxLike["request"];
  /** Extra headers for one operation (the Bearer token travels in the operation's context). */
  headers?: (op: Operation) => Record<string, string>;
  timeoutMs?: number;
};

/** The URL of one procedure call, exactly as @trpc/client's http links build it without batching. */
export function procedureUrl(base: string, op: Pick<Operation, "type" | "path" | "input">): string {
  const url = `${base.replace(/\/+$/, "")}/${op.path}`;
  if (op.type !== "query" || op.input === undefined) return url;
  return `${url}?input=${encodeURIComponent(JSON.stringify(op.input))}`;
}

type Envelope = { result: { data?: unknown } } | { error: { message: string; code: number; data?: unknown } };

function parseEnvelope(data: unknown): Envelope | undefined {
  let body = data;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof body !== "object" || body === null) return undefined;
  if ("result" in body && typeof body.result === "object" && body.result !== null) return body as Envelope;
  if ("error" in body && typeof body.error === "object" && body.error !== null) return body as Envelope;
  return undefined;
}

export function wxRequestLink<TRouter extends AnyRouter>(opts: WxRequestLinkOptions): TRPCLink<TRouter> {
  return () =>
    ({ op }) =>
      observable((observer) => {
        if (op.type === "subscription") {
          observer.error(TRPCClientError.from(new Error("subscriptions are not supported over wx.request")));
          return () => {};
        }
        const isMutation = op.type === "mutation";
        let settled = false;
        const task = opts.request({
          url: procedureUrl(opts.url, op),
          method: isMutation ? "POST" : "GET",
          // tRPC v11 answers 415 to a POST without content-type: application/json.
          header: { ...(isMutation ? { "content-type": "application/json" } : {}), ...opts.headers?.(op) },
          ...(isMutation && op.input !== undefined ? { data: JSON.stringify(op.input) } : {}),
          ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
          success(res) {
            settled = true;
            const envelope = parseEnvelope(res.data);
            if (!envelope) {
              observer.error(TRPCClientError.from(new Error(`HTTP ${res.statusCode}: not a tRPC answer`)));
            } else if ("error" in envelope) {
              observer.error(TRPCClientError.from(envelope, { meta: { statusCode: res.statusCode } }));
            } else {
              observer.next({ result: { type: "data", data: envelope.result.data }, context: op.context });
              observer.complete();
            }
          },
          fail(err) {
            settled = true;
            observer.error(TRPCClientError.from(new Error(err.errMsg)));
          },
        });
        return () => {
          if (!settled) task?.abort();
        };
      });
}
