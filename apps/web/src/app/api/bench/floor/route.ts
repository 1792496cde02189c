// Next's own floor, for `pnpm bench`: the cheapest POST a route handler can answer (a fixed body, nothing read, nothing
// logged), in the same build as the notify routes, so the bench can say which milliseconds are the framework's. A 404
// unless the server started with WXPAY_BENCH_FLOOR=1: a deployment never exposes it.
import { env } from "~/env";

const FLOOR = "floor";

export function POST(): Response {
  if (!env().WXPAY_BENCH_FLOOR) return new Response(null, { status: 404 });
  return new Response(FLOOR, { headers: { "content-type": "text/plain", "cache-control": "no-store" } });
}
