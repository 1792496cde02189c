// A shopper in an external mobile browser, reduced to what the shop's API sees: a session cookie jar speaking
// tRPC's plain-JSON wire format (no transformer) to one web instance.
const SESSION_COOKIE = "wxpay_session";

export type TTrpcReply<T> = {
  status: number;
  data?: T;
  error?: { message: string; data?: { code?: string; appCode?: string } };
};

export class Shopper {
  private cookie: string | undefined;

  constructor(readonly baseUrl: string) {}

  /** The same shopper (same session cookie) at another origin: the shop redeployed, or another instance. */
  at(baseUrl: string): Shopper {
    const moved = new Shopper(baseUrl);
    moved.cookie = this.cookie;
    return moved;
  }

  private async unwrap<T>(res: Response): Promise<TTrpcReply<T>> {
    const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (set) this.cookie = set.slice(SESSION_COOKIE.length + 1).split(";")[0];
    const body = (await res.json()) as { result?: { data: T }; error?: TTrpcReply<T>["error"] };
    return {
      status: res.status,
      ...(body.result ? { data: body.result.data } : {}),
      ...(body.error ? { error: body.error } : {}),
    };
  }

  async mutate<T>(procedure: string, input: unknown): Promise<TTrpcReply<T>> {
    const res = await fetch(`${this.baseUrl}/api/trpc/${procedure}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        // A browser on the shop's own page sends its origin; the API refuses any other.
        origin: new URL(this.baseUrl).origin,
        "user-agent": "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36",
        ...(this.cookie ? { cookie: `${SESSION_COOKIE}=${this.cookie}` } : {}),
      },
      body: JSON.stringify(input),
    });
    return this.unwrap<T>(res);
  }

  async query<T>(procedure: string, input: unknown): Promise<TTrpcReply<T>> {
    const qs = `?input=${encodeURIComponent(JSON.stringify(input))}`;
    const res = await fetch(`${this.baseUrl}/api/trpc/${procedure}${qs}`, {
      headers: this.cookie ? { cookie: `${SESSION_COOKIE}=${this.cookie}` } : {},
    });
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
