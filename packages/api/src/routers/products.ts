import { z } from "zod";

import { listProducts } from "@wxpay/core";

import { publicProcedure } from "../trpc";

export const ZProduct = z.object({
  sku: z.string(),
  title: z.string(),
  description: z.string(),
  priceFen: z.number().int().positive(),
});

export const productsProcedure = publicProcedure
  .input(z.object({}).strict().optional())
  .output(z.array(ZProduct))
  .query(({ ctx }) => listProducts(ctx.deps));
