// The Bearer token kept in wx storage, so reopening the mini-program does not log in again.
import type { TokenStore, TStoredToken } from "./session";
import type { WxLike } from "./wx-types";

const KEY = "wxpay_session";

export function wxStorageTokenStore(wx: WxLike): TokenStore {
  return {
    load() {
      try {
        const v = wx.getStorageSync?.(KEY);
        if (typeof v === "object" && v !== null && "token" in v && "expiresAt" in v) {
          const t = v as TStoredToken;
          if (typeof t.token === "string" && typeof t.expiresAt === "string")
            return { token: t.token, expiresAt: t.expiresAt };
        }
      } catch {
        // Storage unavailable: log in again.
      }
      return undefined;
    },
    save(t) {
      try {
        wx.setStorageSync?.(KEY, t);
      } catch {
        // Full or unavailable storage only costs a login next time.
      }
    },
    clear() {
      try {
        wx.removeStorageSync?.(KEY);
      } catch {
        // as above
      }
    },
  };
}
