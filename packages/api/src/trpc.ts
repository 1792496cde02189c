import { initTRPC } from "@trpc/server";
import { z, ZodError } from "zod";

import type { TApiContext } from "./context";

const t = initTRPC.context<TApiContext>().create({
  // Plain JSON on the wire (no transformer): integers in fen, ISO dates; the mini-program and curl speak it.
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        // Never send a stack trace to a client.
        stack: undefined,
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      },
    };
  },
});

export const createRouter = t.router;
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;
