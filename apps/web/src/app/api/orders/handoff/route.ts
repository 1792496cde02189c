// A desktop browser's QR code opens here on the phone: it takes over the (anonymous) customer session, then
// shows the order. An expired or forged link just shows the order page, which says it cannot be found.
import { sessionCookieHeader } from "@wxpay/api";
import { acceptHandoff } from "@wxpay/core";

import { coreDeps } from "~/server/deps";

export async function GET(request: Request) {
  const deps = await coreDeps();
  const accepted = acceptHandoff(deps, new URL(request.url).searchParams.get("t"));
  if (!accepted) {
    return new Response(null, {
      status: 302,
      headers: { location: `${deps.config.appUrl}/orders`, "cache-control": "no-store" },
    });
  }
  return new Response(null, {
    status: 302,
    headers: {
      location: `${deps.config.appUrl}/orders/${accepted.orderId}`,
      "set-cookie": sessionCookieHeader(accepted.cookie, deps.config.appUrl.startsWith("https://")),
      "cache-control": "no-store",
    },
  });
}
