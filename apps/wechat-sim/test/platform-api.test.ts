// Platform APIs over HTTP with the @wxpay/wechatpay platform client: token overlap and invalidation, the daily
// quota, stable_token, jsapi_ticket, and single-use 5-minute codes, with WeChat's errcodes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { WechatPlatformError } from "@wxpay/wechatpay";

import type { Simulator } from "../src/server";
import { openidOf, platformClient, SANDBOX, startTestSim } from "./helpers";

let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSim({ timeScale: 0, dailyTokenQuota: 5 });
});
afterAll(() => sim.close());
beforeEach(() => sim.state.reset());

const MIN = 60 * 1000;
const official = { appId: SANDBOX.officialAppId, secret: SANDBOX.officialSecret };
const mini = { appId: SANDBOX.miniAppId, secret: SANDBOX.miniSecret };

async function errcodeOf(p: Promise<unknown>): Promise<number> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof WechatPlatformError))
    throw new Error(`expected a WechatPlatformError, got ${String(e)}`);
  return e.errcode;
}

async function getJson(path: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${sim.url}${path}`)).json()) as Record<string, unknown>;
}

describe("cgi-bin/token", () => {
  it("issues a 7200 s token; a new one leaves the old valid for 5 minutes, then 40001", async () => {
    const client = platformClient(sim);
    const first = await client.getAccessToken(official);
    expect(first.expiresIn).toBe(7200);
    const second = await client.getAccessToken(official);
    expect(second.accessToken).not.toBe(first.accessToken);
    // During the overlap both work.
    await client.getJsapiTicket({ accessToken: first.accessToken });
    sim.clock.advance(5 * MIN - 1);
    await client.getJsapiTicket({ accessToken: first.accessToken });
    sim.clock.advance(1);
    expect(await errcodeOf(client.getJsapiTicket({ accessToken: first.accessToken }))).toBe(40001);
    await client.getJsapiTicket({ accessToken: second.accessToken });
  });

  it("an expired token answers 42001, an unknown one 40001, a missing one 41001", async () => {
    const client = platformClient(sim);
    const t = await client.getAccessToken(official);
    sim.clock.advance(7200 * 1000);
    expect(await errcodeOf(client.getJsapiTicket({ accessToken: t.accessToken }))).toBe(42001);
    expect(await errcodeOf(client.getJsapiTicket({ accessToken: "not-a-token" }))).toBe(40001);
    expect((await getJson("/cgi-bin/ticket/getticket?type=jsapi")).errcode).toBe(41001);
  });

  it("answers 40013 for an unknown appid, 40125 for a wrong secret, 40002 for a wrong grant_type, 41002/41004 for missing ones", async () => {
    const client = platformClient(sim);
    expect(await errcodeOf(client.getAccessToken({ appId: "wx0000000000000000", secret: "x" }))).toBe(40013);
    const bad = await client.getAccessToken({ ...official, secret: "wrong" }).catch((e: unknown) => e);
    expect((bad as WechatPlatformError).errcode).toBe(40125);
    expect((bad as WechatPlatformError).kind).toBe("BAD_SECRET");
    expect((bad as WechatPlatformError).errmsg).toMatch(/^invalid appsecret rid: /);
    expect(
      (await getJson(`/cgi-bin/token?grant_type=password&appid=${official.appId}&secret=x`)).errcode,
    ).toBe(40002);
    expect((await getJson("/cgi-bin/token?grant_type=client_credential")).errcode).toBe(41002);
    expect(
      (await getJson(`/cgi-bin/token?grant_type=client_credential&appid=${official.appId}`)).errcode,
    ).toBe(41004);
  });

  it("a client that does not cache tokens reaches the daily quota: 45009 until the next Beijing day", async () => {
    const client = platformClient(sim);
    for (let i = 0; i < 5; i++) await client.getAccessToken(official);
    const e = await client.getAccessToken(official).catch((err: unknown) => err);
    expect((e as WechatPlatformError).errcode).toBe(45009);
    expect((e as WechatPlatformError).kind).toBe("QUOTA");
    // Quotas are per appid.
    await client.getAccessToken(mini);
    sim.clock.advance(24 * 60 * MIN);
    await client.getAccessToken(official);
  });
});

describe("cgi-bin/stable_token", () => {
  it("returns the same token while it has more than 5 minutes left, isolated from cgi-bin/token", async () => {
    const client = platformClient(sim);
    const a = await client.getStableAccessToken(official);
    sim.clock.advance(60 * MIN);
    const b = await client.getStableAccessToken(official);
    expect(b.accessToken).toBe(a.accessToken);
    expect(b.expiresIn).toBe(7200 - 3600);
    await client.getAccessToken(official); // a plain token does not disturb the stable one
    await client.getJsapiTicket({ accessToken: a.accessToken });
    sim.clock.advance(56 * MIN);
    const c = await client.getStableAccessToken(official);
    expect(c.accessToken).not.toBe(a.accessToken);
  });

  it("force_refresh issues a new token at most every 30 s (45011), and wants POST JSON", async () => {
    const client = platformClient(sim);
    const a = await client.getStableAccessToken(official);
    const b = await client.getStableAccessToken({ ...official, forceRefresh: true });
    expect(b.accessToken).not.toBe(a.accessToken);
    expect(await errcodeOf(client.getStableAccessToken({ ...official, forceRefresh: true }))).toBe(45011);
    sim.clock.advance(30_000);
    await client.getStableAccessToken({ ...official, forceRefresh: true });
    expect((await getJson("/cgi-bin/stable_token")).errcode).toBe(43002);
    const notJson = await fetch(`${sim.url}/cgi-bin/stable_token`, {
      method: "POST",
      body: "grant_type=client_credential",
    });
    expect(((await notJson.json()) as { errcode: number }).errcode).toBe(47001);
  });
});

describe("cgi-bin/ticket/getticket", () => {
  it("gives an official account a jsapi ticket; a mini-program token is refused with 48001; bad type 40097", async () => {
    const client = platformClient(sim);
    const t = await client.getAccessToken(official);
    const ticket = await client.getJsapiTicket({ accessToken: t.accessToken });
    expect(ticket.ticket).toMatch(/^[\w-]{86}$/);
    expect(ticket.expiresIn).toBe(7200);
    const m = await client.getAccessToken(mini);
    expect(await errcodeOf(client.getJsapiTicket({ accessToken: m.accessToken }))).toBe(48001);
    expect((await getJson(`/cgi-bin/ticket/getticket?access_token=${t.accessToken}&type=x`)).errcode).toBe(
      40097,
    );
  });
});

describe("sns/oauth2/access_token", () => {
  it("exchanges a code for the openid under that appid; the code is single-use (40163) and lives 5 minutes (40029)", async () => {
    const client = platformClient(sim);
    const issue = async (scope = "snsapi_base") =>
      (
        (await (
          await fetch(`${sim.url}/__sim/oauth-code`, {
            method: "POST",
            body: JSON.stringify({ appId: official.appId, userId: "alice", scope }),
          })
        ).json()) as { code: string }
      ).code;
    const code = await issue();
    const tok = await client.oauthAccessToken({ ...official, code });
    expect(tok.openid).toBe(openidOf("alice"));
    expect(tok.scope).toBe("snsapi_base");
    expect(tok.unionid).toBeUndefined();
    const reused = await client.oauthAccessToken({ ...official, code }).catch((e: unknown) => e);
    expect((reused as WechatPlatformError).errcode).toBe(40163);
    expect((reused as WechatPlatformError).kind).toBe("CODE_INVALID");
    const late = await issue();
    sim.clock.advance(5 * MIN);
    expect(await errcodeOf(client.oauthAccessToken({ ...official, code: late }))).toBe(40029);
    expect(await errcodeOf(client.oauthAccessToken({ ...official, code: "nonsense" }))).toBe(40029);
    const info = await client.oauthAccessToken({ ...official, code: await issue("snsapi_userinfo") });
    expect(info.unionid).toMatch(/^u/);
  });

  it("a code of one appid is invalid for another (40029)", async () => {
    await fetch(`${sim.url}/__sim/apps`, {
      method: "POST",
      body: JSON.stringify({ appId: "wxbbbbbbbbbbbbbbbb", secret: "other", kind: "official" }),
    });
    const { code } = (await (
      await fetch(`${sim.url}/__sim/oauth-code`, {
        method: "POST",
        body: JSON.stringify({ appId: official.appId, userId: "bob" }),
      })
    ).json()) as { code: string };
    expect(
      await errcodeOf(
        platformClient(sim).oauthAccessToken({ appId: "wxbbbbbbbbbbbbbbbb", secret: "other", code }),
      ),
    ).toBe(40029);
  });
});

describe("sns/jscode2session", () => {
  it("exchanges a wx.login code for the mini-program openid and a session_key, once", async () => {
    const client = platformClient(sim);
    const { code } = (await (
      await fetch(`${sim.url}/__sim/login-code`, {
        method: "POST",
        body: JSON.stringify({ appId: mini.appId, userId: "bob" }),
      })
    ).json()) as { code: string };
    const s = await client.jscode2session({ ...mini, code });
    expect(s.openid).toBe(openidOf("bob", mini.appId));
    expect(s.openid).not.toBe(openidOf("bob"));
    expect(Buffer.from(s.sessionKey, "base64")).toHaveLength(16);
    expect(await errcodeOf(client.jscode2session({ ...mini, code }))).toBe(40163);
    expect(await errcodeOf(client.jscode2session({ ...mini, code: "nope" }))).toBe(40029);
    expect(await errcodeOf(client.jscode2session({ ...official, code: "nope" }))).toBe(40013);
  });

  it("answers 40066 for a wrongly cased path", async () => {
    expect((await getJson(`/sns/jsCode2Session?appid=${mini.appId}`)).errcode).toBe(40066);
  });
});
