// A shopper in an external mobile browser, reduced to what the shop's API sees: a session cookie jar speaking
// tRPC's plain-JSON wire format (no transformer) to one web instance.
import http from "node:http";

const SESSION_COOKIE = "wxpay_session";

/** One HTTP exchange as the shopper needs it. */
type TExchange = { status: number; setCookies: string[]; body: string };
type TSend = (
  method: "GET" | "POST",
  url: string,
  headers: Record<string, string>,
  body?: string,
) => Promise<TExchange>;

/** The platform's fetch (undici): what the tests use. */
const viaFetch: TSend = async (method, url, headers, body) => {
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  return { status: res.status, setCookies: res.headers.getSetCookie(), body: await res.text() };
};

/**
 * node:http over one kept-alive connection, as a browser holds its connection to the shop: the bench's client, whose
 * own cost per call is a fraction of undici's fetch (about 1 ms less per call on the 2-core bench machine), so a
 * purchase's figure is the shop's work and the network, not the measuring client's.
 */
function viaKeptAliveNodeHttp(): TSend {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (method, url, headers, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent,
          headers:
            body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              setCookies: res.headers["set-cookie"] ?? [],
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
}

export type TTrpcReply<T> = {
  status: number;
  data?: T;
  error?: { message: string; data?: { code?: string; appCode?: string } };
};

export class Shopper {
  private cookie: string | undefined;
  private readonly send: TSend;

  /** `client: "node-http"`: one kept-alive node:http connection instead of fetch (the bench). */
  constructor(
    readonly baseUrl: string,
    private readonly opts: { client?: "fetch" | "node-http" } = {},
  ) {
    this.send = opts.client === "node-http" ? viaKeptAliveNodeHttp() : viaFetch;
  }

  /** The same shopper (same session cookie) at another origin: the shop redeployed, or another instance. */
  at(baseUrl: string): Shopper {
    const moved = new Shopper(baseUrl, this.opts);
    moved.cookie = this.cookie;
    return moved;
  }

  private unwrap<T>(res: TExchange): TTrpcReply<T> {
    const set = res.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (set) this.cookie = set.slice(SESSION_COOKIE.length + 1).split(";")[0];
    const body = JSON.parse(res.body) as { result?: { data: T }; error?: TTrpcReply<T>["error"] };
    return {
      status: res.status,
      ...(body.result ? { data: body.result.data } : {}),
      ...(body.error ? { error: body.error } : {}),
    };
  }

  async mutate<T>(procedure: string, input: unknown): Promise<TTrpcReply<T>> {
    const res = await this.send(
      "POST",
      `${this.baseUrl}/api/trpc/${procedure}`,
      {
        "content-type": "application/json",
        // A browser on the shop's own page sends its origin; the API refuses any other.
        origin: new URL(this.baseUrl).origin,
        "user-agent": "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36",
        ...(this.cookie ? { cookie: `${SESSION_COOKIE}=${this.cookie}` } : {}),
      },
      JSON.stringify(input),
    );
    return this.unwrap<T>(res);
  }

  async query<T>(procedure: string, input: unknown): Promise<TTrpcReply<T>> {
    const qs = `?input=${encodeURIComponent(JSON.stringify(input))}`;
    const res = await this.send(
      "GET",
      `${this.baseUrl}/api/trpc/${procedure}${qs}`,
      this.cookie ? { cookie: `${SESSION_COOKIE}=${this.cookie}` } : {},
    );
    return this.unwrap<T>(res);
  }

  /** createOrder then prepay(h5): a PENDING order with one attempt whose notify_url is this instance's. */
  async placeH5Order(
    items: { sku: string; qty: number }[] = [{ sku: "TEST-1FEN", qty: 1 }],
  ): Promise<{ orderId: string; mwebUrl: string }> {
    const created = await this.mutate<{ orderId: string }>("createOrder", { items });
    if (!created.data)
      throw new Error(`createOrder failed: ${created.status} ${JSON.stringify(created.error)}`);
    const prepaid = await this.mutate<{ channel: "h5"; mwebUrl: string }>("prepay", {
      orderId: created.data.orderId,
      channel: "h5",
    });
    if (!prepaid.data) throw new Error(`prepay failed: ${prepaid.status} ${JSON.stringify(prepaid.error)}`);
    return { orderId: created.data.orderId, mwebUrl: prepaid.data.mwebUrl };
  }
}
