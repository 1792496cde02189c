// Everything the simulator knows, in memory. One instance per running simulator; `reset` puts it back to the
// sandbox defaults. Amounts are integer fen, times are simulated epoch milliseconds.
import { createHash } from "node:crypto";

import { DEFAULT_H5_DOMAINS, DEFAULT_USERS, DEFAULT_WEB_DOMAINS, SANDBOX } from "./defaults";
import { sandboxMerchantV3 } from "./v3/keys";

export type SignType = "MD5" | "HMAC-SHA256";
export type TradeType = "JSAPI" | "NATIVE" | "APP" | "MWEB";
export type TradeState = "NOTPAY" | "SUCCESS" | "REFUND" | "CLOSED" | "PAYERROR";
export type RefundStatus = "PROCESSING" | "SUCCESS" | "CHANGE" | "REFUNDCLOSE";
/** Which WeChat Pay API made an order or refund; its notify speaks the same version. */
export type ApiVersion = "v2" | "v3";
/**
 * How WeChat signs a merchant's v3 answers and notifies: `public-key` (a merchant registered today),
 * `certificate` (platform certificates), or `switching` (the grey switch-over: notifies carry either serial,
 * answers follow the request's Wechatpay-Serial).
 */
export type SigningMode = "public-key" | "certificate" | "switching";

export type MerchantV3 = {
  /** The APIv3 key: 32 bytes, AES-256-GCM key of notify resources and certificate downloads. */
  apiV3Key: string;
  /** Serial of the merchant API certificate (serial_no in Authorization). */
  mchSerial: string;
  /** The merchant API certificate (PEM); its public key verifies requests and paySign. */
  mchCertPem: string;
  signingMode: SigningMode;
  /** Switching mode: the share of notifies signed with the public key (0–1), spread evenly. */
  publicKeyShare: number;
  /** Chance (0–1) that a notify delivery carries a WECHATPAY/SIGNTEST/ probe signature. */
  signProbeRate: number;
  /** The next this many notify deliveries carry a probe signature (deterministic, for tests). */
  probeNotifies: number;
  /** The next this many signed answers carry a probe signature (deterministic, for tests). */
  probeResponses: number;
  /** Running share of the switching spread (internal). */
  publicKeyCarry: number;
};

export type Merchant = {
  mchId: string;
  name: string;
  /** The current v2 API key; responses and notifies are signed with it. */
  key: string;
  /** Keys still accepted on requests (rotation). */
  previousKeys: string[];
  appIds: string[];
  /** H5 authorised domains; a domain also admits its subdomains. "*" admits any host. */
  h5Domains: string[];
  /** Trade types this merchant has been granted; others answer NOAUTH. */
  tradeTypes: TradeType[];
  /** Refund notify URL configured in 商户平台, used when a refund request carries none. */
  refundNotifyUrl?: string;
  /** API v3 credentials and how WeChat signs for this merchant. */
  v3: MerchantV3;
};

export type App = {
  appId: string;
  secret: string;
  kind: "official" | "mini";
  name: string;
  /** 网页授权域名 / JS接口安全域名 for an official account. "*" admits any host. */
  webDomains: string[];
};

export type User = { userId: string; nickname: string; unionid: string; createdAt: number };

export type Prepay = {
  prepayId: string;
  mchId: string;
  outTradeNo: string;
  createdAt: number;
  expiresAt: number;
  /** MWEB only: the `package` value in mweb_url and when that URL stops working. */
  mwebPackage?: string;
  mwebExpiresAt?: number;
  /** NATIVE only: the code_url; a newer prepay of the same order replaces it. */
  codeUrl?: string;
};

