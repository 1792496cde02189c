// Identifiers in the shapes WeChat uses, so clients that store or validate them see realistic values.
import { randomBytes, randomInt } from "node:crypto";

import { formatBeijingTime } from "@wxpay/wechatpay";

function digits(n: number): string {
  let s = "";
  while (s.length < n) s += randomInt(0, 10).toString();
  return s;
}

function beijingDate(now: number): string {
  return formatBeijingTime(new Date(now)).slice(0, 8);
}

/** Like `wx201411101639507cbf6ffd8b0779950874`: "wx", Beijing time to the second, 20 hex chars. */
export function newPrepayId(now: number): string {
  return `wx${formatBeijingTime(new Date(now))}${randomBytes(10).toString("hex")}`;
}

/** 28 digits, like `4200000215201811190261405420`. */
export function newTransactionId(now: number): string {
  return `4200${digits(6)}${beijingDate(now)}${digits(10)}`;
}

/** 29 digits, like `50000408942018111907145868882`. */
export function newRefundId(now: number): string {
  return `5000${digits(7)}${beijingDate(now)}${digits(10)}`;
}

/** The `package` number in an mweb_url (`…&package=4211973378`). */
export function newMwebPackage(): string {
  return `${randomInt(1, 10)}${digits(9)}`;
}

export function newCode(): string {
  return randomBytes(24).toString("base64url").replace(/[-_]/g, "0").slice(0, 32);
}

export function newAccessToken(): string {
  return `${randomInt(70, 90)}_${randomBytes(96).toString("base64url")}`;
}

export function newTicket(): string {
  return randomBytes(64).toString("base64url").slice(0, 86);
}

export function newSessionKey(): string {
  return randomBytes(16).toString("base64");
}

export function newNonce(): string {
  return randomBytes(16).toString("hex");
}

/** Like `weixin://wxpay/bizpayurl?pr=NwY5Mz9`: seven characters naming the prepay session (NATIVE's code_url). */
export function newCodeUrl(prepayId: string): string {
  return `weixin://wxpay/bizpayurl?pr=${prepayId.slice(-7)}`;
}
