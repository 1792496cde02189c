// A typed client for the simulator's control API, for other packages' tests and tools.
import type { TNotifyJobView, TOrderView, TRefundView, TUserView } from "./control/views";
import type { FaultRule } from "./state";

export type { TNotifyJobView, TNotifyAttemptView, TOrderView, TRefundView, TUserView } from "./control/views";

export class SimControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type TClock = { now: string; nowMs: number; timeScale: number };
export type TFault = {
  id: number;
  scope: { mchId: string; outTradeNo?: string };
  rule: FaultRule;
  createdAt: number;
};

export type SimControl = ReturnType<typeof createSimControl>;

export function createSimControl(simUrl: string, opts: { fetch?: typeof fetch } = {}) {
  const base = simUrl.replace(/\/+$/, "");
  const doFetch = opts.fetch ?? fetch;

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await doFetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const value: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const msg = (value as { error?: string } | undefined)?.error ?? text;
      throw new SimControlError(res.status, `${method} ${path}: ${res.status} ${msg}`);
    }
    return value as T;
  }

  const qs = (params: Record<string, string | undefined>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) p.set(k, v);
    const s = p.toString();
    return s ? `?${s}` : "";
  };

  return {
    url: base,
    health: () => call<{ ok: boolean }>("GET", "/__sim/health"),
    reset: () => call<{ ok: boolean }>("POST", "/__sim/reset"),
    clock: () => call<TClock>("GET", "/__sim/clock"),
    advanceClock: (ms: number) => call<TClock>("POST", "/__sim/clock/advance", { ms }),
    users: () => call<TUserView[]>("GET", "/__sim/users"),
    createUser: (input: { userId?: string; nickname?: string } = {}) =>
      call<TUserView>("POST", "/__sim/users", input),
    upsertMerchant: (input: {
      mchId: string;
      key?: string;
      previousKeys?: string[];
      name?: string;
      appIds?: string[];
      h5Domains?: string[];
      tradeTypes?: ("JSAPI" | "NATIVE" | "APP" | "MWEB")[];
      refundNotifyUrl?: string;
    }) => call<unknown>("POST", "/__sim/merchants", input),
    upsertApp: (input: {
      appId: string;
      secret?: string;
      kind: "official" | "mini";
      name?: string;
      webDomains?: string[];
      mchIds?: string[];
    }) => call<unknown>("POST", "/__sim/apps", input),
    /** A 网页授权 code, as if the user had passed the OAuth page. */
    oauthCode: (input: { appId: string; userId: string; scope?: "snsapi_base" | "snsapi_userinfo" }) =>
      call<{ code: string; expiresAt: string }>("POST", "/__sim/oauth-code", input),
    /** A wx.login code for jscode2session. */
    loginCode: (input: { appId: string; userId: string }) =>
      call<{ code: string; expiresAt: string }>("POST", "/__sim/login-code", input),
    /** Pays an order as a user (JSAPI: the order's openid; otherwise `userId` or the first test user). */
    pay: (input: {
      prepayId?: string;
      mchId?: string;
      outTradeNo?: string;
      userId?: string;
      result?: "SUCCESS" | "PAYERROR";
    }) => call<{ settled: "now" | "later" | "nothing"; order: TOrderView }>("POST", "/__sim/pay", input),
    orders: (filter: { mchId?: string; outTradeNo?: string } = {}) =>
      call<TOrderView[]>("GET", `/__sim/orders${qs(filter)}`),
    refunds: (filter: { mchId?: string; outTradeNo?: string } = {}) =>
      call<TRefundView[]>("GET", `/__sim/refunds${qs(filter)}`),
    settleRefund: (input: { refundId?: string; outRefundNo?: string }) =>
      call<TRefundView>("POST", "/__sim/refunds/settle", input),
    notifies: (filter: { mchId?: string; outTradeNo?: string; kind?: "pay" | "refund" } = {}) =>
      call<TNotifyJobView[]>("GET", `/__sim/notifies${qs(filter)}`),
    faults: () => call<TFault[]>("GET", "/__sim/faults"),
    /** Fault rule for a merchant (default: the sandbox merchant) or one of its orders. */
    setFault: (scope: { mchId?: string; outTradeNo?: string }, rule: FaultRule) =>
      call<TFault>("POST", "/__sim/faults", { scope, rule }),
    clearFaults: (filter: { id?: number; mchId?: string; outTradeNo?: string } = {}) =>
      call<{ removed: number }>(
        "DELETE",
        `/__sim/faults${qs({ id: filter.id === undefined ? undefined : String(filter.id), mchId: filter.mchId, outTradeNo: filter.outTradeNo })}`,
      ),
  };
}
