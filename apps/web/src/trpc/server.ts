// Server components call the router directly (no HTTP hop) for the first paint, with the same context the
// tRPC route builds: the process's core dependencies and this request's headers (cookie session, address).
import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { cache } from "react";

import { appRouter, createApiContext, createCallerFactory } from "@wxpay/api";
import { isCoreError } from "@wxpay/core";

import type { TAppCode } from "~/lib/error-text";
import { appCodeOf } from "~/lib/error-text";
import { coreDeps } from "~/server/deps";

const createCaller = createCallerFactory(appRouter);

/** One caller per request (React's cache is per request in server components). */
export const serverApi = cache(async () => {
  // Request headers first: during `next build` they mark the page dynamic before anything opens the database.
  const h = new Headers(await headers());
  const deps = await coreDeps();
  return createCaller(createApiContext({ deps, headers: h }));
});

export type TServerResult<T> =
  { ok: true; data: T } | { ok: false; appCode: TAppCode | undefined; notFound: boolean };

/** Runs a server-side call and turns a tRPC error into a value, so a page can show its own sentence. */
export async function tryServer<T>(call: () => Promise<T>): Promise<TServerResult<T>> {
  try {
    return { ok: true, data: await call() };
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    // The router keeps the core's error as the cause: its code is what the client reads as error.data.appCode.
    const appCode = isCoreError(err.cause) ? appCodeOf({ data: { appCode: err.cause.code } }) : undefined;
    return { ok: false, appCode, notFound: err.code === "NOT_FOUND" || appCode === "NOT_FOUND" };
  }
}
