import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import type { TLogLevel } from "./log";
import { createLogger, withLogFields } from "./log";

/** A logger writing into memory, and its lines parsed. */
function capture(level: TLogLevel = "info") {
  let text = "";
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const log = createLogger({ level, destination });
  return {
    log,
    text: () => text,
    lines: () =>
      text
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const SECRETS = {
  mchKey: "192006250b4c09247ec02edce69f6a2d",
  appSecret: "5f1c3e6a9b2d4c7e8f0a1b2c3d4e5f60",
  accessToken: "ACCESS_TOKEN_8c1f0e6a5b4d3c2b1a0f9e8d7c6b5a4f",
  sessionKey: "tiihtNczf5v6AKRyjwEUhQ==",
  sessionCookie:
    "eyJjaWQiOiJjXzAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEiLCJpYXQiOjE3OTB9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU",
  bearer: "eyJjaWQiOiJjX2FiYyIsIm1vIjoib1VzZXIiLCJleHAiOjF9.bWFjbWFjbWFjbWFjbWFjbWFjbWFjbWFjbWFjbWFj",
  sign: "C380BEC2BFD727A4B6845133519F3AD6",
};
const OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

describe("the shop's logger", () => {
  it("a refund's log lines carry no key, signature, token or full openid", () => {
    const c = capture();
    c.log.error("refund request failed", {
      outRefundNo: "r_abc",
      orderId: "o_abc",
      amountFen: 1,
      openid: OPENID,
      request: `<xml><appid>wx</appid><sign>${SECRETS.sign}</sign><key>${SECRETS.mchKey}</key></xml>`,
      mchKey: SECRETS.mchKey,
      error: new Error(
        `POST https://api.mch.weixin.qq.com/secapi/pay/refund failed: sign=${SECRETS.sign}&key=${SECRETS.mchKey}`,
      ),
    });
    c.log.alert("refund could not reach the payer (CHANGE); resolve it on the merchant platform", {
      outRefundNo: "r_abc",
      payer: { openid: OPENID },
    });
    const text = c.text();
    for (const secret of [SECRETS.mchKey, SECRETS.sign, OPENID]) expect(text).not.toContain(secret);
    const [failed, alert] = c.lines();
    expect(failed).toMatchObject({
      level: "error",
      msg: "refund request failed",
      outRefundNo: "r_abc",
      amountFen: 1,
    });
    expect(failed?.openid).toBe("oUpF…eS6o");
    expect(alert).toMatchObject({ level: "alert", payer: { openid: "oUpF…eS6o" } });
  });

  it("a login's log lines carry no app secret, access token, session_key, cookie or Bearer token", () => {
    const c = capture();
    c.log.error("jscode2session failed", {
      error: `GET https://api.weixin.qq.com/sns/jscode2session?appid=wx2421b1c4370ec43b&secret=${SECRETS.appSecret}&js_code=0816abc&grant_type=authorization_code`,
      reply: `{"session_key":"${SECRETS.sessionKey}","openid":"${OPENID}"}`,
    });
    c.log.info("login", {
      headers: {
        cookie: `wxpay_session=${SECRETS.sessionCookie}`,
        authorization: `Bearer ${SECRETS.bearer}`,
      },
      sessionKey: SECRETS.sessionKey,
      accessToken: SECRETS.accessToken,
      customerId: "c_0123456789012345678901",
    });
    c.log.warn(`oauth callback for ${OPENID} with wxpay_session=${SECRETS.sessionCookie}`);
    const text = c.text();
    for (const secret of [
      SECRETS.appSecret,
      SECRETS.accessToken,
      SECRETS.sessionKey,
      SECRETS.sessionCookie,
      SECRETS.bearer,
      OPENID,
    ])
      expect(text).not.toContain(secret);
    // What an operator needs stays: who (the shop's own id), what and when.
    expect(c.lines()[1]).toMatchObject({
      level: "info",
      msg: "login",
      customerId: "c_0123456789012345678901",
    });
    expect(typeof c.lines()[1]?.time).toBe("string");
  });

  it("writes only lines at or above the configured level", () => {
    const c = capture("error");
    c.log.info("quiet");
    c.log.warn("quiet too");
    c.log.error("loud");
    c.log.alert("louder");
    expect(c.lines().map((l) => l.level)).toEqual(["error", "alert"]);
    const silent = capture("silent");
    silent.log.alert("nothing");
    expect(silent.text()).toBe("");
  });

  it("a request id set once appears on every line of that request", () => {
    const c = capture();
    const req = withLogFields(c.log, { reqId: "req-123" });
    req.info("one");
    req.warn("two", { orderId: "o_1" });
    expect(c.lines().map((l) => l.reqId)).toEqual(["req-123", "req-123"]);
  });
});
