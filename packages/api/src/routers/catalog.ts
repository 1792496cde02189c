import { z } from "zod";

import { listProducts } from "@wxpay/core";

import { ZProduct } from "../schemas";
import { publicProcedure } from "../trpc";

export const productsProcedure = publicProcedure
  .input(z.object({}).strict().optional())
  .output(z.array(ZProduct))
  .query(({ ctx }) => listProducts(ctx.deps));
