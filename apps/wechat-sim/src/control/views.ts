// JSON shapes of the simulator's records for the control API (times as ISO strings, simulated clock).
import type { SimContext } from "../context";
import {
  openidFor,
  type App,
  type Merchant,
  type NotifyJob,
  type Order,
  type Refund,
  type User,
} from "../state";

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
};
export type TNotifyJobView = {
  id: number;
  kind: "pay" | "refund";
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
    })),
  };
}

export function merchantView(m: Merchant) {
  return { ...m, previousKeys: [...m.previousKeys], appIds: [...m.appIds], h5Domains: [...m.h5Domains] };
}

export function appView(a: App) {
  return { ...a, webDomains: [...a.webDomains] };
}
