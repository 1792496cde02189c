import { describe, expect, it } from "vitest";

import {
  openH5Session,
  openMiniToken,
  openOauthCookie,
  safeReturnPath,
  sealH5Session,
  shouldRenewH5Session,
  sealMiniToken,
  sealOauthCookie,
} from "./session-token";

const SECRET = "test-secret-0123456789-0123456789-abcdef";
const CID = "c_0123456789ABCDEFGHIJKL";

describe("session tokens", () => {
  it("round-trips an H5 session and rejects any tampering or another secret", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const token = sealH5Session(SECRET, { customerId: CID, openid: "oUser1" }, now).cookie;
    expect(openH5Session(SECRET, token, now)).toEqual({
      kind: "h5",
      customerId: CID,
      openid: "oUser1",
      issuedAt: now,
      expiresAt: new Date(now.getTime() + 30 * 24 * 3600 * 1000),
    });
    const [payload, sig] = token.split(".") as [string, string];
    const forged = Buffer.from(JSON.stringify({ cid: CID, oa: "oVictim" })).toString("base64url");
    expect(openH5Session(SECRET, `${forged}.${sig}`, now)).toBeUndefined();
    expect(
      openH5Session(SECRET, `${payload}.${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`, now),
    ).toBeUndefined();
    expect(openH5Session("another-secret-0123456789-0123456789", token, now)).toBeUndefined();
    expect(openH5Session(SECRET, "garbage", now)).toBeUndefined();
  });

  it("an H5 session carries issued-at and expiry: it lapses after 30 days unused and is renewed after a day", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const { cookie, session } = sealH5Session(SECRET, { customerId: CID }, now);
    expect(shouldRenewH5Session(session, new Date(now.getTime() + 3600_000))).toBe(false);
    expect(shouldRenewH5Session(session, new Date(now.getTime() + 25 * 3600_000))).toBe(true);
    expect(openH5Session(SECRET, cookie, new Date(now.getTime() + 29 * 24 * 3600_000))?.customerId).toBe(CID);
    expect(openH5Session(SECRET, cookie, new Date(now.getTime() + 30 * 24 * 3600_000))).toBeUndefined();
    // A cookie sealed without issued-at and expiry (as before they existed) is not a session.
    const [, sig] = cookie.split(".") as [string, string];
    const bare = Buffer.from(JSON.stringify({ cid: CID })).toString("base64url");
    expect(openH5Session(SECRET, `${bare}.${sig}`, now)).toBeUndefined();
  });

  it("an H5 cookie is not accepted as a mini-program token (purpose-bound)", () => {
    const token = sealH5Session(SECRET, { customerId: CID }, new Date()).cookie;
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
    // A browser drops the tab and lands on //evil.example.
    expect(safeReturnPath("/\t/evil.example")).toBe("/");
    expect(safeReturnPath("/orders/o_1?x=1")).toBe("/orders/o_1?x=1");
  });
});
