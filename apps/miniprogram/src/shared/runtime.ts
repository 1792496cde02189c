// The one Shop the pages share. In the mini-program it is built from the configuration and the global `wx`;
// tests point it elsewhere with configureShop before a page loads.
import { config } from "./config";
import type { Shop, ShopOptions } from "./shop";
import { createShop } from "./shop";
import { simulatorWx } from "./simulator-wx";
import { wxStorageTokenStore } from "./storage";
import type { WxLike } from "./wx-types";

// The mini-program's global; read when first needed, so tests can install theirs before that.
declare const wx: WxLike & {
  showActionSheet?(o: {
    itemList: string[];
    success?: (r: { tapIndex: number }) => void;
    fail?: () => void;
  }): void;
};

let current: Shop | undefined;

function platformWx(): WxLike {
  const sim = config.simulator;
  if (!sim) return wx;
  const choose = () =>
    new Promise<"ok" | "cancel" | "fail">((resolve) => {
      if (!wx.showActionSheet) return resolve("ok");
      wx.showActionSheet({
        itemList: ["支付（模拟器）", "失败（模拟器）"],
        success: (r) => resolve(r.tapIndex === 0 ? "ok" : "fail"),
        fail: () => resolve("cancel"),
      });
    });
  return simulatorWx(wx, { ...sim, choose });
}

/** Replaces the shared Shop (tests: a server on a free port and the simulator's wx shim). */
export function configureShop(opts: Partial<ShopOptions> = {}): Shop {
  const w = opts.wx ?? platformWx();
  current = createShop({ apiBaseUrl: config.apiBaseUrl, tokenStore: wxStorageTokenStore(w), ...opts, wx: w });
  return current;
}

export function getShop(): Shop {
  return current ?? configureShop();
}
