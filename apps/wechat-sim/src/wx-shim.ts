// A mini-program `wx` object for Node tests, wired to the simulator: wx.login issues a real code for
// jscode2session, wx.request is backed by fetch, wx.requestPayment verifies the paySign like the WeChat client
// and pays or cancels in the simulator. errMsg strings are WeChat's.

export type TPaymentAction = "ok" | "cancel" | "fail";

type Callbacks<S, F = { errMsg: string }> = {
  success?: (res: S) => void;
  fail?: (res: F) => void;
  complete?: (res: S | F) => void;
};

export type TLoginResult = { errMsg: string; code: string };
export type TRequestOptions = Callbacks<TRequestResult> & {
  url: string;
  method?: "GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "OPTIONS";
  data?: unknown;
  header?: Record<string, string>;
  dataType?: "json" | "其他";
  timeout?: number;
};
export type TRequestResult = {
  errMsg: string;
  statusCode: number;
  data: unknown;
  header: Record<string, string>;
  cookies: string[];
};
export type TRequestPaymentOptions = Callbacks<{ errMsg: string }> & {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType?: "MD5" | "HMAC-SHA256" | "RSA";
  paySign: string;
};

export type TWx = {
  login(opts?: Callbacks<TLoginResult> & { timeout?: number }): Promise<TLoginResult>;
  request(opts: TRequestOptions): { abort(): void; done: Promise<TRequestResult> };
  requestPayment(opts: TRequestPaymentOptions): Promise<{ errMsg: string }>;
  /** Simulator controls: which user is logged in and how the next payments are answered. */
  sim: {
    setUser(userId: string): void;
    setPaymentAction(action: TPaymentAction): void;
    readonly userId: string | undefined;
  };
};

export type TCreateWxOptions = {
  /** The simulator's origin, e.g. http://127.0.0.1:3100. */
  simUrl: string;
  /** The mini-program's appid. */
  appId: string;
  /** The logged-in test user; default: the simulator's first test user. */
  userId?: string;
  /** How wx.requestPayment answers: pay ("ok", default), the user cancels, or the payment fails. */
  onRequestPayment?: TPaymentAction;
  fetch?: typeof fetch;
};

/**
 * Runs a callback-style API the way the mini-program runtime does: success or fail, then complete. The
 * returned promise settles with the same result (rejecting on fail only when no callback was given, as
 * WeChat's promise style does).
 */
function finish<S extends { errMsg: string }>(
  cbs: Callbacks<S, { errMsg: string }>,
  work: Promise<{ ok: true; res: S } | { ok: false; res: { errMsg: string } }>,
): Promise<S> {
  const hasCallbacks = Boolean(cbs.success || cbs.fail || cbs.complete);
  return work.then((outcome) => {
    if (outcome.ok) cbs.success?.(outcome.res);
    else cbs.fail?.(outcome.res);
    cbs.complete?.(outcome.res);
    if (outcome.ok) return outcome.res;
    if (hasCallbacks) return outcome.res as S;
    throw Object.assign(new Error(outcome.res.errMsg), outcome.res);
  });
}

export function createWx(options: TCreateWxOptions): TWx {
  const base = options.simUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  let userId = options.userId;
  let action: TPaymentAction = options.onRequestPayment ?? "ok";

  async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await doFetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Record<string, unknown>;
  }

  return {
    login(opts = {}) {
      return finish(
        opts,
        post("/__sim/wx/login", { appId: options.appId, userId }).then(
          (r) =>
            r.errMsg === "login:ok" && typeof r.code === "string"
              ? { ok: true as const, res: { errMsg: "login:ok", code: r.code } }
              : { ok: false as const, res: { errMsg: String(r.errMsg ?? "login:fail") } },
          (e: unknown) => ({
            ok: false as const,
            res: { errMsg: `login:fail ${e instanceof Error ? e.message : String(e)}` },
          }),
        ),
      );
    },

    request(opts) {
      const ac = new AbortController();
      const method = opts.method ?? "GET";
      const headers: Record<string, string> = { ...(opts.header ?? {}) };
      const hasContentType = Object.keys(headers).some((h) => h.toLowerCase() === "content-type");
      let url = opts.url;
      let body: string | undefined;
      if (method === "GET" || method === "HEAD") {
        // WeChat: for GET, data is turned into a query string.
        if (opts.data !== undefined && opts.data !== null) {
          const query =
            typeof opts.data === "string"
              ? opts.data
              : new URLSearchParams(
                  Object.entries(opts.data as Record<string, unknown>).map(([k, v]): [string, string] => [
                    k,
                    typeof v === "string" ? v : JSON.stringify(v),
                  ]),
                ).toString();
          if (query) url += (url.includes("?") ? "&" : "?") + query;
        }
      } else if (opts.data !== undefined) {
        if (!hasContentType) headers["content-type"] = "application/json";
        const ct = Object.entries(headers).find(([h]) => h.toLowerCase() === "content-type")?.[1] ?? "";
        if (typeof opts.data === "string") body = opts.data;
        else if (ct.includes("application/x-www-form-urlencoded")) {
          body = new URLSearchParams(Object.entries(opts.data as Record<string, string>)).toString();
        } else body = JSON.stringify(opts.data);
      }
      const timer = opts.timeout ? setTimeout(() => ac.abort(), opts.timeout) : undefined;
      const done = finish(
        opts,
        doFetch(url, { method, headers, body, signal: ac.signal }).then(
          async (res) => {
            const text = await res.text();
            let data: unknown = text;
            if ((opts.dataType ?? "json") === "json") {
              try {
                data = JSON.parse(text);
              } catch {
                data = text;
              }
            }
            const header: Record<string, string> = {};
            res.headers.forEach((v, k) => (header[k] = v));
            return {
              ok: true as const,
              res: {
                errMsg: "request:ok",
                statusCode: res.status,
                data,
                header,
                cookies: res.headers.getSetCookie(),
              },
            };
          },
          (e: unknown) => ({
            ok: false as const,
            res: {
              errMsg: ac.signal.aborted
                ? "request:fail abort"
                : `request:fail ${e instanceof Error ? e.message : String(e)}`,
            },
          }),
        ),
      ).finally(() => clearTimeout(timer));
      return { abort: () => ac.abort(), done };
    },

    requestPayment(opts) {
      return finish(
        opts,
        post("/__sim/wx/request-payment", {
          appId: options.appId,
          userId,
          action,
          timeStamp: opts.timeStamp,
          nonceStr: opts.nonceStr,
          package: opts.package,
          signType: opts.signType ?? "MD5",
          paySign: opts.paySign,
        }).then(
          (r) => {
            const errMsg = String(r.errMsg ?? "requestPayment:fail");
            return errMsg === "requestPayment:ok"
              ? { ok: true as const, res: { errMsg } }
              : { ok: false as const, res: { errMsg } };
          },
          (e: unknown) => ({
            ok: false as const,
            res: { errMsg: `requestPayment:fail ${e instanceof Error ? e.message : String(e)}` },
          }),
        ),
      );
    },

    sim: {
      setUser(id: string) {
        userId = id;
      },
      setPaymentAction(a: TPaymentAction) {
        action = a;
      },
      get userId() {
        return userId;
      },
    },
  };
}
