// The build's configuration: miniprogram.config.json, overridden by MINI_* environment variables (CI, a phone
// on the LAN). The one place the mini-program's hosts and appid come from.
import fs from "node:fs";
import path from "node:path";

import type { TMiniConfig } from "../src/shared/config";

export type TBuildConfig = TMiniConfig & {
  /** Written to project.config.json. `touristappid` is WeChat DevTools' appid for trying a project without one. */
  appid: string;
};

export const CONFIG_FILE = path.resolve(import.meta.dirname, "../miniprogram.config.json");

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

export type TBuildMode = {
  /**
   * A build for upload to WeChat: the simulator (which answers wx.login and wx.requestPayment with fakes) must be
   * off, the appid real, and the API origin https (WeChat only lets a released mini-program request https hosts).
   */
  release?: boolean;
};

export function validateConfig(raw: unknown, mode: TBuildMode = {}): TBuildConfig {
  if (typeof raw !== "object" || raw === null) throw new Error("config: expected an object");
  const c = raw as Record<string, unknown>;
  const problems: string[] = [];
  const appid = typeof c.appid === "string" ? c.appid : "";
  // WeChat: an appid is "wx" + 16 hex digits.
  if (!/^(wx[0-9a-f]{16}|touristappid)$/.test(appid))
    problems.push("appid: wx + 16 hex digits, or touristappid");
  const apiBaseUrl = typeof c.apiBaseUrl === "string" ? c.apiBaseUrl.replace(/\/+$/, "") : "";
  if (!isHttpUrl(apiBaseUrl)) problems.push("apiBaseUrl: an http(s) origin");
  let simulator: TMiniConfig["simulator"] = null;
  if (c.simulator !== null && c.simulator !== undefined) {
    const s = c.simulator as Record<string, unknown>;
    const url = typeof s.url === "string" ? s.url.replace(/\/+$/, "") : "";
    const appId = typeof s.appId === "string" ? s.appId : "";
    const userId = typeof s.userId === "string" ? s.userId : "";
    if (!isHttpUrl(url)) problems.push("simulator.url: an http(s) origin");
    if (!/^wx[0-9a-f]{16}$/.test(appId))
      problems.push("simulator.appId: the mini-program appid the simulator knows");
    if (!userId) problems.push("simulator.userId: a simulator test user");
    simulator = { url, appId, userId };
  }
  if (mode.release) {
    if (simulator)
      problems.push("simulator: a release build must not use the simulator (MINI_SIMULATOR_URL=)");
    if (appid === "touristappid") problems.push("appid: a release build needs the mini-program's real AppID");
    if (!apiBaseUrl.startsWith("https://"))
      problems.push("apiBaseUrl: a release build needs an https:// origin");
  }
  if (problems.length) throw new Error(`Invalid mini-program configuration:\n  ${problems.join("\n  ")}`);
  return { appid, apiBaseUrl, simulator };
}

/** miniprogram.config.json with MINI_APPID, MINI_API_BASE_URL and MINI_SIMULATOR_URL ("" = none) applied. */
export function loadConfig(
  file = CONFIG_FILE,
  env: Record<string, string | undefined> = process.env,
  mode: TBuildMode = {},
): TBuildConfig {
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  if (env.MINI_APPID) raw.appid = env.MINI_APPID;
  if (env.MINI_API_BASE_URL) raw.apiBaseUrl = env.MINI_API_BASE_URL;
  if (env.MINI_SIMULATOR_URL !== undefined) {
    raw.simulator = env.MINI_SIMULATOR_URL
      ? { ...(raw.simulator as Record<string, unknown> | null), url: env.MINI_SIMULATOR_URL }
      : null;
  }
  return validateConfig(raw, mode);
}
