// A desktop browser's QR code opens here on the phone. A phone with no session (or already this customer's)
// continues the order at once; a phone with another shopper's session is sent to /handoff to be asked, and comes
// back here by POST with its answer. A used, expired or forged link goes to /handoff, which says so.
import { readCookie, sessionCookieHeader } from "@wxpay/api";
import type { CoreDeps, THandoffOutcome } from "@wxpay/core";
import { acceptHandoff, openH5Session, SESSION_COOKIE } from "@wxpay/core";

import { coreDeps } from "~/server/deps";

function reply(deps: CoreDeps, outcome: THandoffOutcome): Response {
  const app = deps.config.appUrl;
  const headers = new Headers({ "cache-control": "no-store", "referrer-policy": "same-origin" });
  if (outcome.kind === "switched") {
    headers.set("location", `${app}/orders/${outcome.orderId}`);
    headers.append("set-cookie", sessionCookieHeader(outcome.cookie, app.startsWith("https://")));
  } else if (outcome.kind === "confirm") {
    headers.set("location", `${app}/handoff?t=${outcome.token}`);
  } else {
    headers.set("location", `${app}/handoff?invalid=1`);
  }
  return new Response(null, { status: 303, headers });
}

function sessionOf(deps: CoreDeps, request: Request) {
  return openH5Session(deps.config.sessionSecret, readCookie(request.headers, SESSION_COOKIE), deps.now());
}

export async function GET(request: Request) {
  const deps = await coreDeps();
  const token = new URL(request.url).searchParams.get("t");
  return reply(
    deps,
    await acceptHandoff(deps, { token, session: sessionOf(deps, request), confirmed: false }),
  );
}

/** The shopper's "yes, switch" from /handoff: only from the shop's own page, never a cross-site form. */
export async function POST(request: Request) {
  const deps = await coreDeps();
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  if (origin !== new URL(deps.config.appUrl).origin || (site !== null && site !== "same-origin")) {
    return new Response("Forbidden", { status: 403, headers: { "cache-control": "no-store" } });
  }
  const form = await request.formData().catch(() => undefined);
  const token = form?.get("t");
  return reply(
    deps,
    await acceptHandoff(deps, {
      token: typeof token === "string" ? token : null,
      session: sessionOf(deps, request),
      confirmed: true,
    }),
  );
}
