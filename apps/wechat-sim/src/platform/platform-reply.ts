// WeChat's platform APIs answer JSON, HTTP 200 even for errors, with errcode/errmsg; error messages end with
// a request id (" rid: …"), as the real servers' do.
import { randomBytes } from "node:crypto";

export type PlatformReply = { status: number; body: Record<string, unknown> };

export function ok(body: Record<string, unknown>): PlatformReply {
  return { status: 200, body };
}

export function err(errcode: number, errmsg: string): PlatformReply {
  const rid = `${randomBytes(4).toString("hex")}-${randomBytes(4).toString("hex")}-${randomBytes(4).toString("hex")}`;
  return { status: 200, body: { errcode, errmsg: `${errmsg} rid: ${rid}` } };
}

/** The errcodes this simulator answers with, and their errmsg. */
export const ERR = {
  systemBusy: () => err(-1, "system error"),
  invalidCredential: () => err(40001, "invalid credential, access_token is invalid or not latest"),
  invalidGrantType: () => err(40002, "invalid grant_type"),
  invalidAppid: () => err(40013, "invalid appid"),
  invalidAccessToken: () => err(40014, "invalid access_token"),
  invalidCode: () => err(40029, "invalid code"),
  invalidArgs: () => err(40097, "invalid args"),
  invalidAppsecret: () => err(40125, "invalid appsecret"),
  codeBeenUsed: () => err(40163, "code been used"),
  accessTokenMissing: () => err(41001, "access_token missing"),
  appidMissing: () => err(41002, "appid missing"),
  appsecretMissing: () => err(41004, "appsecret missing"),
  codeMissing: () => err(41008, "missing code"),
  accessTokenExpired: () => err(42001, "access_token expired"),
  requirePost: () => err(43002, "require POST method"),
  dailyQuota: () => err(45009, "reach max api daily quota limit"),
  minuteQuota: () => err(45011, "api minute-quota reach limit  mustslower  retry next minute"),
  dataFormat: () => err(47001, "data format error"),
  unauthorized: () => err(48001, "api unauthorized"),
} as const;
