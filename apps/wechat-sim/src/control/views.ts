// JSON shapes of the simulator's records for the control API (times as ISO strings, simulated clock).
import type { SimContext } from "../context";
import {
  openidFor,
  type App,
  type Merchant,
  type NotifyJob,
  type Order,
  type Refund,
  type SigningMode,
  type User,
} from "../state";
import { wechatKeys } from "../v3/keys";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export type TUserView = {
  userId: string;
  nickname: string;
  unionid: string;
  openids: Record<string, string>;
};
export type TOrderView = {
  mchId: string;
  appId: string;
  outTradeNo: string;
  transactionId?: string;
  tradeType: string;
  apiVersion: "v2" | "v3";
  signType: string;
  totalFee: number;
  body: string;
  attach?: string;
  notifyUrl: string;
  openid?: string;
  payerOpenid?: string;
  tradeState: string;
  createdAt: string;
  expiresAt: string;
  paidAt?: string;
  closedAt?: string;
  prepayIds: string[];
};
export type TRefundView = Omit<Refund, "createdAt" | "successAt" | "settlesTo"> & {
  createdAt: string;
  successAt?: string;
};
export type TNotifyAttemptView = {
  n: number;
  extra?: string;
  scheduledAt: string;
  startedAt: string;
  finishedAt?: string;
  realDurationMs?: number;
  httpStatus?: number;
  outcome?: string;
  reply?: string;
  error?: string;
  body: string;
  /** v3: the Wechatpay-* headers of this delivery. */
  headers?: Record<string, string>;
  /** v3: the delivery carried a WECHATPAY/SIGNTEST/ probe signature. */
  probe?: boolean;
};
export type TNotifyJobView = {
  id: number;
  kind: "pay" | "refund";
  apiVersion: "v2" | "v3";
  eventType?: string;
  mchId: string;
  outTradeNo: string;
  outRefundNo?: string;
  url: string;
  status: string;
  createdAt: string;
  nextAttemptAt?: string;
  attempts: TNotifyAttemptView[];
};

export function userView(ctx: SimContext, u: User): TUserView {
  const openids: Record<string, string> = {};
  for (const app of ctx.state.apps.values()) openids[app.appId] = openidFor(app.appId, u.userId);
  return { userId: u.userId, nickname: u.nickname, unionid: u.unionid, openids };
}

export function orderView(o: Order): TOrderView {
  return {
    mchId: o.mchId,
    appId: o.appId,
    outTradeNo: o.outTradeNo,
    transactionId: o.transactionId,
    tradeType: o.tradeType,
    apiVersion: o.apiVersion,
    signType: o.signType,
    totalFee: o.totalFee,
    body: o.body,
    attach: o.attach,
    notifyUrl: o.notifyUrl,
    openid: o.openid,
    payerOpenid: o.payerOpenid,
    tradeState: o.tradeState,
    createdAt: iso(o.createdAt) ?? "",
    expiresAt: iso(o.expiresAt) ?? "",
    paidAt: iso(o.paidAt),
    closedAt: iso(o.closedAt),
    prepayIds: [...o.prepayIds],
  };
}

export function refundView(r: Refund): TRefundView {
  const { settlesTo: _settlesTo, createdAt, successAt, ...rest } = r;
  return { ...rest, createdAt: iso(createdAt) ?? "", successAt: iso(successAt) };
}

export function notifyJobView(j: NotifyJob): TNotifyJobView {
  return {
    id: j.id,
    kind: j.kind,
    apiVersion: j.apiVersion,
    eventType: j.eventType,
    mchId: j.mchId,
    outTradeNo: j.outTradeNo,
    outRefundNo: j.outRefundNo,
    url: j.url,
    status: j.status,
    createdAt: iso(j.createdAt) ?? "",
    nextAttemptAt: iso(j.nextAttemptAt),
    attempts: j.attempts.map((a) => ({
      n: a.n,
      extra: a.extra,
      scheduledAt: iso(a.scheduledAt) ?? "",
      startedAt: iso(a.startedAt) ?? "",
      finishedAt: iso(a.finishedAt),
      realDurationMs: a.realDurationMs,
      httpStatus: a.httpStatus,
      outcome: a.outcome,
      reply: a.reply,
      error: a.error,
      body: a.body,
      headers: a.headers,
      probe: a.probe,
    })),
  };
}

export function merchantView(m: Merchant) {
  const { v3: _v3, ...rest } = m;
  return {
    ...rest,
    previousKeys: [...m.previousKeys],
    appIds: [...m.appIds],
    h5Domains: [...m.h5Domains],
    apiV3Key: m.v3.apiV3Key,
    mchSerial: m.v3.mchSerial,
    signingMode: m.v3.signingMode,
  };
}

/** How WeChat signs for a merchant (API v3), and the ids a merchant's verifier must know. */
export type TSigningView = {
  mchId: string;
  mode: SigningMode;
  publicKeyShare: number;
  signProbeRate: number;
  probeNotifies: number;
  probeResponses: number;
  mchSerial: string;
  publicKeyId: string;
  platformSerial: string;
};

export function signingView(m: Merchant): TSigningView {
  const keys = wechatKeys();
  return {
    mchId: m.mchId,
    mode: m.v3.signingMode,
    publicKeyShare: m.v3.publicKeyShare,
    signProbeRate: m.v3.signProbeRate,
    probeNotifies: m.v3.probeNotifies,
    probeResponses: m.v3.probeResponses,
    mchSerial: m.v3.mchSerial,
    publicKeyId: keys.publicKeyId,
    platformSerial: keys.platformSerial,
  };
}

export function appView(a: App) {
  return { ...a, webDomains: [...a.webDomains] };
}
