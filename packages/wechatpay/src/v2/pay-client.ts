// WeChat Pay v2 API client (reference §0, §2, §9–§12): signed XML requests, replies checked in WeChat's
// order (return_code → signature → result_code → trade state), typed results and typed errors.
import { createSecureContext } from "node:tls";
import type { SecureContext } from "node:tls";
import { gunzipSync } from "node:zlib";

import { parseBill } from "./bill";
import type { TBill } from "./bill";
import { WechatPayError } from "../shared/errors";
import { nonceStr } from "./fields";
import { WechatPayApiError } from "./pay-client-errors";
import { joinUrl, requestViaFetch, requestViaMtls, statusError } from "../shared/http";
import type { TFetch, THttpResult } from "../shared/http";
import { badInput, checkedText, unifiedOrderFields } from "./pay-client-unified-order";
import type { TUnifiedOrderInput } from "./pay-client-unified-order";
import {
  ReplyReader,
  badResponse,
  parseReplyXml,
  parseSpacedBeijingTime,
  verifyReply,
} from "./pay-client-wire";
import type { TVerifyContext } from "./pay-client-wire";
import type { TPayApi } from "./remedies";
import { isSignType, sign, verifySign } from "./sign";
import type { SignType, WireFields } from "./sign";
import { buildXml } from "./xml";

export { WechatPayApiError } from "./pay-client-errors";
export type { TPayApiErrorInit } from "./pay-client-errors";
export type { TFetch } from "../shared/http";
export type { TTradeType, TUnifiedOrderInput, TWapSceneInfo } from "./pay-client-unified-order";

export type TMerchantCert = {
  /** PKCS#12 (apiclient_cert.p12). Old files use RC2-40, which OpenSSL 3 refuses: convert those to PEM. */
  pfx?: Uint8Array;
  /** The .p12 password; WeChat's default is the mch_id. */
  passphrase?: string;
  /** apiclient_cert.pem + apiclient_key.pem. */
  certPem?: string;
  keyPem?: string;
  /** Extra trusted CA (PEM) for the server certificate — a private simulator or test server only. */
  caPem?: string;
};

export type TPayClientConfig = {
  /** https://api.mch.weixin.qq.com in production; the simulator's origin in development. */
  baseUrl: string;
  mchId: string;
  /** The 32-character APIv2 key. */
  key: string;
  /** Pinned: requests are signed with it and replies must verify under it. WeChat's default is MD5. */
  signType: SignType;
  /** Default appid for calls that do not name one (orderquery, closeorder, refund, …). */
  appId?: string;
  fetch?: TFetch;
  /** Per-call timeout, default 10 s; each call can override it. */
  timeoutMs?: number;
  /** Keys still accepted when verifying replies during a key rotation. */
  previousKeys?: readonly string[];
  /** From this moment the previous keys are refused (a rotation has an end). */
  previousKeysUntil?: Date;
  /** Merchant API certificate for /secapi/* (refund). */
  cert?: TMerchantCert;
  /** Clock, for expiry computations (prepay_id 2 h, mweb_url 5 min). */
  now?: () => Date;
  /** Cap on an XML reply, default 256 KiB. */
  maxResponseBytes?: number;
  /** Cap on a bill download, default 64 MiB. */
  maxBillBytes?: number;
};

export type TCallOptions = { timeoutMs?: number };

/** The exact bytes to send: persist `body` before sending so a retry re-sends it unchanged. */
export type TPreparedUnifiedOrder = { body: string; fields: WireFields };

type TUnifiedOrderResultBase = {
  appId: string;
  mchId: string;
  outTradeNo: string;
  prepayId: string;
  /** WeChat: "prepay_id … 该值有效期为2小时". */
  prepayIdExpiresAt: Date;
  fields: WireFields;
};

