// The platform client against a local node:http server that answers like api.weixin.qq.com.
import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  WechatPayError,
  WechatPayTransportError,
  WechatPlatformError,
  createPlatformClient,
  platformErrorKind,
} from "../../src/index";
import type { PlatformClient } from "../../src/index";

const APP_ID = "wxd930ea5d5a258f4f";
const SECRET = "5f1c3e6a9b2d4c7e8f0a1b2c3d4e5f60";
const NOW = new Date("2026-03-01T02:00:00Z");

type TSeen = { method: string; path: string; query: URLSearchParams; body: string };
type TAnswer = { status?: number; json?: unknown; raw?: string; hang?: boolean };

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

describe("platform client against a local api.weixin.qq.com", () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: TSeen[] = [];
  let answer: (s: TSeen) => TAnswer = () => ({ json: {} });
  let client: PlatformClient;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://x");
        const s: TSeen = {
          method: req.method ?? "",
          path: url.pathname,
          query: url.searchParams,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        seen.push(s);
        const a = answer(s);
        if (a.hang) return;
        // WeChat often labels JSON as text/plain
        res.writeHead(a.status ?? 200, { "content-type": "text/plain" });
        res.end(a.raw ?? JSON.stringify(a.json));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    seen.length = 0;
    client = createPlatformClient({
      baseUrl: baseUrl + "/",
      openBaseUrl: "http://localhost:3100",
      now: () => NOW,
    });
  });

  it("cgi-bin/token: GET with client_credential; expires_in becomes an absolute expiry", async () => {
    answer = () => ({ json: { access_token: "ACCESS_TOKEN_1", expires_in: 7200 } });
    const t = await client.getAccessToken({ appId: APP_ID, secret: SECRET });
    expect(t).toEqual({
      accessToken: "ACCESS_TOKEN_1",
      expiresIn: 7200,
      expiresAt: new Date("2026-03-01T04:00:00Z"),
    });
    expect(seen[0]?.method).toBe("GET");
    expect(seen[0]?.path).toBe("/cgi-bin/token");
    expect(Object.fromEntries(seen[0]?.query ?? [])).toEqual({
      grant_type: "client_credential",
      appid: APP_ID,
      secret: SECRET,
    });
  });

  it("cgi-bin/stable_token: POST JSON with force_refresh", async () => {
    answer = () => ({ json: { access_token: "STABLE", expires_in: 6000 } });
    const t = await client.getStableAccessToken({ appId: APP_ID, secret: SECRET, forceRefresh: true });
    expect(t.accessToken).toBe("STABLE");
    expect(t.expiresAt.toISOString()).toBe("2026-03-01T03:40:00.000Z");
    expect(seen[0]?.method).toBe("POST");
    expect(seen[0]?.path).toBe("/cgi-bin/stable_token");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({
      grant_type: "client_credential",
      appid: APP_ID,
      secret: SECRET,
      force_refresh: true,
    });
  });

  it("ticket/getticket: errcode 0 is success and the jsapi ticket comes back with its expiry", async () => {
    answer = () => ({
      json: { errcode: 0, errmsg: "ok", ticket: "bxLdikRXVbTPdHSM05e5u5sUoXNKd8", expires_in: 7200 },
    });
    const t = await client.getJsapiTicket({ accessToken: "ACCESS_TOKEN_1" });
    expect(t.ticket).toBe("bxLdikRXVbTPdHSM05e5u5sUoXNKd8");
    expect(seen[0]?.path).toBe("/cgi-bin/ticket/getticket");
    expect(seen[0]?.query.get("type")).toBe("jsapi");
    expect(seen[0]?.query.get("access_token")).toBe("ACCESS_TOKEN_1");
  });

  it("sns/oauth2/access_token: the code is exchanged for the openid; snapshot users are flagged", async () => {
    answer = () => ({
      json: {
        access_token: "WEB_TOKEN",
        expires_in: 7200,
        refresh_token: "RT",
        openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        scope: "snsapi_base",
        is_snapshotuser: 1,
      },
    });
    const r = await client.oauthAccessToken({ appId: APP_ID, secret: SECRET, code: "CODE1" });
    expect(r).toMatchObject({
      openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
      accessToken: "WEB_TOKEN",
      refreshToken: "RT",
      scope: "snsapi_base",
      isSnapshotUser: true,
    });
    expect(r.unionid).toBeUndefined();
    expect(Object.fromEntries(seen[0]?.query ?? [])).toEqual({
      appid: APP_ID,
      secret: SECRET,
      code: "CODE1",
      grant_type: "authorization_code",
    });
  });

  it("sns/jscode2session: lower-case path, js_code, openid and session_key", async () => {
    answer = () => ({ json: { openid: "oMini", session_key: "SK==", unionid: "uU" } });
    expect(
      await client.jscode2session({ appId: "wx2421b1c4370ec43b", secret: SECRET, code: "JSCODE" }),
    ).toEqual({
      openid: "oMini",
      sessionKey: "SK==",
      unionid: "uU",
    });
    expect(seen[0]?.path).toBe("/sns/jscode2session");
    expect(seen[0]?.query.get("js_code")).toBe("JSCODE");
  });

  it.each([
    ["getJsapiTicket", 40001, "TOKEN_INVALID", false],
    ["getJsapiTicket", 42001, "TOKEN_INVALID", false],
    ["getJsapiTicket", 40014, "TOKEN_INVALID", false],
    ["getJsapiTicket", 45009, "QUOTA", false],
    ["oauthAccessToken", 40029, "CODE_INVALID", false],
    ["oauthAccessToken", 40163, "CODE_INVALID", false],
    ["jscode2session", 40029, "CODE_INVALID", false],
    ["jscode2session", 45011, "RATE_LIMITED", true],
    ["jscode2session", 40226, "USER_BLOCKED", false],
    ["getAccessToken", 40125, "BAD_SECRET", false],
    ["getAccessToken", 40001, "BAD_SECRET", false],
    ["getAccessToken", 40013, "BAD_APPID", false],
    ["getAccessToken", 40164, "IP_NOT_WHITELISTED", false],
    ["getStableAccessToken", -1, "SYSTEM_BUSY", true],
    ["getStableAccessToken", 99999, "UNKNOWN", false],
  ] as const)("%s errcode %i → WechatPlatformError kind %s", async (method, errcode, kind, retryable) => {
    answer = () => ({ json: { errcode, errmsg: `message for ${errcode}` } });
    const calls: Record<string, () => Promise<unknown>> = {
      getJsapiTicket: () => client.getJsapiTicket({ accessToken: "T" }),
      oauthAccessToken: () => client.oauthAccessToken({ appId: APP_ID, secret: SECRET, code: "C" }),
      jscode2session: () => client.jscode2session({ appId: APP_ID, secret: SECRET, code: "C" }),
      getAccessToken: () => client.getAccessToken({ appId: APP_ID, secret: SECRET }),
      getStableAccessToken: () => client.getStableAccessToken({ appId: APP_ID, secret: SECRET }),
    };
    const err = await rejection((calls[method] as () => Promise<unknown>)());
    expect(err).toBeInstanceOf(WechatPlatformError);
    expect(err).toMatchObject({ errcode, errmsg: `message for ${errcode}`, kind, code: kind, retryable });
  });

  it("errors never carry the secret or the token from the query string", async () => {
    answer = () => ({ status: 502, raw: "bad gateway" });
    const err = await rejection(client.getAccessToken({ appId: APP_ID, secret: SECRET }));
    expect(err).toBeInstanceOf(WechatPayTransportError);
    expect(err).toMatchObject({ code: "HTTP_STATUS", status: 502, retryable: true });
    const text = JSON.stringify({ m: (err as Error).message, d: (err as WechatPayError).details });
    expect(text).not.toContain(SECRET);
    expect(text).toContain("/cgi-bin/token");
  });

  it("a reply that is not JSON, lacks the token, or has a bad expires_in is a BAD_RESPONSE", async () => {
    for (const a of [
      { raw: "<html>" },
      { json: [1] },
      { json: { expires_in: 7200 } },
      { json: { access_token: "T", expires_in: "7200" } },
      { json: { access_token: "T", expires_in: -5 } },
    ]) {
      answer = () => a;
      expect(
        await rejection(client.getAccessToken({ appId: APP_ID, secret: SECRET })),
        JSON.stringify(a),
      ).toMatchObject({ code: "BAD_RESPONSE" });
    }
  });

  it("a hung request times out as a retryable TIMEOUT", async () => {
    answer = () => ({ hang: true });
    const slow = createPlatformClient({ baseUrl, timeoutMs: 150 });
    const started = Date.now();
    expect(await rejection(slow.getJsapiTicket({ accessToken: "T" }))).toMatchObject({
      code: "TIMEOUT",
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("the OAuth authorize URL keeps WeChat's parameter order and ends with #wechat_redirect", () => {
    const url = client.oauthAuthorizeUrl({
      appId: APP_ID,
      redirectUri: "https://shop.example.com/api/wechat/oauth/callback?next=/pay/wx/",
      scope: "snsapi_base",
      state: "abc123",
    });
    expect(url).toBe(
      "http://localhost:3100/connect/oauth2/authorize?appid=wxd930ea5d5a258f4f" +
        "&redirect_uri=https%3A%2F%2Fshop.example.com%2Fapi%2Fwechat%2Foauth%2Fcallback%3Fnext%3D%2Fpay%2Fwx%2F" +
        "&response_type=code&scope=snsapi_base&state=abc123#wechat_redirect",
    );
    expect(() =>
      client.oauthAuthorizeUrl({
        appId: APP_ID,
        redirectUri: "https://x",
        scope: "snsapi_base",
        state: "a-b",
      }),
    ).toThrow(WechatPayError);
    expect(() =>
      client.oauthAuthorizeUrl({ appId: APP_ID, redirectUri: "/relative", scope: "snsapi_base", state: "a" }),
    ).toThrow(WechatPayError);
    expect(() =>
      client.oauthAuthorizeUrl({
        appId: APP_ID,
        redirectUri: "https://x",
        scope: "snsapi_login" as "snsapi_base",
        state: "a",
      }),
    ).toThrow(WechatPayError);
  });

  it("the default OAuth host is open.weixin.qq.com", () => {
    const prod = createPlatformClient({ baseUrl: "https://api.weixin.qq.com" });
    expect(
      prod.oauthAuthorizeUrl({
        appId: APP_ID,
        redirectUri: "https://x/cb",
        scope: "snsapi_userinfo",
        state: "",
      }),
    ).toMatch(/^https:\/\/open\.weixin\.qq\.com\/connect\/oauth2\/authorize\?appid=/);
  });

  it("empty inputs are refused without a request; errcode kinds depend on the endpoint", async () => {
    expect(await rejection(client.jscode2session({ appId: APP_ID, secret: SECRET, code: "" }))).toMatchObject(
      { code: "BAD_INPUT" },
    );
    expect(seen).toHaveLength(0);
    expect(platformErrorKind("getticket", 40001)).toBe("TOKEN_INVALID");
    expect(platformErrorKind("token", 40001)).toBe("BAD_SECRET");
    expect(() => createPlatformClient({ baseUrl: "not a url" })).toThrow(WechatPayError);
  });
});
