import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

import type { AppRouter } from "./router";

export { appRouter } from "./router";
export type { AppRouter } from "./router";
export { createApiContext, oauthCookieHeader, readCookie, sessionCookieHeader } from "./context";
export type { TApiContext } from "./context";
export { createCallerFactory } from "./trpc";
export { handleOrdersExport, ORDERS_EXPORT_PATH } from "./admin-export";
export * from "./schemas";
/** `error.data.appCode` of every shop API error: what front ends map to their own sentences. */
export type { TCoreErrorCode as TAppCode } from "@wxpay/core";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