export type TUnifiedOrderResult =
  | (TUnifiedOrderResultBase & { tradeType: "JSAPI" })
  /** WeChat: "mweb_url的有效期为5分钟". */
  | (TUnifiedOrderResultBase & { tradeType: "MWEB"; mwebUrl: string; mwebUrlExpiresAt: Date })
  | (TUnifiedOrderResultBase & { tradeType: "NATIVE"; codeUrl: string });

export type TOrderRef = { appId?: string } & (
  { outTradeNo: string; transactionId?: never } | { transactionId: string; outTradeNo?: never }
);

export type TTradeState = "SUCCESS" | "REFUND" | "NOTPAY" | "CLOSED" | "REVOKED" | "USERPAYING" | "PAYERROR";

type TOrderQueryBase = {
  appId: string;
  mchId: string;
  outTradeNo: string;
  tradeStateDesc?: string;
  attach?: string;
  openid?: string;
  tradeType?: string;
  bankType?: string;
  /** WeChat: fee_type defaults to CNY when absent. */
  feeType: string;
  cashFeeFen?: number;
  fields: WireFields;
};

export type TOrderQueryResult =
  | (TOrderQueryBase & {
      tradeState: "SUCCESS";
      /** Exact string: 28 digits do not survive a number. */
      transactionId: string;
      totalFeeFen: number;
      timeEnd: string;
      paidAt: Date;
    })
  | (TOrderQueryBase & {
      tradeState: Exclude<TTradeState, "SUCCESS">;
      transactionId?: string;
      totalFeeFen?: number;
      timeEnd?: string;
      paidAt?: Date;
    });

export type TCloseOrderResult = {
  outTradeNo: string;
  /** WeChat answered ORDERCLOSED: "无需继续调用". */ alreadyClosed: boolean;
};

export type TRefundInput = TOrderRef & {
  /** WeChat: "同一退款单号多次请求只退一笔" — the idempotency key; keep it when retrying. */
  outRefundNo: string;
  totalFeeFen: number;
  refundFeeFen: number;
  refundDesc?: string;
  notifyUrl?: string;
  refundAccount?: "REFUND_SOURCE_UNSETTLED_FUNDS" | "REFUND_SOURCE_RECHARGE_FUNDS";
};

/** WeChat: "申请退款接口的返回仅代表业务的受理情况" — accepted, not yet refunded. */
export type TRefundResult = {
  transactionId: string;
  outTradeNo: string;
  outRefundNo: string;
  refundId: string;
  refundFeeFen: number;
  totalFeeFen: number;
  cashFeeFen?: number;
  settlementRefundFeeFen?: number;
  fields: WireFields;
};

export type TRefundQueryInput = { appId?: string; offset?: number } & (
  { refundId: string } | { outRefundNo: string } | { transactionId: string } | { outTradeNo: string }
);

export type TRefundQueryStatus = "SUCCESS" | "REFUNDCLOSE" | "PROCESSING" | "CHANGE";

export type TRefundQueryItem = {
  outRefundNo: string;
  refundId: string;
  refundFeeFen: number;
  settlementRefundFeeFen?: number;
  refundStatus: TRefundQueryStatus;
  refundChannel?: string;
  refundAccount?: string;
  /** WeChat's field name is refund_recv_accout (sic). */
  refundRecvAccount?: string;
  refundSuccessTime?: string;
  refundSuccessAt?: Date;
};

export type TRefundQueryResult = {
  transactionId: string;
  outTradeNo: string;
  totalFeeFen: number;
  cashFeeFen?: number;
  refundCount: number;
  totalRefundCount?: number;
  refunds: TRefundQueryItem[];
  fields: WireFields;
};

export type TDownloadBillInput = {
  appId?: string;
  /** yyyyMMdd (Beijing date). WeChat: available from 10:00 the next day, for 3 months. */
  billDate: string;
  billType?: "ALL" | "SUCCESS" | "REFUND" | "RECHARGE_REFUND";
  /** Ask WeChat for a gzip-compressed bill (tar_type=GZIP). */
  gzip?: boolean;
};

