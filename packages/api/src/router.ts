import { adminRouter } from "./routers/admin";
import { miniLoginProcedure } from "./routers/auth";
import { productsProcedure } from "./routers/catalog";
import {
  createOrderProcedure,
  handoffLinkProcedure,
  myOrdersProcedure,
  orderStatusProcedure,
  sessionInfoProcedure,
} from "./routers/orders";
import { jsConfigProcedure, prepayProcedure } from "./routers/payments";
import { createRouter } from "./trpc";

export const appRouter = createRouter({
  products: productsProcedure,
  createOrder: createOrderProcedure,
  prepay: prepayProcedure,
  jsConfig: jsConfigProcedure,
  orderStatus: orderStatusProcedure,
  myOrders: myOrdersProcedure,
  session: sessionInfoProcedure,
  handoffLink: handoffLinkProcedure,
  miniLogin: miniLoginProcedure,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
