// Shoppers for the integration tests: cookie jars (H5) or Bearer tokens (mini-program) speaking tRPC's
// plain-JSON wire format to the shop server of src/testing.ts.
import { OAUTH_COOKIE, SESSION_COOKIE } from "@wxpay/core";

import type { Harness } from "../src/testing";

export type { Harness } from "../src/testing";
export { startHarness } from "../src/testing";

export type TrpcReply<T> = {
  status: number;
  data?: T;
  error?: { message: string; data: { code: string; appCode?: string } };
};

/** A shopper: a cookie jar (H5) or a Bearer token (mini-program) speaking tRPC's plain-JSON wire format. */
export class Shopper {
  cookie: string | undefined;
  bearer: string | undefined;
  constructor(readonly base: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(this.cookie ? { cookie: `${SESSION_COOKIE}=${this.cookie}` } : {}),
      ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}),
      ...extra,
    };
  }

  private async unwrap<T>(res: Response): Promise<TrpcReply<T>> {
    const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (set) this.cookie = set.slice(SESSION_COOKIE.length + 1).split(";")[0];
    const body = (await res.json()) as { result?: { data: T }; error?: TrpcReply<T>["error"] };
    return {
      status: res.status,
      ...(body.result ? { data: body.result.data } : {}),
      ...(body.error ? { error: body.error } : {}),
    };
  }

  async query<T = unknown>(path: string, input?: unknown): Promise<TrpcReply<T>> {
    const qs = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return this.unwrap<T>(await fetch(`${this.base}/api/trpc/${path}${qs}`, { headers: this.headers() }));
  }

  async mutate<T = unknown>(
    path: string,
    input: unknown,
    extra: Record<string, string> = {},
  ): Promise<TrpcReply<T>> {
    return this.unwrap<T>(
      await fetch(`${this.base}/api/trpc/${path}`, {
        method: "POST",
        headers: this.headers({ "content-type": "application/json", ...extra }),
        body: JSON.stringify(input),
      }),
    );
  }

  /**
   * OAuth round trip: the shop's start route (nonce state + cookie), WeChat's authorize step played by the
   * simulator's code for this user, then the shop's callback. The session now carries the official-account openid.
   */
  async oauth(h: Harness, userId: string): Promise<void> {
    const start = await fetch(`${this.base}/api/wechat/oauth/start?returnTo=/`, {
      headers: this.headers(),
      redirect: "manual",
    });
    const authorize = new URL(start.headers.get("location") ?? "");
    const state = authorize.searchParams.get("state") ?? "";
    const oauthCookie = start.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${OAUTH_COOKIE}=`))
      ?.slice(OAUTH_COOKIE.length + 1)
      .split(";")[0];
    const { code } = await h.control.oauthCode({ appId: h.deps.config.officialAccount.appId, userId });
    const res = await fetch(
      `${this.base}/api/wechat/oauth/callback?code=${code}&state=${encodeURIComponent(state)}`,
      {
        headers: {
          ...this.headers(),
          cookie: [this.headers().cookie, `${OAUTH_COOKIE}=${oauthCookie}`].filter(Boolean).join("; "),
        },
        redirect: "manual",
      },
    );
    const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (!set) throw new Error(`OAuth callback answered ${res.status} without a session`);
    this.cookie = set.slice(SESSION_COOKIE.length + 1).split(";")[0];
  }

  /** wx.login in the simulator, then miniLogin: the Bearer token of this user's mini-program openid. */
  async miniLogin(h: Harness, userId: string): Promise<void> {
    const { code } = await h.control.loginCode({ appId: h.deps.config.miniProgram.appId, userId });
    const r = await this.mutate<{ token: string }>("miniLogin", { code });
    if (!r.data) throw new Error(`miniLogin failed: ${JSON.stringify(r.error)}`);
    this.bearer = r.data.token;
  }
}

export async function eventually<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await fn();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`condition not reached; last value ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await fn();
  }
  return last;
}

/** The signed fields of a successful payment notify for an attempt, as WeChat sends them. */
let txn = 4200000000000000000000000000n + BigInt(Math.floor(Math.random() * 1e9)) * 1000n;
export function newTransactionId(): string {
  txn += 1n;
  return txn.toString();
}
export function paidNotifyFields(
  h: Harness,
  a: { outTradeNo: string; amountFen: number; appid: string },
  over: Record<string, string | number> = {},
): Record<string, string | number> {
  return {
    return_code: "SUCCESS",
    result_code: "SUCCESS",
    appid: a.appid,
    mch_id: h.deps.config.mchId,
    nonce_str: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
    openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    is_subscribe: "N",
    trade_type: "MWEB",
    bank_type: "CMC",
    total_fee: a.amountFen,
    fee_type: "CNY",
    cash_fee: a.amountFen,
    transaction_id: newTransactionId(),
    out_trade_no: a.outTradeNo,
    time_end: "20261127113000",
    ...over,
  };
}

/** POSTs a notify body to the shop's pay notify route; returns the reply text. */
export async function deliverPayNotify(h: Harness, body: string): Promise<string> {
  const res = await fetch(`${h.url}/api/wechat/pay/notify`, {
    method: "POST",
    headers: { "content-type": "text/xml" },
    body,
  });
  return res.text();
}
