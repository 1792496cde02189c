import { miniLogin } from "@wxpay/core";

import { ZMiniLoginInput, ZMiniLoginOutput } from "../schemas";
import { publicProcedure, rateLimited } from "../trpc";

export const miniLoginProcedure = publicProcedure
  .use(rateLimited("miniLogin"))
  .input(ZMiniLoginInput)
  .output(ZMiniLoginOutput)
  .mutation(async ({ ctx, input }) => {
    const r = await miniLogin(ctx.deps, { code: input.code });
    return { token: r.token, expiresAt: r.expiresAt.toISOString() };
  });