export type TDownloadBillResult = TBill & { text: string };

export type PayClient = {
  prepareUnifiedOrder(input: TUnifiedOrderInput): TPreparedUnifiedOrder;
  sendUnifiedOrder(body: string, opts?: TCallOptions): Promise<TUnifiedOrderResult>;
  unifiedOrder(input: TUnifiedOrderInput, opts?: TCallOptions): Promise<TUnifiedOrderResult>;
  orderQuery(ref: TOrderRef, opts?: TCallOptions): Promise<TOrderQueryResult>;
  closeOrder(input: { appId?: string; outTradeNo: string }, opts?: TCallOptions): Promise<TCloseOrderResult>;
  refund(input: TRefundInput, opts?: TCallOptions): Promise<TRefundResult>;
  refundQuery(input: TRefundQueryInput, opts?: TCallOptions): Promise<TRefundQueryResult>;
  downloadBill(input: TDownloadBillInput, opts?: TCallOptions): Promise<TDownloadBillResult>;
};

const DEFAULT_TIMEOUT_MS = 10_000;
const PREPAY_ID_TTL_MS = 2 * 60 * 60 * 1000;
const MWEB_URL_TTL_MS = 5 * 60 * 1000;
const TRADE_STATES: ReadonlySet<string> = new Set<TTradeState>([
  "SUCCESS",
  "REFUND",
  "NOTPAY",
  "CLOSED",
  "REVOKED",
  "USERPAYING",
  "PAYERROR",
]);
const REFUND_STATUSES: ReadonlySet<string> = new Set<TRefundQueryStatus>([
  "SUCCESS",
  "REFUNDCLOSE",
  "PROCESSING",
  "CHANGE",
]);
// Query and refund pages allow @ in merchant numbers (older charset), so lookups accept it.
const MERCHANT_NO = /^[0-9A-Za-z_\-|*@]{1,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const WECHAT_ID = /^[0-9A-Za-z_-]{1,64}$/;

function badConfig(message: string, cause?: unknown): WechatPayError {
  return new WechatPayError("BAD_CONFIG", message, { remedy: "FIX_CONFIG", cause });
}

function checkConfig(c: TPayClientConfig): void {
  try {
    const u = new URL(c.baseUrl);
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("protocol");
  } catch (err) {
    throw badConfig("baseUrl must be an absolute http(s) URL", err);
  }
  if (typeof c.mchId !== "string" || !/^[0-9]{1,32}$/.test(c.mchId))
    throw badConfig("mchId must be WeChat's numeric merchant id");
  // WeChat: the APIv2 key is 32 characters (商户平台 → API安全); a wrong secret is the top cause of 签名错误.
  for (const k of [c.key, ...(c.previousKeys ?? [])]) {
    if (typeof k !== "string" || !/^[\x21-\x7e]{32}$/.test(k))
      throw badConfig("APIv2 keys must be 32 printable ASCII characters");
  }
  if (!isSignType(c.signType)) throw badConfig("signType must be MD5 or HMAC-SHA256");
  if (c.timeoutMs !== undefined && !(Number.isInteger(c.timeoutMs) && c.timeoutMs > 0))
    throw badConfig("timeoutMs must be a positive integer");
}

function merchantContext(cert: TMerchantCert, mchId: string): SecureContext {
  if (cert.pfx !== undefined && (cert.certPem !== undefined || cert.keyPem !== undefined)) {
    throw badConfig("give the merchant certificate as PKCS#12 or as PEM, not both");
  }
  if (cert.pfx === undefined && (cert.certPem === undefined || cert.keyPem === undefined)) {
    throw badConfig("a PEM merchant certificate needs both certPem and keyPem");
  }
  try {
    return createSecureContext({
      ...(cert.pfx === undefined
        ? { cert: cert.certPem, key: cert.keyPem }
        : // WeChat/SDKs: the .p12 password defaults to the mch_id.
          { pfx: Buffer.from(cert.pfx), passphrase: cert.passphrase ?? mchId }),
      ...(cert.caPem === undefined ? {} : { ca: cert.caPem }),
    });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new WechatPayError("BAD_CERT", `merchant certificate cannot be loaded: ${detail}`, {
      remedy: "FIX_CONFIG",
      details: {
        hint: "check the passphrase; convert a legacy RC2-40 .p12 to PEM with openssl pkcs12 -legacy",
      },
      cause: err,
    });
  }
}

function toWire(fields: Readonly<Record<string, string | number>>): WireFields {
  const out: WireFields = Object.create(null) as WireFields;
  for (const [k, v] of Object.entries(fields)) out[k] = String(v);
  return out;
}

export function createPayClient(config: TPayClientConfig): PayClient {
  checkConfig(config);
  const { baseUrl, mchId, key, signType } = config;
  const previousKeys = config.previousKeys ?? [];
  const until = config.previousKeysUntil;
  const keys = (): readonly string[] =>
    until !== undefined && now().getTime() >= until.getTime() ? [key] : [key, ...previousKeys];
  const fetchImpl: TFetch = config.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = config.now ?? (() => new Date());
  const maxResponseBytes = config.maxResponseBytes ?? 256 * 1024;
  const maxBillBytes = config.maxBillBytes ?? 64 * 1024 * 1024;
  const secureContext = config.cert === undefined ? undefined : merchantContext(config.cert, mchId);

  function appIdFor(appId: string | undefined): string {
    const a = appId ?? config.appId;
    if (a === undefined || !/^[0-9A-Za-z_-]{1,32}$/.test(a))
      throw badInput("appId", "is required (per call or in the client config)");
    return a;
  }

  function signedRequest(
    appId: string,
    biz: Readonly<Record<string, string | number>>,
  ): { body: string; fields: WireFields } {
    const fields: Record<string, string | number> = { appid: appId, mch_id: mchId, nonce_str: nonceStr() };
    // WeChat: sign_type defaults to MD5; HMAC-SHA256 must be declared, and the declaration is itself signed.
    if (signType === "HMAC-SHA256") fields.sign_type = signType;
    Object.assign(fields, biz);
    const signed = { ...fields, sign: sign(fields, key, signType) };
    return { body: buildXml(signed), fields: toWire(signed) };
  }

  async function send(
    path: string,
    body: string,
    opts: TCallOptions | undefined,
    maxBytes: number,
    mtls: boolean,
  ): Promise<THttpResult> {
    const url = joinUrl(baseUrl, path);
    const req = {
      url,
      method: "POST" as const,
      body,
      contentType: "text/xml; charset=utf-8",
      timeoutMs: opts?.timeoutMs ?? config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes,
    };
    let res: THttpResult;
    if (mtls && url.startsWith("https:")) {
      // WeChat: refund "请求需要双向证书". Without the certificate the call can only fail (and some
      // servers misreport it as 签名错误), so it is refused here with a clear reason.
      if (secureContext === undefined) {
        throw new WechatPayError("CERT_REQUIRED", `${path} needs the merchant API certificate`, {
          remedy: "FIX_CONFIG",
        });
      }
      res = await requestViaMtls(secureContext, req);
    } else {
      // Plain http carries no TLS at all: only a local simulator is reached this way.
      res = await requestViaFetch(fetchImpl, req);
    }
    if (res.status < 200 || res.status > 299) throw statusError(url, res.status);
    return res;
  }

  function ctxFor(api: TPayApi, path: string, appId: string): TVerifyContext {
    return { api, path, mchId, appId, keys: keys(), signType, maxBytes: maxResponseBytes };
  }

  async function call(
    api: TPayApi,
    path: string,
    appId: string,
    biz: Readonly<Record<string, string | number>>,
    opts: TCallOptions | undefined,
    mtls = false,
  ): Promise<WireFields> {
    const { body } = signedRequest(appId, biz);
    const res = await send(path, body, opts, maxResponseBytes, mtls);
    const ctx = ctxFor(api, path, appId);
    return verifyReply(ctx, parseReplyXml(ctx, res.bytes));
  }

  function orderRefFields(ref: TOrderRef): Record<string, string> {
    const hasNo = ref.outTradeNo !== undefined;
    const hasTx = ref.transactionId !== undefined;
    if (hasNo === hasTx) throw badInput("outTradeNo/transactionId", "give exactly one");
    if (hasTx) {
      if (!WECHAT_ID.test(ref.transactionId as string))
        throw badInput("transactionId", "is not a WeChat order number");
      // WeChat: "transaction_id … 建议优先使用"; it wins when both are sent, so only one is ever sent.
      return { transaction_id: ref.transactionId as string };
    }
    if (!MERCHANT_NO.test(ref.outTradeNo as string))
      throw badInput("outTradeNo", "is not a valid merchant order number");
    return { out_trade_no: ref.outTradeNo as string };
  }

  function prepareUnifiedOrder(input: TUnifiedOrderInput): TPreparedUnifiedOrder {
    const appId = appIdFor(input.appId);
    return signedRequest(appId, unifiedOrderFields(input, now()));
  }

  async function sendUnifiedOrder(body: string, opts?: TCallOptions): Promise<TUnifiedOrderResult> {
    const path = "pay/unifiedorder";
    let sent: WireFields;
    try {
      sent = parseReplyXml({ path, maxBytes: maxResponseBytes }, body);
    } catch (err) {
      throw badInput(
        "body",
        `is not a prepared unifiedorder request (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    const r0 = new ReplyReader(sent, path);
    const appId = r0.opt("appid");
    const outTradeNo = r0.opt("out_trade_no");
    const tradeType = r0.opt("trade_type");
    // The stored body keeps the sign type it was made with (WeChat: sign_type absent = MD5), even if the configured
    // one changed since: WeChat signs its reply the same way, so the reply is verified with that type.
    const declared = r0.opt("sign_type") ?? "MD5";
    const bodySignType: SignType | undefined = isSignType(declared) ? declared : undefined;
    if (
      appId === undefined ||
      outTradeNo === undefined ||
      tradeType === undefined ||
      bodySignType === undefined ||
      r0.opt("mch_id") !== mchId ||
      !verifySign(sent, keys(), bodySignType)
    ) {
      throw badInput("body", "is not a unifiedorder request prepared by this client");
    }
    const res = await send(path, body, opts, maxResponseBytes, false);
    const ctx = { ...ctxFor("unifiedorder", path, appId), signType: bodySignType };
    const fields = verifyReply(ctx, parseReplyXml(ctx, res.bytes));
    const r = new ReplyReader(fields, path);
    if (r.req("trade_type") !== tradeType)
      throw r.fail(`trade_type ${r.req("trade_type")} differs from the request's ${tradeType}`);
    const at = now().getTime();
    const base: TUnifiedOrderResultBase = {
      appId,
      mchId,
      outTradeNo,
      prepayId: r.req("prepay_id"),
      prepayIdExpiresAt: new Date(at + PREPAY_ID_TTL_MS),
      fields,
    };
    switch (tradeType) {
      case "JSAPI":
        return { ...base, tradeType };
      case "MWEB":
        return {
          ...base,
          tradeType,
          mwebUrl: r.req("mweb_url"),
          mwebUrlExpiresAt: new Date(at + MWEB_URL_TTL_MS),
        };
      case "NATIVE":
        return { ...base, tradeType, codeUrl: r.req("code_url") };
      default:
        throw r.fail(`unsupported trade_type ${tradeType}`);
    }
  }

  async function orderQuery(ref: TOrderRef, opts?: TCallOptions): Promise<TOrderQueryResult> {
    const path = "pay/orderquery";
    const appId = appIdFor(ref.appId);
    const refFields = orderRefFields(ref);
    const fields = await call("orderquery", path, appId, refFields, opts);
    const r = new ReplyReader(fields, path);
    const outTradeNo = r.req("out_trade_no");
    const transactionId = r.opt("transaction_id");
    if (
      (refFields.out_trade_no !== undefined && outTradeNo !== refFields.out_trade_no) ||
      (refFields.transaction_id !== undefined &&
        transactionId !== undefined &&
        transactionId !== refFields.transaction_id)
    ) {
      throw r.fail("the reply is about another order");
    }
    const tradeState = r.req("trade_state");
    if (!TRADE_STATES.has(tradeState)) throw r.fail(`unknown trade_state ${tradeState}`);
    // Evidence names the merchant and app WeChat signed for, not the ones we asked about (verifyReply has checked
    // that any it names are ours; a reply that names none proves nothing about whose order this is).
    const base: TOrderQueryBase = {
      appId: r.req("appid"),
      mchId: r.req("mch_id"),
      outTradeNo,
      feeType: r.opt("fee_type") ?? "CNY",
      fields,
    };
    for (const [k, name] of [
      ["tradeStateDesc", "trade_state_desc"],
      ["attach", "attach"],
      ["openid", "openid"],
      ["tradeType", "trade_type"],
      ["bankType", "bank_type"],
    ] as const) {
      const v = r.opt(name);
      if (v !== undefined) base[k] = v;
    }
    const cashFeeFen = r.optFen("cash_fee");
    if (cashFeeFen !== undefined) base.cashFeeFen = cashFeeFen;
    if (tradeState === "SUCCESS") {
      // WeChat: the payer and amount fields come back when trade_state=SUCCESS; without them it is not proof.
      const totalFeeFen = r.fen("total_fee");
      if (totalFeeFen <= 0) throw r.fail("total_fee must be positive");
      return {
        ...base,
        tradeState,
        transactionId: r.req("transaction_id"),
        totalFeeFen,
        timeEnd: r.req("time_end"),
        paidAt: r.beijingTime("time_end"),
      };
    }
    const rest: TOrderQueryResult = { ...base, tradeState: tradeState as Exclude<TTradeState, "SUCCESS"> };
    if (transactionId !== undefined) rest.transactionId = transactionId;
    const totalFeeFen = r.optFen("total_fee");
    if (totalFeeFen !== undefined) rest.totalFeeFen = totalFeeFen;
    const timeEnd = r.opt("time_end");
    if (timeEnd !== undefined) {
      rest.timeEnd = timeEnd;
      rest.paidAt = r.beijingTime("time_end");
    }
    return rest;
  }

  async function closeOrder(
    input: { appId?: string; outTradeNo: string },
    opts?: TCallOptions,
  ): Promise<TCloseOrderResult> {
    const appId = appIdFor(input.appId);
    // WeChat: closeorder takes out_trade_no only (no transaction_id in v2).
    if (!MERCHANT_NO.test(input.outTradeNo))
      throw badInput("outTradeNo", "is not a valid merchant order number");
    try {
      await call("closeorder", "pay/closeorder", appId, { out_trade_no: input.outTradeNo }, opts);
      return { outTradeNo: input.outTradeNo, alreadyClosed: false };
    } catch (err) {
      // WeChat: ORDERCLOSED "订单已关闭，无需继续调用" — the goal is reached (the reply was signed and verified).
      if (err instanceof WechatPayApiError && err.errCode === "ORDERCLOSED") {
        return { outTradeNo: input.outTradeNo, alreadyClosed: true };
      }
      throw err;
    }
  }

  async function refund(input: TRefundInput, opts?: TCallOptions): Promise<TRefundResult> {
    const path = "secapi/pay/refund";
    const appId = appIdFor(input.appId);
    if (!OUT_REFUND_NO.test(input.outRefundNo))
      throw badInput("outRefundNo", "must match [0-9A-Za-z_-|*@]{1,64}");
    for (const [name, v] of [
      ["totalFeeFen", input.totalFeeFen],
      ["refundFeeFen", input.refundFeeFen],
    ] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw badInput(name, "must be a positive integer of fen");
    }
    // WeChat: the sum of refunds cannot exceed the order amount; one refund certainly cannot.
    if (input.refundFeeFen > input.totalFeeFen) throw badInput("refundFeeFen", "exceeds totalFeeFen");
    const biz: Record<string, string | number> = {
      ...orderRefFields(input),
      out_refund_no: input.outRefundNo,
      total_fee: input.totalFeeFen,
      refund_fee: input.refundFeeFen,
    };
    const desc = checkedText("refundDesc", input.refundDesc, 80);
    if (desc !== undefined) biz.refund_desc = desc;
    if (input.notifyUrl !== undefined) {
      let u: URL | undefined;
      try {
        u = new URL(input.notifyUrl);
      } catch {
        u = undefined;
      }
      if (
        !u ||
        (u.protocol !== "https:" && u.protocol !== "http:") ||
        u.search !== "" ||
        input.notifyUrl.length > 256
      ) {
        throw badInput("notifyUrl", "must be an absolute http(s) URL without a query, ≤ 256 characters");
      }
      biz.notify_url = input.notifyUrl;
    }
    if (input.refundAccount !== undefined) {
      if (
        input.refundAccount !== "REFUND_SOURCE_UNSETTLED_FUNDS" &&
        input.refundAccount !== "REFUND_SOURCE_RECHARGE_FUNDS"
      ) {
        throw badInput("refundAccount", "unknown refund account");
      }
      biz.refund_account = input.refundAccount;
    }
    const fields = await call("refund", path, appId, biz, opts, true);
    const r = new ReplyReader(fields, path);
    const outRefundNo = r.req("out_refund_no");
    if (outRefundNo !== input.outRefundNo) throw r.fail("the reply is about another refund");
    const result: TRefundResult = {
      transactionId: r.req("transaction_id"),
      outTradeNo: r.req("out_trade_no"),
      outRefundNo,
      refundId: r.req("refund_id"),
      refundFeeFen: r.fen("refund_fee"),
      totalFeeFen: r.fen("total_fee"),
      fields,
    };
    const cash = r.optFen("cash_fee");
    if (cash !== undefined) result.cashFeeFen = cash;
    const settlement = r.optFen("settlement_refund_fee");
    if (settlement !== undefined) result.settlementRefundFeeFen = settlement;
    return result;
  }

  async function refundQuery(input: TRefundQueryInput, opts?: TCallOptions): Promise<TRefundQueryResult> {
    const path = "pay/refundquery";
    const appId = appIdFor(input.appId);
    const given = (["refundId", "outRefundNo", "transactionId", "outTradeNo"] as const).filter(
      (k) => (input as Record<string, unknown>)[k] !== undefined,
    );
    if (given.length !== 1)
      throw badInput("refundId/outRefundNo/transactionId/outTradeNo", "give exactly one");
    const which = given[0] as (typeof given)[number];
    const value = (input as Record<string, unknown>)[which];
    const pattern =
      which === "outRefundNo" ? OUT_REFUND_NO : which === "outTradeNo" ? MERCHANT_NO : WECHAT_ID;
    if (typeof value !== "string" || !pattern.test(value)) throw badInput(which, "is not a valid number");
    const wire = {
      refundId: "refund_id",
      outRefundNo: "out_refund_no",
      transactionId: "transaction_id",
      outTradeNo: "out_trade_no",
    }[which];
    const biz: Record<string, string | number> = { [wire]: value };
    if (input.offset !== undefined) {
      if (!Number.isSafeInteger(input.offset) || input.offset < 0)
        throw badInput("offset", "must be a non-negative integer");
      biz.offset = input.offset;
    }
    const fields = await call("refundquery", path, appId, biz, opts);
    const r = new ReplyReader(fields, path);
    const refundCount = r.int("refund_count");
    if (refundCount > 100) throw r.fail("refund_count is implausible");
    const refunds: TRefundQueryItem[] = [];
    // WeChat: per-refund fields are indexed, refund_fee_$n etc., $n from 0.
    for (let n = 0; n < refundCount; n++) {
      const status = r.req(`refund_status_${n}`);
      if (!REFUND_STATUSES.has(status)) throw r.fail(`unknown refund_status_${n} ${status}`);
      const item: TRefundQueryItem = {
        outRefundNo: r.req(`out_refund_no_${n}`),
        refundId: r.req(`refund_id_${n}`),
        refundFeeFen: r.fen(`refund_fee_${n}`),
        refundStatus: status as TRefundQueryStatus,
      };
      const settlement = r.optFen(`settlement_refund_fee_${n}`);
      if (settlement !== undefined) item.settlementRefundFeeFen = settlement;
      const channel = r.opt(`refund_channel_${n}`);
      if (channel !== undefined) item.refundChannel = channel;
      const account = r.opt(`refund_account_${n}`);
      if (account !== undefined) item.refundAccount = account;
      const recv = r.opt(`refund_recv_accout_${n}`);
      if (recv !== undefined) item.refundRecvAccount = recv;
      const successTime = r.opt(`refund_success_time_${n}`);
      if (successTime !== undefined) {
        item.refundSuccessTime = successTime;
        const at = parseSpacedBeijingTime(successTime);
        if (at !== undefined) item.refundSuccessAt = at;
      }
      refunds.push(item);
    }
    const result: TRefundQueryResult = {
      transactionId: r.req("transaction_id"),
      outTradeNo: r.req("out_trade_no"),
      totalFeeFen: r.fen("total_fee"),
      refundCount,
      refunds,
      fields,
    };
    const cash = r.optFen("cash_fee");
    if (cash !== undefined) result.cashFeeFen = cash;
    const total = r.opt("total_refund_count");
    if (total !== undefined) result.totalRefundCount = r.int("total_refund_count");
    return result;
  }

  async function downloadBill(input: TDownloadBillInput, opts?: TCallOptions): Promise<TDownloadBillResult> {
    const path = "pay/downloadbill";
    const appId = appIdFor(input.appId);
    if (!/^\d{8}$/.test(input.billDate)) throw badInput("billDate", "must be yyyyMMdd");
    const billType = input.billType ?? "ALL";
    if (!["ALL", "SUCCESS", "REFUND", "RECHARGE_REFUND"].includes(billType))
      throw badInput("billType", "unknown bill type");
    const biz: Record<string, string> = { bill_date: input.billDate, bill_type: billType };
    if (input.gzip === true) biz.tar_type = "GZIP";
    const { body } = signedRequest(appId, biz);
    const res = await send(path, body, opts, maxBillBytes, false);
    let bytes = res.bytes;
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        bytes = gunzipSync(bytes, { maxOutputLength: maxBillBytes });
      } catch (err) {
        throw badResponse({ path }, "the gzip bill cannot be decompressed", err);
      }
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch (err) {
      throw badResponse({ path }, "the bill is not UTF-8", err);
    }
    // WeChat: success is a text table (unsigned); failure is the usual XML with return_code=FAIL.
    if (/^\s*</.test(text)) {
      const ctx = ctxFor("downloadbill", path, appId);
      verifyReply(ctx, parseReplyXml(ctx, bytes));
      throw badResponse({ path }, "expected a bill, got an XML reply");
    }
    return { ...parseBill(text), text };
  }

  return {
    prepareUnifiedOrder,
    sendUnifiedOrder,
    async unifiedOrder(input, opts) {
      return sendUnifiedOrder(prepareUnifiedOrder(input).body, opts);
    },
    orderQuery,
    closeOrder,
    refund,
    refundQuery,
    downloadBill,
  };
}
