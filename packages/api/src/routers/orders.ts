import { TRPCError } from "@trpc/server";
import { z } from "zod";

import type { TOrderView } from "@wxpay/core";
import {
  CoreError,
  createOrder,
  getOrderStatus,
  listMyOrders,
  newAnonymousSession,
  orderHandoffLink,
} from "@wxpay/core";

import type { TApiContext } from "../context";
import {
  ZCreateOrderInput,
  ZCreateOrderOutput,
  ZHandoffLinkOutput,
  ZMyOrdersOutput,
  ZOrderStatusInput,
  ZOrderView,
  ZSessionOutput,
} from "../schemas";
import { publicProcedure, rateLimited, sessionProcedure } from "../trpc";

export function toWireOrder(v: TOrderView): z.infer<typeof ZOrderView> {
  return {
    orderId: v.orderId,
    status: v.status,
    amountFen: v.amountFen,
    ...(v.paidAt ? { paidAt: v.paidAt.toISOString() } : {}),
    createdAt: v.createdAt.toISOString(),
    expiresAt: v.expiresAt.toISOString(),
    items: v.items,
  };
}

/** The caller's customer id; an anonymous H5 shopper gets one (and its cookie) on first use. */
function customerFor(ctx: TApiContext): string {
  if (ctx.session) return ctx.session.customerId;
  if (ctx.headers.get("authorization")) {
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: "请重新登录",
      cause: new CoreError("LOGIN_REQUIRED", "请重新登录"),
    });
  }
  const fresh = newAnonymousSession(ctx.deps.config.sessionSecret, ctx.deps.now());
  ctx.setSessionCookie(fresh.cookie);
  ctx.session = fresh.session;
  return fresh.session.customerId;
}

const notFound = () => new CoreError("NOT_FOUND", "订单不存在");

export const createOrderProcedure = sessionProcedure
  .use(rateLimited("createOrder"))
  .input(ZCreateOrderInput)
  .output(ZCreateOrderOutput)
  .mutation(async ({ ctx, input }) => {
    const r = await createOrder(ctx.deps, { customerId: customerFor(ctx), items: input.items });
    return {
      orderId: r.orderId,
      amountFen: r.amountFen,
      status: r.status,
      expiresAt: r.expiresAt.toISOString(),
    };
  });

export const orderStatusProcedure = sessionProcedure
  .use(rateLimited("orderStatus"))
  .input(ZOrderStatusInput)
  .output(ZOrderView)
  .query(async ({ ctx, input }) => {
    if (!ctx.session) throw notFound();
    return toWireOrder(await getOrderStatus(ctx.deps, ctx.session.customerId, input.orderId));
  });

export const myOrdersProcedure = sessionProcedure
  .input(z.object({}).strict().optional())
  .output(ZMyOrdersOutput)
  .query(async ({ ctx }) =>
    ctx.session ? (await listMyOrders(ctx.deps, ctx.session.customerId)).map(toWireOrder) : [],
  );

export const sessionInfoProcedure = publicProcedure
  .input(z.object({}).strict().optional())
  .output(ZSessionOutput)
  .query(({ ctx }) => ({ hasOpenid: ctx.session?.kind === "h5" && Boolean(ctx.session.openid) }));

/** For a desktop browser: a single-use, 2-minute link (QR code) that continues this order on the shopper's phone. */
export const handoffLinkProcedure = sessionProcedure
  .input(ZOrderStatusInput)
  .output(ZHandoffLinkOutput)
  .query(async ({ ctx, input }) => {
    const r = await orderHandoffLink(ctx.deps, ctx.session, input.orderId);
    return { url: r.url, expiresAt: r.expiresAt.toISOString() };
  });
