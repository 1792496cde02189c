import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

import type { AppRouter } from "./router";

export { appRouter } from "./router";
export type { AppRouter } from "./router";
export { createApiContext, oauthCookieHeader, readCookie, sessionCookieHeader } from "./context";
export type { TApiContext } from "./context";
export { createCallerFactory } from "./trpc";
export * from "./schemas";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
