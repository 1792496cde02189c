// The mini-program's configuration, written into the bundle by the build from miniprogram.config.json
// (see scripts/build.ts). Nothing else in the sources names a host.

export type TMiniConfig = {
  /** The web app's origin; the tRPC endpoint is `<apiBaseUrl>/api/trpc`. Must be a 服务器域名 in production. */
  apiBaseUrl: string;
  /**
   * Development only: take wx.login codes and pay through the local WeChat simulator instead of WeChat, which
   * knows nothing of the simulator's sandbox merchant. null in a release build.
   */
  simulator: { url: string; appId: string; userId: string } | null;
};

declare const __MINIPROGRAM_CONFIG__: TMiniConfig | undefined;

export const config: TMiniConfig =
  typeof __MINIPROGRAM_CONFIG__ !== "undefined" && __MINIPROGRAM_CONFIG__
    ? __MINIPROGRAM_CONFIG__
    : { apiBaseUrl: "http://localhost:3000", simulator: null };
