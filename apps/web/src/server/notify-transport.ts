// A WeChat notify as the shop's notify endpoints see it, whichever server delivered it: Next's route handler (a web
// Request) or the production server's direct path (Node's IncomingMessage, see direct-routes.ts). Both read the same
// size-capped body and send the same answer, so the two ways in cannot drift apart.
export type NotifyRequest = {
  /** The request path without its query, e.g. /api/wechat/pay/notify (logged with every line). */
  path: string;
  /** A request header by lower-case name, or null. */
  header(name: string): string | null;
  /** Every request header, by lower-case name. */
  headers(): Record<string, string>;
  /** The body as UTF-8 text, or undefined when it is larger than maxBytes. */
  body(maxBytes: number): Promise<string | undefined>;
};

export type NotifyAnswer = { status: number; headers: Record<string, string>; body: string | null };

export type NotifyEndpoint = (request: NotifyRequest) => Promise<NotifyAnswer>;
