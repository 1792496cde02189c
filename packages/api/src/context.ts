import type { CoreDeps } from "@wxpay/core";

/** Per-request context: the process's core dependencies and what the transport learned about the caller. */
export type TApiContext = {
  deps: CoreDeps;
  /** Request headers, for the session (cookie or Bearer) and the client address. */
  headers: Headers;
};

export function createApiContext(opts: { deps: CoreDeps; headers: Headers }): TApiContext {
  return { deps: opts.deps, headers: opts.headers };
}
