// The tRPC endpoint (/api/trpc/*): Next's route file serves it, and the production server hands the same path straight
// to this handler without Next's router (direct-routes.ts).
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import { appRouter, createApiContext } from "@wxpay/api";

import { coreDeps } from "./deps";

export async function trpcHandler(req: Request): Promise<Response> {
  const deps = await coreDeps();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    // Each call is logged, with its request id, by the API's own middleware.
    createContext: ({ resHeaders }) => createApiContext({ deps, headers: req.headers, resHeaders }),
  });
}
