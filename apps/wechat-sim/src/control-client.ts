// A typed client for the simulator's control API, for other packages' tests and tools.
import type { TNotifyJobView, TOrderView, TRefundView, TSigningView, TUserView } from "./control/views";
import type { FaultRule } from "./state";

export type {
  TNotifyJobView,
  TNotifyAttemptView,
  TOrderView,
  TRefundView,
  TSigningView,
  TUserView,
} from "./control/views";

/** How WeChat signs a merchant's v3 answers and notifies (see the README, "API v3 signing modes"). */
export type TSigningInput = {
  /** Default: the sandbox merchant. */
  mchId?: string;
  mode?: "public-key" | "certificate" | "switching";
  /** Switching mode: the share of notifies signed with the public key (0–1, spread evenly; default 0.5). */
  publicKeyShare?: number;
  /** Chance (0–1) that a notify delivery is a WECHATPAY/SIGNTEST/ probe. */
  signProbeRate?: number;
  /** The next N notify deliveries are probes (deterministic). */
  probeNotifies?: number;
  /** The next N signed answers are probes (deterministic). */
  probeResponses?: number;
};

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
      /** API v3: the merchant's APIv3 key (32 bytes), certificate (its serial is read from it) or serial. */
      apiV3Key?: string;
      mchCertPem?: string;
      mchSerial?: string;
      signingMode?: "public-key" | "certificate" | "switching";
    }) => call<unknown>("POST", "/__sim/merchants", input),
    /** API v3: how WeChat signs for a merchant now (default: the sandbox merchant). */
    signing: (mchId?: string) => call<TSigningView>("GET", `/__sim/merchants/signing${qs({ mchId })}`),
    /** API v3: switch signing mode, probes, switching share — effective on the next answer and notify delivery. */
    setSigning: (input: TSigningInput) => call<TSigningView>("POST", "/__sim/merchants/signing", input),
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
    /** Pays a Native order as a user who scanned its code_url (default: the first test user). */
    scan: (input: { codeUrl: string; userId?: string; result?: "SUCCESS" | "PAYERROR" }) =>
      call<{ settled: "now" | "later" | "nothing"; order: TOrderView }>("POST", "/__sim/scan", input),
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
