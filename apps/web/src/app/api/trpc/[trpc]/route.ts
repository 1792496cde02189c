import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

import { appRouter, createApiContext } from "@wxpay/api";

import { coreDeps } from "~/server/deps";

const handler = async (req: Request) => {
  const deps = await coreDeps();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: ({ resHeaders }) => createApiContext({ deps, headers: req.headers, resHeaders }),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR")
        console.error(`[trpc] ${path ?? "?"}:`, error.cause ?? error);
    },
  });
};

export { handler as GET, handler as POST };