export type Order = {
  mchId: string;
  appId: string;
  outTradeNo: string;
  transactionId?: string;
  tradeType: TradeType;
  apiVersion: ApiVersion;
  /** v2: the unifiedorder sign_type; v3: RSA (paySign is SHA256withRSA with the merchant key). */
  signType: SignType | "RSA";
  totalFee: number;
  body: string;
  attach?: string;
  deviceInfo?: string;
  notifyUrl: string;
  openid?: string;
  feeType: string;
  createdAt: number;
  /** End of the order's life: time_expire, or the simulator's default life when none was sent. */
  expiresAt: number;
  /** Every request field except nonce_str and sign: a re-entry must match it exactly. */
  identity: string;
  tradeState: TradeState;
  /** The openid that paid (JSAPI: the order's openid; MWEB/NATIVE: the chosen test user under this appid). */
  payerOpenid?: string;
  paidAt?: number;
  closedAt?: number;
  closedBy?: "closeorder" | "expiry";
  bankType?: string;
  prepayIds: string[];
};

export type Refund = {
  refundId: string;
  outRefundNo: string;
  mchId: string;
  appId: string;
  outTradeNo: string;
  transactionId: string;
  apiVersion: ApiVersion;
  totalFee: number;
  refundFee: number;
  refundDesc?: string;
  notifyUrl?: string;
  status: RefundStatus;
  createdAt: number;
  successAt?: number;
  /** The outcome the refund settles to (fault injection can make it CHANGE or REFUNDCLOSE). */
  settlesTo: RefundStatus;
};

export type AuthCode = {
  code: string;
  kind: "oauth" | "login";
  appId: string;
  userId: string;
  scope: string;
  createdAt: number;
  expiresAt: number;
  usedAt?: number;
};

export type Credential = {
  value: string;
  kind: "access_token" | "stable_token" | "jsapi_ticket" | "oauth_token";
  appId: string;
  issuedAt: number;
  expiresAt: number;
  /** Set when a newer credential replaced this one: it keeps working until this moment (WeChat's overlap). */
  supersededUntil?: number;
  userId?: string;
};

export type NotifyOutcome =
  "SUCCESS" | "FAIL_REPLY" | "NOT_XML" | "HTTP_STATUS" | "TIMEOUT" | "NETWORK_ERROR" | "DROPPED";

export type NotifyAttempt = {
  n: number;
  /** Simulated time the attempt was due by WeChat's schedule. */
  scheduledAt: number;
  startedAt: number;
  finishedAt?: number;
  realDurationMs?: number;
  httpStatus?: number;
  reply?: string;
  outcome?: NotifyOutcome;
  error?: string;
  /** Extra deliveries from fault injection: a duplicate copy or a forged body. They do not affect retries. */
  extra?: "duplicate" | "bad_signature" | "bad_amount";
  body: string;
  /** v3: the Wechatpay-* headers this delivery carried. */
  headers?: Record<string, string>;
  /** v3: this delivery carried a WECHATPAY/SIGNTEST/ probe signature. */
  probe?: boolean;
};

export type NotifyJob = {
  id: number;
  kind: "pay" | "refund";
  apiVersion: ApiVersion;
  /** v3: the event_type (TRANSACTION.SUCCESS, REFUND.SUCCESS, …). */
  eventType?: string;
  mchId: string;
  outTradeNo: string;
  outRefundNo?: string;
  url: string;
  body: string;
  status: "pending" | "delivered" | "gave_up" | "dropped";
  createdAt: number;
  attempts: NotifyAttempt[];
  nextAttemptAt?: number;
};

