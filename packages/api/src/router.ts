import { productsProcedure } from "./routers/products";
import { createRouter } from "./trpc";

export const appRouter = createRouter({
  products: productsProcedure,
});

export type AppRouter = typeof appRouter;
