import { jsConfig, prepay } from "@wxpay/core";

import { ZJsConfigInput, ZJsConfigOutput, ZPrepayInput, ZPrepayOutput } from "../schemas";
import { rateLimited, sessionProcedure } from "../trpc";

export const prepayProcedure = sessionProcedure
  .use(rateLimited("prepay"))
  .input(ZPrepayInput)
  .output(ZPrepayOutput)
  .mutation(({ ctx, input }) =>
    prepay(ctx.deps, {
      session: ctx.session,
      orderId: input.orderId,
      channel: input.channel,
      clientIp: ctx.clientIp,
    }),
  );

export const jsConfigProcedure = sessionProcedure
  .input(ZJsConfigInput)
  .output(ZJsConfigOutput)
  .query(({ ctx, input }) => jsConfig(ctx.deps, { url: input.url }));
