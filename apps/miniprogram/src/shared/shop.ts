// The mini-program's view of the shop: a typed tRPC client over wx.request with the Bearer session, and the
// payment steps the pages run. Truth about payment comes from orderStatus only; wx.requestPayment's answer
// decides nothing but how long to wait for it.
import type { TRPCClient } from "@trpc/client";
import { createTRPCClient } from "@trpc/client";

import { authLink } from "./auth-link";
import type { Session, TokenStore } from "./session";
import { createSession, memoryTokenStore } from "./session";
import type { AppRouter, TCreatedOrder, TOrderItemInput, TOrderView, TProduct } from "./types";
import type { TPaymentOutcome } from "./wx-calls";
import { wxLogin, wxRequestPayment } from "./wx-calls";
import { wxRequestLink } from "./wx-request-link";
import type { WxLike } from "./wx-types";

export type ShopOptions = {
  /** The web app's origin, e.g. `http://localhost:3000`; the tRPC endpoint is `<apiBaseUrl>/api/trpc`. */
  apiBaseUrl: string;
  wx: WxLike;
  tokenStore?: TokenStore;
  now?: () => number;
  /** Per wx.request; default 15 s. */
  requestTimeoutMs?: number;
  /** How the result page waits for a payment WeChat said went through but the server has not seen yet. */
  confirm?: { attempts?: number; intervalMs?: number };
};

export type Shop = {
  client: TRPCClient<AppRouter>;
  session: Session;
  products(): Promise<TProduct[]>;
  createOrder(items: TOrderItemInput[]): Promise<TCreatedOrder>;
  /** prepay(mini) then wx.requestPayment with the server's signed parameters. */
  pay(orderId: string): Promise<TPaymentOutcome>;
  orderStatus(orderId: string): Promise<TOrderView>;
  /**
   * The order's status, asked again while it is PENDING and the pay sheet said `ok` (the notify may not have
   * arrived; each orderStatus lets the server ask WeChat). Resolves with the last answer.
   */
  confirm(orderId: string, hint?: TPaymentOutcome["hint"]): Promise<TOrderView>;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createShop(opts: ShopOptions): Shop {
  const wx = opts.wx;
  const attempts = opts.confirm?.attempts ?? 6;
  const intervalMs = opts.confirm?.intervalMs ?? 1500;

  // miniLogin goes through the same client (declared below; only called later); the auth link lets it pass.
  const session = createSession({
    login: () => wxLogin(wx),
    exchange: (code) => client.miniLogin.mutate({ code }),
    store: opts.tokenStore ?? memoryTokenStore(),
    ...(opts.now ? { now: opts.now } : {}),
  });
  const client = createTRPCClient<AppRouter>({
    links: [
      authLink(session),
      wxRequestLink({
        url: `${opts.apiBaseUrl.replace(/\/+$/, "")}/api/trpc`,
        request: (o) => wx.request(o),
        headers: (op): Record<string, string> =>
          typeof op.context.authorization === "string" ? { authorization: op.context.authorization } : {},
        // wx.request's own default is 60 s; a shopper waiting on a pay button gives up sooner.
        timeoutMs: opts.requestTimeoutMs ?? 15_000,
      }),
    ],
  });
  return {
    client,
    session,
    products: () => client.products.query(),
    createOrder: (items) => client.createOrder.mutate({ items }),
    async pay(orderId) {
      const prepay = await client.prepay.mutate({ orderId, channel: "mini" });
      if (prepay.channel !== "mini") throw new Error(`prepay answered channel ${prepay.channel}`);
      return wxRequestPayment(wx, prepay.payParams);
    },
    orderStatus: (orderId) => client.orderStatus.query({ orderId }),
    async confirm(orderId, hint) {
      let view = await client.orderStatus.query({ orderId });
      for (let i = 1; i < attempts && view.status === "PENDING" && hint === "ok"; i++) {
        await sleep(intervalMs);
        view = await client.orderStatus.query({ orderId });
      }
      return view;
    },
  };
}
