import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { z, ZodError } from "zod";

import type { TCoreErrorCode, TRateLimitedAction } from "@wxpay/core";
import { CoreError, enforceRateLimit } from "@wxpay/core";

import type { TAdminRole } from "./admin-session";
import { adminAccess } from "./admin-session";
import type { TApiContext } from "./context";

const TRPC_CODE: Record<TCoreErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: "NOT_FOUND",
  UNKNOWN_SKU: "BAD_REQUEST",
  BAD_INPUT: "BAD_REQUEST",
  OAUTH_REQUIRED: "PRECONDITION_FAILED",
  LOGIN_REQUIRED: "UNAUTHORIZED",
  ORDER_PAID: "CONFLICT",
  ORDER_CLOSED: "CONFLICT",
  WECHAT_BUSY: "SERVICE_UNAVAILABLE",
  WECHAT_REJECTED: "BAD_GATEWAY",
  URL_NOT_ALLOWED: "BAD_REQUEST",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  REFUNDS_DISABLED: "PRECONDITION_FAILED",
  TOO_MANY_OPEN_ORDERS: "CONFLICT",
  FORBIDDEN: "FORBIDDEN",
  PASSWORD_CHANGE_REQUIRED: "FORBIDDEN",
  LAST_ADMIN: "CONFLICT",
};

const t = initTRPC.context<TApiContext>().create({
  // Plain JSON on the wire (no transformer): integers in fen, ISO dates; the mini-program and curl speak it.
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const appCode =
      cause instanceof CoreError
        ? cause.code
        : cause instanceof ZodError
          ? "BAD_INPUT"
          : error.code === "INTERNAL_SERVER_ERROR"
            ? "INTERNAL"
            : undefined;
    return {
      ...shape,
      // Internal failures never leak their message (it may name tables, hosts or keys).
      message: error.code === "INTERNAL_SERVER_ERROR" ? "服务器开小差了，请稍后重试" : shape.message,
      data: {
        ...shape.data,
        stack: undefined,
        appCode,
        zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
      },
    };
  },
});

/** CoreError → the matching tRPC code, keeping the CoreError as cause (for `appCode`). */
const mapCoreErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof CoreError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
  }
  return result;
});

/**
 * Cross-site form posts cannot reach a mutation: tRPC already refuses non-JSON content types (415); a browser
 * Origin other than the shop's own is refused too. (The mini-program sends no Origin and no cookies.)
 */
const sameOriginMutations = t.middleware(({ ctx, type, next }) => {
  if (type === "mutation") {
    const origin = ctx.headers.get("origin");
    if (origin && origin !== new URL(ctx.deps.config.appUrl).origin) {
      throw new TRPCError({ code: "FORBIDDEN", message: "cross-origin request refused" });
    }
    const contentType = ctx.headers.get("content-type") ?? "";
    if (!contentType.toLowerCase().startsWith("application/json")) {
      throw new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: "mutations take application/json" });
    }
  }
  return next();
});

/** One line per call (the request id comes from the context's logger); an internal failure with its cause. */
const logCalls = t.middleware(async ({ ctx, path, type, next }) => {
  const started = performance.now();
  const result = await next();
  // Hundredths of a millisecond: the shop's own part of a call is a few ms, which whole ms would not show.
  const ms = Math.round((performance.now() - started) * 100) / 100;
  if (result.ok) ctx.deps.log.info("trpc", { path, type, ms });
  else if (result.error.code === "INTERNAL_SERVER_ERROR")
    ctx.deps.log.error("trpc failed", { path, type, ms, error: result.error.cause ?? result.error });
  else ctx.deps.log.info("trpc", { path, type, ms, errorCode: result.error.code });
  return result;
});

export const createRouter = t.router;
export const publicProcedure = t.procedure.use(logCalls).use(mapCoreErrors).use(sameOriginMutations);
/** A caller with a valid Bearer token or H5 session; an invalid Bearer token is UNAUTHORIZED (log in again). */
export const sessionProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.bearerRejected)
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: "请重新登录",
      cause: new CoreError("LOGIN_REQUIRED", "请重新登录"),
    });
  return next();
});
export const createCallerFactory = t.createCallerFactory;

/** Counts the call against the caller's IP and customer (shared across instances); TOO_MANY_REQUESTS past it. */
export const rateLimited = (action: TRateLimitedAction) =>
  t.middleware(async ({ ctx, next }) => {
    await enforceRateLimit(ctx.deps, { action, ip: ctx.clientIp, customerId: ctx.session?.customerId });
    return next();
  });

const unauthorized = () =>
  new TRPCError({
    code: "UNAUTHORIZED",
    message: "请先登录后台",
    cause: new CoreError("LOGIN_REQUIRED", "请先登录后台"),
  });

/**
 * The console: an operator session from the console's own cookie, and nothing else — a shopper's cookie or a Bearer
 * token never gets here. Mutations must come from the shop's own origin (the Origin header is required, not just
 * checked when present). An operator with a one-time password may only change it.
 */
export const adminPublicProcedure = publicProcedure.use(({ ctx, type, next }) => {
  if (ctx.headers.get("authorization")) throw unauthorized();
  if (type === "mutation") {
    const site = ctx.headers.get("sec-fetch-site");
    if (
      ctx.headers.get("origin") !== new URL(ctx.deps.config.appUrl).origin ||
      (site && site !== "same-origin")
    ) {
      throw new TRPCError({ code: "FORBIDDEN", message: "cross-origin request refused" });
    }
  }
  return next();
});

export const adminProcedure = (role: TAdminRole, opts: { allowPasswordChange?: boolean } = {}) =>
  adminPublicProcedure.use(async ({ ctx, next }) => {
    const access = await adminAccess(ctx.deps, ctx.headers, role, opts);
    if (access.ok) return next({ ctx: { ...ctx, operator: access.operator } });
    if (access.why === "LOGIN_REQUIRED") throw unauthorized();
    if (access.why === "PASSWORD_CHANGE_REQUIRED") {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: "请先修改初始密码",
        cause: new CoreError("PASSWORD_CHANGE_REQUIRED", "请先修改初始密码"),
      });
    }
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "没有权限",
      cause: new CoreError("FORBIDDEN", "你的角色不能执行这项操作"),
    });
  });
