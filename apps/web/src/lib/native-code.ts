// Server side: the order's Native code_url for the desktop pay page, which renders it as a QR code.
import { headers } from "next/headers";

import type { RouterOutputs } from "@wxpay/api";
import { appRouter, createApiContext, createCallerFactory } from "@wxpay/api";

import { coreDeps } from "~/server/deps";
import type { TServerResult } from "~/trpc/server";
import { tryServer } from "~/trpc/server";

const createCaller = createCallerFactory(appRouter);

export type TNativeCode =
  | { kind: "code"; result: TServerResult<RouterOutputs["prepay"]> }
  /** Opened from another site: the shopper confirms with a click on our own page before an attempt is made. */
  | { kind: "confirm" };

/**
 * prepay(native) on the server, for this request's shopper. The mutation's JSON rule guards against cross-site form
 * posts; this call is the page's own, so it says JSON. A page opened from another site does not start a payment
 * attempt by itself (the browser's Sec-Fetch-Site tells): it shows a button back to this page first.
 */
export async function nativeCodeFor(orderId: string): Promise<TNativeCode> {
  const h = new Headers(await headers());
  const site = h.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") return { kind: "confirm" };
  h.set("content-type", "application/json");
  const api = createCaller(createApiContext({ deps: await coreDeps(), headers: h }));
  return { kind: "code", result: await tryServer(() => api.prepay({ orderId, channel: "native" })) };
}
