// Next's side of the notify endpoints: a route handler that turns the web Request into a NotifyRequest and the
// answer into a Response.
import { readBodyCapped } from "./body";
import type { NotifyRequest } from "./notify-transport";
import type { NotifyPath } from "./notify-endpoints";
import { NOTIFY_ENDPOINTS } from "./notify-endpoints";

export function notifyFromWebRequest(request: Request): NotifyRequest {
  return {
    path: new URL(request.url).pathname,
    header: (name) => request.headers.get(name),
    headers() {
      const all: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        all[name] = value;
      });
      return all;
    },
    body: (maxBytes) => readBodyCapped(request, maxBytes),
  };
}

/** The POST handler of the route file at `path`. */
export function notifyRoute(path: NotifyPath): (request: Request) => Promise<Response> {
  const endpoint = NOTIFY_ENDPOINTS[path];
  return async (request) => {
    const answer = await endpoint(notifyFromWebRequest(request));
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}