export type FaultRule = {
  /** Never deliver the notify (the merchant must poll orderquery). */
  drop?: boolean;
  /** Deliver this many extra copies of the first delivery, a second apart. */
  duplicate?: number;
  /** Hold the first delivery back by this many simulated milliseconds. */
  delayMs?: number;
  /** Hold notifies for a short window and deliver the held ones newest first. */
  reorder?: boolean;
  /** Before the genuine notify, deliver a copy signed with the wrong key. */
  badSignature?: boolean;
  /** Before the genuine notify, deliver a correctly signed copy whose total_fee is changed (by +1 fen, or to this value). */
  badAmount?: boolean | number;
  /** The client-side pay answer (`…:ok`) comes at once, but the order becomes SUCCESS only after this delay. */
  settleDelayMs?: number;
  /** How a refund accepted under this rule ends. */
  refundOutcome?: "SUCCESS" | "CHANGE" | "REFUNDCLOSE" | "ABNORMAL" | "CLOSED";
  /** The next N calls of these pay endpoints answer SYSTEMERROR (business level) without doing anything. */
  systemError?: { endpoints: string[]; times: number };
  /**
   * API v3: the next N calls of these endpoints (`v3/jsapi`, `v3/h5`, `v3/native`, `v3/query`, `v3/close`, `v3/refund`,
   * `v3/refundquery`, `v3/tradebill`, …; empty = any) answer this HTTP error body (e.g. 400 PARAM_ERROR, 401 SIGN_ERROR,
   * 403 NO_AUTH) after the caller's signature was checked, without doing anything.
   */
  v3Error?: {
    endpoints: string[];
    times: number;
    status: number;
    code: string;
    message?: string;
    /** Answer the status with a plain-text body instead of WeChat's JSON (what a gateway in front may send). */
    bare?: boolean;
  };
};

export type FaultScope = { mchId: string; outTradeNo?: string };
export type Fault = { id: number; scope: FaultScope; rule: FaultRule; createdAt: number };

/** A v3 bill waiting behind its download_url (WeChat: the URL works for 5 minutes). */
export type BillDownload = { token: string; mchId: string; file: Buffer; gzip: boolean; expiresAt: number };

/** A pay sheet the bridge has shown and not yet answered. */
export type PendingPay = { token: string; prepayId: string; expiresAt: number };

export type SimState = ReturnType<typeof createState>;

/** A stable per-app openid for a user: the same user has different openids under different appids. */
export function openidFor(appId: string, userId: string): string {
  const digest = createHash("sha256").update(`${appId}\0${userId}`).digest("base64url");
  return `o${digest.slice(0, 27)}`;
}

