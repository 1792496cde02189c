// Puts the session's Bearer token on every call but miniLogin. When the server answers LOGIN_REQUIRED (token
// expired or revoked) it logs in again and repeats the call once: the server refused it before doing anything.
import type { TRPCLink } from "@trpc/client";
import { TRPCClientError } from "@trpc/client";
import type { AnyRouter } from "@trpc/server";
import type { Unsubscribable } from "@trpc/server/observable";
import { observable } from "@trpc/server/observable";

import { appCodeOf } from "./errors";
import type { Session } from "./session";

/** Procedures that need no token: logging in, and the public catalog. */
const PUBLIC_PATHS = new Set(["miniLogin", "products"]);

export function authLink<TRouter extends AnyRouter>(session: Session): TRPCLink<TRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        if (PUBLIC_PATHS.has(op.path)) {
          const sub = next(op).subscribe(observer);
          return () => sub.unsubscribe();
        }
        let closed = false;
        let sub: Unsubscribable | undefined;
        const attempt = (mayRetry: boolean) => {
          session.token().then(
            (token) => {
              if (closed) return;
              sub = next({ ...op, context: { ...op.context, authorization: `Bearer ${token}` } }).subscribe({
                next: (value) => observer.next(value),
                error: (err) => {
                  if (mayRetry && appCodeOf(err) === "LOGIN_REQUIRED") {
                    session.invalidate(token);
                    attempt(false);
                  } else {
                    observer.error(err);
                  }
                },
                complete: () => observer.complete(),
              });
            },
            (err: unknown) =>
              observer.error(TRPCClientError.from(err instanceof Error ? err : new Error(String(err)))),
          );
        };
        attempt(true);
        return () => {
          closed = true;
          sub?.unsubscribe();
        };
      });
}
