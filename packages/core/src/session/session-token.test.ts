import { describe, expect, it } from "vitest";

import {
  openH5Session,
  openHandoff,
  openMiniToken,
  openOauthCookie,
  safeReturnPath,
  sealH5Session,
  sealHandoff,
  sealMiniToken,
  sealOauthCookie,
} from "./session-token";

const SECRET = "test-secret-0123456789-0123456789-abcdef";
const CID = "c_0123456789ABCDEFGHIJKL";

describe("session tokens", () => {
  it("round-trips an H5 session and rejects any tampering or another secret", () => {
    const token = sealH5Session(SECRET, { customerId: CID, openid: "oUser1" });
    expect(openH5Session(SECRET, token)).toEqual({ kind: "h5", customerId: CID, openid: "oUser1" });
    const [payload, sig] = token.split(".") as [string, string];
    const forged = Buffer.from(JSON.stringify({ cid: CID, oa: "oVictim" })).toString("base64url");
    expect(openH5Session(SECRET, `${forged}.${sig}`)).toBeUndefined();
    expect(openH5Session(SECRET, `${payload}.${sig.slice(0, -1)}A`)).toBeUndefined();
    expect(openH5Session("another-secret-0123456789-0123456789", token)).toBeUndefined();
    expect(openH5Session(SECRET, "garbage")).toBeUndefined();
  });

  it("an H5 cookie is not accepted as a mini-program token (purpose-bound)", () => {
    const token = sealH5Session(SECRET, { customerId: CID });
    expect(openMiniToken(SECRET, token, new Date())).toBeUndefined();
  });

  it("a mini-program token expires", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const token = sealMiniToken(SECRET, {
      customerId: CID,
      openid: "oMini",
      expiresAt: new Date(now.getTime() + 1000),
    });
    expect(openMiniToken(SECRET, token, now)?.openid).toBe("oMini");
    expect(openMiniToken(SECRET, token, new Date(now.getTime() + 1000))).toBeUndefined();
  });

  it("the OAuth cookie is signed, expires after 10 minutes, and only returns to same-origin paths", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const cookie = sealOauthCookie(SECRET, { nonce: "abc123", returnTo: "/orders/o_1" }, now);
    expect(openOauthCookie(SECRET, cookie, now)).toEqual({ nonce: "abc123", returnTo: "/orders/o_1" });
    expect(openOauthCookie(SECRET, cookie, new Date(now.getTime() + 11 * 60 * 1000))).toBeUndefined();
    expect(openOauthCookie(SECRET, `${cookie}x`, now)).toBeUndefined();
    expect(safeReturnPath("https://evil.example/")).toBe("/");
    expect(safeReturnPath("//evil.example/")).toBe("/");
    expect(safeReturnPath("/\\evil")).toBe("/");
    expect(safeReturnPath("/orders/o_1?x=1")).toBe("/orders/o_1?x=1");
  });

  it("a handoff link carries the customer for 10 minutes and cannot be altered", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const t = sealHandoff(SECRET, { customerId: CID, orderId: "o_1" }, now);
    expect(openHandoff(SECRET, t, now)).toEqual({ customerId: CID, orderId: "o_1" });
    expect(openHandoff(SECRET, t, new Date(now.getTime() + 10 * 60 * 1000))).toBeUndefined();
    expect(openHandoff(SECRET, `${t.slice(0, -1)}x`, now)).toBeUndefined();
    // Purpose-bound: a session cookie is not a handoff token.
    expect(openHandoff(SECRET, sealH5Session(SECRET, { customerId: CID }), now)).toBeUndefined();
  });
});
