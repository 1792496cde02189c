// Server components of the console call the same admin.* procedures as the browser does (same role checks), in
// process, with this request's headers (the console's cookie). Not logged in → the login page.
import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";

import { appRouter, createApiContext, createCallerFactory } from "@wxpay/api";

import { coreDeps } from "./deps";

const createCaller = createCallerFactory(appRouter);

export async function adminCaller() {
  const deps = await coreDeps();
  const h = new Headers(await headers());
  return createCaller(createApiContext({ deps, headers: h })).admin;
}

/** Runs a console query; sends the operator to log in (or to change a one-time password) when needed. */
export async function adminQuery<T>(
  run: (admin: Awaited<ReturnType<typeof adminCaller>>) => Promise<T>,
): Promise<T> {
  try {
    return await run(await adminCaller());
  } catch (err) {
    if (err instanceof TRPCError && err.code === "UNAUTHORIZED") redirect("/admin/login");
    const appCode = err instanceof TRPCError ? (err.cause as { code?: string } | undefined)?.code : undefined;
    if (appCode === "PASSWORD_CHANGE_REQUIRED") redirect("/admin/password");
    throw err;
  }
}