export function createState(opts: { now: () => number; signProbeRate?: number }) {
  const merchants = new Map<string, Merchant>();
  const apps = new Map<string, App>();
  const users = new Map<string, User>();
  const orders = new Map<string, Order>(); // key: mchId/outTradeNo
  const prepays = new Map<string, Prepay>();
  const refunds = new Map<string, Refund>(); // key: refundId
  const codes = new Map<string, AuthCode>();
  const credentials = new Map<string, Credential>();
  const quotaUse = new Map<string, number>(); // key: day/appId/api
  const forceRefreshLog = new Map<string, number[]>(); // stable_token force_refresh times per appid
  const pendingPays = new Map<string, PendingPay>();
  const billDownloads = new Map<string, BillDownload>();
  const notifyJobs: NotifyJob[] = [];
  let faults: Fault[] = [];
  let faultSeq = 0;
  let jobSeq = 0;

  function seed() {
    merchants.clear();
    apps.clear();
    users.clear();
    orders.clear();
    prepays.clear();
    refunds.clear();
    codes.clear();
    credentials.clear();
    quotaUse.clear();
    forceRefreshLog.clear();
    pendingPays.clear();
    billDownloads.clear();
    notifyJobs.length = 0;
    faults = [];
    apps.set(SANDBOX.officialAppId, {
      appId: SANDBOX.officialAppId,
      secret: SANDBOX.officialSecret,
      kind: "official",
      name: "wxpay-stack 服务号",
      webDomains: [...DEFAULT_WEB_DOMAINS],
    });
    apps.set(SANDBOX.miniAppId, {
      appId: SANDBOX.miniAppId,
      secret: SANDBOX.miniSecret,
      kind: "mini",
      name: "wxpay-stack 小程序",
      webDomains: [],
    });
    merchants.set(SANDBOX.mchId, {
      mchId: SANDBOX.mchId,
      name: SANDBOX.merchantName,
      key: SANDBOX.key,
      previousKeys: [],
      appIds: [SANDBOX.officialAppId, SANDBOX.miniAppId],
      h5Domains: [...DEFAULT_H5_DOMAINS],
      tradeTypes: ["JSAPI", "NATIVE", "APP", "MWEB"],
      v3: sandboxMerchantV3(opts.signProbeRate ?? 0),
    });
    for (const u of DEFAULT_USERS) addUser(u.userId, u.nickname);
  }

  function addUser(userId: string, nickname: string): User {
    const user: User = {
      userId,
      nickname,
      unionid: `u${createHash("sha256").update(`union\0${userId}`).digest("base64url").slice(0, 27)}`,
      createdAt: opts.now(),
    };
    users.set(userId, user);
    return user;
  }

  /** The user behind an openid of this appid, if any. */
  function userByOpenid(appId: string, openid: string): User | undefined {
    for (const user of users.values()) if (openidFor(appId, user.userId) === openid) return user;
    return undefined;
  }

  function findFault(mchId: string, outTradeNo?: string): FaultRule {
    const forOrder = outTradeNo
      ? faults.filter((f) => f.scope.mchId === mchId && f.scope.outTradeNo === outTradeNo)
      : [];
    const forMerchant = faults.filter((f) => f.scope.mchId === mchId && f.scope.outTradeNo === undefined);
    // An order's own rule wins over its merchant's, field by field.
    return Object.assign({}, ...forMerchant.map((f) => f.rule), ...forOrder.map((f) => f.rule)) as FaultRule;
  }

  seed();

  return {
    merchants,
    apps,
    users,
    orders,
    prepays,
    refunds,
    codes,
    credentials,
    quotaUse,
    forceRefreshLog,
    pendingPays,
    billDownloads,
    notifyJobs,
    get faults() {
      return faults;
    },
    reset: seed,
    addUser,
    userByOpenid,
    orderKey: (mchId: string, outTradeNo: string) => `${mchId}/${outTradeNo}`,
    addFault(scope: FaultScope, rule: FaultRule): Fault {
      const fault = { id: ++faultSeq, scope, rule, createdAt: opts.now() };
      faults.push(fault);
      return fault;
    },
    removeFaults(filter?: { id?: number; mchId?: string; outTradeNo?: string }) {
      const before = faults.length;
      faults = faults.filter((f) => {
        if (!filter) return false;
        if (filter.id !== undefined) return f.id !== filter.id;
        if (filter.mchId !== undefined && f.scope.mchId !== filter.mchId) return true;
        if (filter.outTradeNo !== undefined && f.scope.outTradeNo !== filter.outTradeNo) return true;
        return false;
      });
      return before - faults.length;
    },
    findFault,
    /** Consumes one SYSTEMERROR fault for this endpoint, order-level rules first. */
    takeSystemError(mchId: string, outTradeNo: string | undefined, endpoint: string): boolean {
      const candidates = [
        ...faults.filter((f) => f.scope.mchId === mchId && outTradeNo && f.scope.outTradeNo === outTradeNo),
        ...faults.filter((f) => f.scope.mchId === mchId && f.scope.outTradeNo === undefined),
      ];
      for (const f of candidates) {
        const se = f.rule.systemError;
        if (se && se.times > 0 && (se.endpoints.length === 0 || se.endpoints.includes(endpoint))) {
          se.times -= 1;
          return true;
        }
      }
      return false;
    },
    /** Consumes one v3 error fault for this endpoint, order-level rules first. */
    takeV3Error(
      mchId: string,
      outTradeNo: string | undefined,
      endpoint: string,
    ): { status: number; code: string; message: string; bare: boolean } | undefined {
      const candidates = [
        ...faults.filter((f) => f.scope.mchId === mchId && outTradeNo && f.scope.outTradeNo === outTradeNo),
        ...faults.filter((f) => f.scope.mchId === mchId && f.scope.outTradeNo === undefined),
      ];
      for (const f of candidates) {
        const e = f.rule.v3Error;
        if (e && e.times > 0 && (e.endpoints.length === 0 || e.endpoints.includes(endpoint))) {
          e.times -= 1;
          return { status: e.status, code: e.code, message: e.message ?? e.code, bare: e.bare === true };
        }
      }
      return undefined;
    },
    nextJobId: () => ++jobSeq,
  };
}
