// The mini-program's login: wx.login gives a one-time code, miniLogin trades it for a Bearer token. The token
// is kept (in wx storage when there is one) and traded again shortly before it expires or when the server
// answers LOGIN_REQUIRED. Concurrent callers share one login.

export type TStoredToken = { token: string; expiresAt: string };

export type TokenStore = {
  load(): TStoredToken | undefined;
  save(token: TStoredToken): void;
  clear(): void;
};

export type Session = {
  /** A token valid for at least the refresh margin, logging in first when needed. */
  token(): Promise<string>;
  /** Forgets `token` (or whatever token is held) so the next call logs in again. */
  invalidate(token?: string): void;
  /** How many times this session has traded a wx.login code (for diagnostics). */
  readonly logins: number;
};

export type SessionOptions = {
  /** wx.login: a one-time code (WeChat: valid 5 minutes, usable once). */
  login: () => Promise<string>;
  /** miniLogin: the code for a token. */
  exchange: (code: string) => Promise<TStoredToken>;
  store?: TokenStore;
  now?: () => number;
  /** Log in again this long before the token's expiry, so a call never leaves with a token about to lapse. */
  refreshMarginMs?: number;
};

export function memoryTokenStore(): TokenStore {
  let held: TStoredToken | undefined;
  return {
    load: () => held,
    save: (t) => {
      held = t;
    },
    clear: () => {
      held = undefined;
    },
  };
}

export function createSession(opts: SessionOptions): Session {
  const store = opts.store ?? memoryTokenStore();
  const now = opts.now ?? Date.now;
  const margin = opts.refreshMarginMs ?? 60_000;
  let current = store.load();
  let pending: Promise<string> | undefined;
  let logins = 0;

  const fresh = (t: TStoredToken | undefined): t is TStoredToken => {
    if (!t) return false;
    const expiresAt = Date.parse(t.expiresAt);
    return Number.isFinite(expiresAt) && expiresAt - margin > now();
  };

  const loginOnce = async (): Promise<string> => {
    const code = await opts.login();
    const t = await opts.exchange(code);
    logins += 1;
    current = t;
    store.save(t);
    return t.token;
  };

  return {
    token() {
      if (fresh(current)) return Promise.resolve(current.token);
      pending ??= loginOnce().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate(token) {
      if (token !== undefined && current?.token !== token) return;
      current = undefined;
      store.clear();
    },
    get logins() {
      return logins;
    },
  };
}
