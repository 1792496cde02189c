import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import { appRouter, createApiContext } from "@wxpay/api";

import { coreDeps } from "~/server/deps";

const handler = async (req: Request) => {
  const deps = await coreDeps();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    // Each call is logged, with its request id, by the API's own middleware.
    createContext: ({ resHeaders }) => createApiContext({ deps, headers: req.headers, resHeaders }),
  });
};

export { handler as GET, handler as POST };
