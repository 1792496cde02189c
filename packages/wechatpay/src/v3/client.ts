// The WeChat Pay v3 JSON client for what the shop needs: JSAPI (official account and mini-program), H5 and
// Native ordering, query, close, refunds, refund query, bills and platform certificates. Every request is
// signed with the merchant key; every 2xx answer except the bill file is verified before it is believed.
import { createHash, type KeyObject } from "node:crypto";
import { gunzipSync } from "node:zlib";

import { WechatPayError, WechatPayTransportError } from "../shared/errors";
import { joinUrl, pathOf, requestViaFetch } from "../shared/http";
import type { TFetch, THttpResult } from "../shared/http";
import type { TRemedy } from "../shared/remedy";
import {
  buildAuthorization,
  buildRequestMessage,
  decryptAeadAesGcm,
  loadPrivateKey,
  rsaOaepEncrypt,
  signSha256WithRsa,
} from "./crypto";
import { WechatPayV3ApiError, WechatPayV3InputError } from "./errors";
import type { TV3Api, TV3ErrorBody } from "./errors";
import {
  checkBillDate,
  checkFen,
  checkNotifyUrl,
  isWechatPayHost,
  checkOutRefundNo,
  checkOutTradeNo,
  checkRfc3339,
  checkText,
  checkTransactionId,
  formatRfc3339Beijing,
  v3Nonce,
} from "./fields";
import { toRefund, toTransaction } from "./models";
import type { TV3Refund, TV3Transaction } from "./models";
import { platformCertificate, WechatpayVerifier } from "./verifier";
import type { TPlatformCertificate, TVerifyFailure } from "./verifier";

/** A 2xx answer that did not verify; `verify` says why (UNKNOWN_SERIAL names the serial). */
export class WechatPayV3VerifyError extends WechatPayTransportError {
  readonly verify: TVerifyFailure;
  constructor(message: string, verify: TVerifyFailure, o: { path: string; remedy: TRemedy; status: number }) {
    super("BAD_RESPONSE_SIGN", message, { ...o, retryable: true });
    this.verify = verify;
  }
}

export const V3_BASE_URL = "https://api.mch.weixin.qq.com";

export type TV3ClientConfig = {
  mchId: string;
  /** The merchant API private key (`apiclient_key.pem`). */
  privateKey: KeyObject | string;
  /** The merchant API certificate serial (serial_no in Authorization). */
  serialNo: string;
  /** Verifies every signed answer; also names the key WeChat should sign with (request Wechatpay-Serial). */
  verifier: WechatpayVerifier;
  /** Default https://api.mch.weixin.qq.com. */
  baseUrl?: string;
  fetch?: TFetch;
  /** Default 10 000 ms per call. */
  timeoutMs?: number;
  /** Default 1 MiB for JSON answers. */
  maxResponseBytes?: number;
  /** Default 64 MiB for bill files. */
  maxBillBytes?: number;
  /** WeChat: a request without User-Agent is refused ("Http头缺少Accept或User-Agent"). */
  userAgent?: string;
  /**
   * Called when an answer names a serial the verifier does not know (a rotated platform certificate); the
   * hook refreshes the certificates and says whether to verify again. Not called for public-key serials.
   */
  onUnknownSerial?: (serial: string) => Promise<boolean>;
  /**
   * Accept an http notify_url (a shop on http://localhost paid by a local simulator). Refused at creation when
   * baseUrl is a WeChat host: real WeChat only ever notifies https.
   */
  allowHttpNotifyUrl?: boolean;
  /** Injectable for tests. */
  nonce?: () => string;
  now?: () => number;
};

export type TV3CallOptions = { timeoutMs?: number };

export type TV3Amount = { totalFen: number };

type TOrderCommon = {
  appId: string;
  /** WeChat: at most 127 characters, shown in the payer's bill. */
  description: string;
  outTradeNo: string;
  amount: TV3Amount;
  notifyUrl: string;
  /** RFC 3339 string or a Date (sent as Beijing time). WeChat: set only on the first order. */
  timeExpire?: string | Date;
  /** At most 128 characters; echoed in query and notify. */
  attach?: string;
  goodsTag?: string;
  supportFapiao?: boolean;
  profitSharing?: boolean;
};

export type TV3JsapiOrder = TOrderCommon & {
  /** The payer's openid under appId (official-account or mini-program AppID). */
  payerOpenid: string;
  payerClientIp?: string;
};

export type TV3H5Order = TOrderCommon & {
  /** WeChat: the user's real IP (IPv4 or IPv6); 127.0.0.1 fails. */
  payerClientIp: string;
  /** WeChat: h5_info.type — "iOS", "Android" or "Wap". */
  h5Type: "iOS" | "Android" | "Wap";
  appName?: string;
  appUrl?: string;
};

export type TV3NativeOrder = TOrderCommon & { payerClientIp?: string };

export type TV3RefundInput = ({ outTradeNo: string } | { transactionId: string }) & {
  /** WeChat: reuse the same out_refund_no on every retry ("同一退款单号多次请求只退一笔"). */
  outRefundNo: string;
  /** This refund, fen; at most the order total less earlier refunds. */
  refundFen: number;
  /** The original order's total, fen. */
  totalFen: number;
  /** At most 80 characters. */
  reason?: string;
  notifyUrl?: string;
  fundsAccount?: "AVAILABLE" | "UNSETTLED";
};

export type TV3BillInfo = { hashType: string; hashValue: string; downloadUrl: string };

export type TV3TradeBillInput = {
  billDate: string;
  billType?: "ALL" | "SUCCESS" | "REFUND";
  tarType?: "GZIP";
};

export type TV3FundFlowBillInput = {
  billDate: string;
  accountType?: "BASIC" | "OPERATION" | "FEES";
  tarType?: "GZIP";
};

export type TV3CertificatesResult =
  | { kind: "certificates"; certificates: TPlatformCertificate[] }
  /** WeChat: 404 RESOURCE_NOT_EXISTS — this merchant has no platform certificate (use the WeChat Pay public key). */
  | { kind: "none"; message: string };

export type TV3RawResponse = {
  status: number;
  body: Record<string, unknown> | undefined;
  requestId?: string;
};

type TRequest = {
  api: TV3Api;
  method: "GET" | "POST";
  /** Path and query, exactly as sent and signed. */
  url: string;
  body?: Record<string, unknown>;
  /** Request Wechatpay-Serial: the key that encrypted sensitive fields (overrides the accept serial). */
  wechatpaySerial?: string;
  /** A call that changes state: an unverifiable answer leaves its outcome unknown. */
  mutating: boolean;
  timeoutMs?: number;
};

export type TV3Client = ReturnType<typeof createV3Client>;

/** Drops undefined members so the sent JSON never carries null or empty placeholders (WeChat: no null). */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const inner = compact(v as Record<string, unknown>);
      if (Object.keys(inner).length > 0) out[k] = inner;
    } else out[k] = v;
  }
  return out;
}

const BILL_PATH = "/v3/billdownload/file";

export function createV3Client(config: TV3ClientConfig) {
  const privateKey =
    typeof config.privateKey === "string" ? loadPrivateKey(config.privateKey) : config.privateKey;
  const base = config.baseUrl ?? V3_BASE_URL;
  const fetchImpl = config.fetch ?? fetch;
  const timeoutMs = config.timeoutMs ?? 10_000;
  const maxBytes = config.maxResponseBytes ?? 1024 * 1024;
  const maxBillBytes = config.maxBillBytes ?? 64 * 1024 * 1024;
  const userAgent = config.userAgent ?? `wxpay-stack/@wxpay/wechatpay node/${process.versions.node}`;
  const nonce = config.nonce ?? v3Nonce;
  const now = config.now ?? (() => Math.floor(Date.now() / 1000));
  const { mchId, verifier } = config;
  const basePath = new URL(base).pathname.replace(/\/+$/, "");
  const allowHttpNotify = config.allowHttpNotifyUrl === true;
  if (allowHttpNotify && isWechatPayHost(base)) {
    throw new WechatPayV3InputError(
      "allowHttpNotifyUrl",
      "http notify URLs are only for a local stand-in of WeChat",
    );
  }

  function sign(method: string, url: string, body: string): string {
    const ts = now();
    const n = nonce();
    const message = buildRequestMessage({ method, url: basePath + url, timestamp: ts, nonce: n, body });
    return buildAuthorization({
      mchid: mchId,
      serialNo: config.serialNo,
      nonce: n,
      timestamp: ts,
      signature: signSha256WithRsa(privateKey, message),
    });
  }

  function headersFor(
    method: string,
    url: string,
    body: string,
    serial: string | undefined,
  ): Record<string, string> {
    const h: Record<string, string> = {
      authorization: sign(method, url, body),
      accept: "application/json",
      "user-agent": userAgent,
    };
    if (serial !== undefined) h["wechatpay-serial"] = serial;
    return h;
  }

  function transport(
    code: "BAD_RESPONSE" | "BAD_RESPONSE_SIGN",
    message: string,
    r: TRequest,
    status?: number,
  ) {
    // WeChat: an order or refund whose answer cannot be trusted has an unknown outcome — query before acting.
    const remedy: TRemedy = r.mutating ? "QUERY_ORDER" : "RETRY_SAME";
    return new WechatPayTransportError(code, message, {
      path: r.url.split("?")[0] ?? r.url,
      remedy,
      retryable: true,
      ...(status === undefined ? {} : { status }),
    });
  }

  async function verified(res: THttpResult, r: TRequest): Promise<void> {
    const message = { headers: res.headers ?? new Headers(), body: res.bytes };
    let v = verifier.verify(message);
    if (!v.ok && v.code === "UNKNOWN_SERIAL" && config.onUnknownSerial && v.serial !== undefined) {
      if (!v.serial.startsWith("PUB_KEY_ID_") && (await config.onUnknownSerial(v.serial)))
        v = verifier.verify(message);
    }
    if (!v.ok) throw verifyError(v, r, res.status);
  }

  function verifyError(v: TVerifyFailure, r: TRequest, status: number): WechatPayV3VerifyError {
    // WeChat: probes and bad signatures on answers are failures like any other; the outcome is unknown.
    return new WechatPayV3VerifyError(`${r.api}: answer not verified (${v.code}): ${v.message}`, v, {
      path: r.url.split("?")[0] ?? r.url,
      remedy: r.mutating ? "QUERY_ORDER" : "RETRY_SAME",
      status,
    });
  }

  /** Sends one signed request; returns the verified JSON answer (undefined for 204). */
  async function call(r: TRequest): Promise<TV3RawResponse> {
    const body = r.body === undefined ? "" : JSON.stringify(compact(r.body));
    const serial = r.wechatpaySerial ?? verifier.acceptSerial();
    const headers = headersFor(r.method, r.url, body, serial);
    const res = await requestViaFetch(fetchImpl, {
      url: joinUrl(base, r.url),
      method: r.method,
      ...(r.method === "POST" ? { body, contentType: "application/json" } : {}),
      headers,
      timeoutMs: r.timeoutMs ?? timeoutMs,
      maxBytes,
    });
    const requestId = res.headers?.get("request-id") ?? undefined;
    const text = Buffer.from(res.bytes).toString("utf8");
    if (res.status < 200 || res.status >= 300) {
      // WeChat does not sign error answers (some carry no Wechatpay-* headers at all); they are read, not trusted for money.
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const p = parsed as Partial<TV3ErrorBody> | undefined;
      if (p && typeof p.code === "string" && typeof p.message === "string") {
        throw new WechatPayV3ApiError({
          api: r.api,
          status: res.status,
          body: { code: p.code, message: p.message, ...(p.detail === undefined ? {} : { detail: p.detail }) },
          ...(requestId === undefined ? {} : { requestId }),
        });
      }
      const serverSide = res.status >= 500 || res.status === 429;
      throw new WechatPayTransportError(
        "HTTP_STATUS",
        `${r.api}: HTTP ${res.status} without WeChat's error body`,
        {
          path: r.url.split("?")[0] ?? r.url,
          status: res.status,
          remedy: serverSide ? (r.mutating ? "QUERY_ORDER" : "RETRY_SAME") : "FIX_CONFIG",
          retryable: serverSide,
        },
      );
    }
    await verified(res, r);
    if (res.status === 204 || text === "")
      return { status: res.status, body: undefined, ...(requestId ? { requestId } : {}) };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw transport("BAD_RESPONSE", `${r.api}: answer is not JSON`, r, res.status);
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw transport("BAD_RESPONSE", `${r.api}: answer is not a JSON object`, r, res.status);
    }
    return { status: res.status, body: json as Record<string, unknown>, ...(requestId ? { requestId } : {}) };
  }

  function orderBody(o: TOrderCommon, extra: Record<string, unknown>): Record<string, unknown> {
    checkText(o.appId, "appid", 32);
    checkText(o.description, "description", 127);
    checkOutTradeNo(o.outTradeNo);
    checkFen(o.amount?.totalFen, "amount.total");
    checkNotifyUrl(o.notifyUrl, "notify_url", 255, allowHttpNotify);
    const timeExpire =
      o.timeExpire === undefined
        ? undefined
        : o.timeExpire instanceof Date
          ? formatRfc3339Beijing(o.timeExpire)
          : checkRfc3339(o.timeExpire, "time_expire");
    if (o.attach !== undefined) checkText(o.attach, "attach", 128);
    if (o.goodsTag !== undefined) checkText(o.goodsTag, "goods_tag", 32);
    return {
      appid: o.appId,
      mchid: mchId,
      description: o.description,
      out_trade_no: o.outTradeNo,
      time_expire: timeExpire,
      attach: o.attach,
      notify_url: o.notifyUrl,
      goods_tag: o.goodsTag,
      support_fapiao: o.supportFapiao,
      amount: { total: o.amount.totalFen, currency: "CNY" },
      settle_info: o.profitSharing === undefined ? undefined : { profit_sharing: o.profitSharing },
      ...extra,
    };
  }

  function need(
    body: Record<string, unknown> | undefined,
    field: string,
    r: { api: TV3Api; url: string },
  ): string {
    const v = body?.[field];
    if (typeof v !== "string" || v === "") {
      throw new WechatPayTransportError("BAD_RESPONSE", `${r.api}: answer has no ${field}`, {
        path: r.url,
        remedy: "QUERY_ORDER",
        retryable: true,
      });
    }
    return v;
  }

  function transaction(res: TV3RawResponse, r: { api: TV3Api; url: string }): TV3Transaction {
    const t = toTransaction(res.body ?? {});
    if (!t.ok) {
      throw new WechatPayTransportError("BAD_RESPONSE", `${r.api}: transaction without ${t.field}`, {
        path: r.url.split("?")[0] ?? r.url,
        remedy: "RETRY_SAME",
        retryable: true,
      });
    }
    if (t.value.mchId !== mchId) {
      throw new WechatPayTransportError("RESPONSE_MISMATCH", `${r.api}: transaction of another merchant`, {
        path: r.url.split("?")[0] ?? r.url,
        remedy: "FIX_CONFIG",
        retryable: false,
      });
    }
    return t.value;
  }

  function refundOf(res: TV3RawResponse, r: { api: TV3Api; url: string }): TV3Refund {
    const t = toRefund(res.body ?? {});
    if (!t.ok) {
      throw new WechatPayTransportError("BAD_RESPONSE", `${r.api}: refund without ${t.field}`, {
        path: r.url.split("?")[0] ?? r.url,
        remedy: r.api === "refund" ? "QUERY_ORDER" : "RETRY_SAME",
        retryable: true,
      });
    }
    return t.value;
  }

  const enc = encodeURIComponent;

  return {
    mchId,

    /** POST /v3/pay/transactions/jsapi — official account JSAPI and mini-program alike (the appid decides). */
    async jsapiPrepay(o: TV3JsapiOrder, opts: TV3CallOptions = {}): Promise<{ prepayId: string }> {
      checkText(o.payerOpenid, "payer.openid", 128);
      const r = {
        api: "jsapi" as const,
        method: "POST" as const,
        url: "/v3/pay/transactions/jsapi",
        body: orderBody(o, {
          payer: { openid: o.payerOpenid },
          scene_info: o.payerClientIp === undefined ? undefined : { payer_client_ip: o.payerClientIp },
        }),
        mutating: true,
        ...opts,
      };
      return { prepayId: need((await call(r)).body, "prepay_id", r) };
    },

    /** POST /v3/pay/transactions/h5 — scene_info with the payer's IP and h5_info.type is required. */
    async h5Prepay(o: TV3H5Order, opts: TV3CallOptions = {}): Promise<{ h5Url: string }> {
      checkText(o.payerClientIp, "scene_info.payer_client_ip", 45);
      const r = {
        api: "h5" as const,
        method: "POST" as const,
        url: "/v3/pay/transactions/h5",
        body: orderBody(o, {
          scene_info: {
            payer_client_ip: o.payerClientIp,
            h5_info: { type: o.h5Type, app_name: o.appName, app_url: o.appUrl },
          },
        }),
        mutating: true,
        ...opts,
      };
      return { h5Url: need((await call(r)).body, "h5_url", r) };
    },

    /** POST /v3/pay/transactions/native — code_url for a QR code (valid 2 hours). */
    async nativePrepay(o: TV3NativeOrder, opts: TV3CallOptions = {}): Promise<{ codeUrl: string }> {
      const r = {
        api: "native" as const,
        method: "POST" as const,
        url: "/v3/pay/transactions/native",
        body: orderBody(o, {
          scene_info: o.payerClientIp === undefined ? undefined : { payer_client_ip: o.payerClientIp },
        }),
        mutating: true,
        ...opts,
      };
      return { codeUrl: need((await call(r)).body, "code_url", r) };
    },

    /** GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid= — the only lookup for an unpaid order. */
    async queryByOutTradeNo(outTradeNo: string, opts: TV3CallOptions = {}): Promise<TV3Transaction> {
      const url = `/v3/pay/transactions/out-trade-no/${enc(checkOutTradeNo(outTradeNo))}?mchid=${enc(mchId)}`;
      const r = { api: "query" as const, method: "GET" as const, url, mutating: false, ...opts };
      const t = transaction(await call(r), r);
      if (t.outTradeNo !== outTradeNo) {
        throw new WechatPayTransportError(
          "RESPONSE_MISMATCH",
          "query: answer is about another out_trade_no",
          {
            path: pathOf(joinUrl(base, url)),
            remedy: "RETRY_SAME",
            retryable: true,
          },
        );
      }
      return t;
    },

    /** GET /v3/pay/transactions/id/{transaction_id}?mchid= */
    async queryByTransactionId(transactionId: string, opts: TV3CallOptions = {}): Promise<TV3Transaction> {
      const url = `/v3/pay/transactions/id/${enc(checkTransactionId(transactionId))}?mchid=${enc(mchId)}`;
      const r = { api: "query" as const, method: "GET" as const, url, mutating: false, ...opts };
      return transaction(await call(r), r);
    },

    /** POST …/out-trade-no/{out_trade_no}/close — 204, signed over an empty body; may be called again. */
    async closeOrder(outTradeNo: string, opts: TV3CallOptions = {}): Promise<void> {
      const url = `/v3/pay/transactions/out-trade-no/${enc(checkOutTradeNo(outTradeNo))}/close`;
      await call({ api: "close", method: "POST", url, body: { mchid: mchId }, mutating: true, ...opts });
    },

    /** POST /v3/refund/domestic/refunds — partial amounts allowed; the answer means accepted, not refunded. */
    async refund(i: TV3RefundInput, opts: TV3CallOptions = {}): Promise<TV3Refund> {
      checkOutRefundNo(i.outRefundNo);
      checkFen(i.refundFen, "amount.refund");
      checkFen(i.totalFen, "amount.total");
      if (i.refundFen > i.totalFen)
        throw new WechatPayV3InputError("amount.refund", "more than the order total");
      if (i.reason !== undefined) checkText(i.reason, "reason", 80);
      if (i.notifyUrl !== undefined) checkNotifyUrl(i.notifyUrl, "notify_url", 256, allowHttpNotify);
      const ref =
        "transactionId" in i
          ? { transaction_id: checkTransactionId(i.transactionId) }
          : { out_trade_no: checkOutTradeNo(i.outTradeNo) };
      const r = {
        api: "refund" as const,
        method: "POST" as const,
        url: "/v3/refund/domestic/refunds",
        body: {
          ...ref,
          out_refund_no: i.outRefundNo,
          reason: i.reason,
          notify_url: i.notifyUrl,
          funds_account: i.fundsAccount,
          amount: { refund: i.refundFen, total: i.totalFen, currency: "CNY" },
        },
        mutating: true,
        ...opts,
      };
      const refund = refundOf(await call(r), r);
      if (refund.outRefundNo !== i.outRefundNo) {
        throw new WechatPayTransportError(
          "RESPONSE_MISMATCH",
          "refund: answer is about another out_refund_no",
          {
            path: r.url,
            remedy: "QUERY_ORDER",
            retryable: true,
          },
        );
      }
      return refund;
    },

    /** GET /v3/refund/domestic/refunds/{out_refund_no} */
    async queryRefund(outRefundNo: string, opts: TV3CallOptions = {}): Promise<TV3Refund> {
      const url = `/v3/refund/domestic/refunds/${enc(checkOutRefundNo(outRefundNo))}`;
      const r = { api: "refundquery" as const, method: "GET" as const, url, mutating: false, ...opts };
      return refundOf(await call(r), r);
    },

    /** GET /v3/bill/tradebill — the download URL and SHA1 of the trade bill (amounts in yuan). */
    async tradeBill(i: TV3TradeBillInput, opts: TV3CallOptions = {}): Promise<TV3BillInfo> {
      const q = new URLSearchParams({ bill_date: checkBillDate(i.billDate) });
      if (i.billType !== undefined) q.set("bill_type", i.billType);
      if (i.tarType !== undefined) q.set("tar_type", i.tarType);
      return billInfo("tradebill", `/v3/bill/tradebill?${q.toString()}`, opts);
    },

    /** GET /v3/bill/fundflowbill */
    async fundFlowBill(i: TV3FundFlowBillInput, opts: TV3CallOptions = {}): Promise<TV3BillInfo> {
      const q = new URLSearchParams({ bill_date: checkBillDate(i.billDate) });
      if (i.accountType !== undefined) q.set("account_type", i.accountType);
      if (i.tarType !== undefined) q.set("tar_type", i.tarType);
      return billInfo("fundflowbill", `/v3/bill/fundflowbill?${q.toString()}`, opts);
    },

    /**
     * Downloads a bill from its download_url and checks it against hash_value (SHA1 of the file, gunzipped
     * first when gzip). WeChat: the file answer is not signed ("需要跳过验签的流程"), so the hash is the check.
     * Only URLs on the configured WeChat host are followed: the request carries our Authorization.
     */
    async downloadBill(info: TV3BillInfo, opts: TV3CallOptions = {}): Promise<Buffer> {
      let u: URL;
      try {
        u = new URL(info.downloadUrl);
      } catch {
        throw new WechatPayV3InputError("download_url", "not an absolute URL");
      }
      if (u.origin !== new URL(base).origin || u.pathname !== basePath + BILL_PATH) {
        throw new WechatPayV3InputError("download_url", "not WeChat Pay's bill download address");
      }
      if (info.hashType.toUpperCase() !== "SHA1")
        throw new WechatPayV3InputError("hash_type", "only SHA1 is known");
      const url = u.pathname.slice(basePath.length) + u.search;
      const res = await requestViaFetch(fetchImpl, {
        url: u.toString(),
        method: "GET",
        headers: headersFor("GET", url, "", verifier.acceptSerial()),
        timeoutMs: opts.timeoutMs ?? timeoutMs,
        maxBytes: maxBillBytes,
      });
      const r: TRequest = { api: "billdownload", method: "GET", url, mutating: false };
      if (res.status !== 200) {
        const p = safeJson(res.bytes) as Partial<TV3ErrorBody> | undefined;
        if (p && typeof p.code === "string" && typeof p.message === "string") {
          throw new WechatPayV3ApiError({ api: "billdownload", status: res.status, body: p as TV3ErrorBody });
        }
        throw transport("BAD_RESPONSE", `billdownload: HTTP ${res.status}`, r, res.status);
      }
      let file = Buffer.from(res.bytes);
      if (file.length >= 2 && file[0] === 0x1f && file[1] === 0x8b) {
        try {
          file = gunzipSync(file, { maxOutputLength: maxBillBytes });
        } catch (cause) {
          throw new WechatPayTransportError("BAD_RESPONSE", "billdownload: gzip does not inflate", {
            path: BILL_PATH,
            remedy: "RETRY_SAME",
            retryable: true,
            cause,
          });
        }
      }
      const digest = createHash("sha1").update(file).digest("hex");
      if (digest !== info.hashValue.toLowerCase()) {
        throw new WechatPayTransportError("BAD_RESPONSE", "billdownload: SHA1 does not match hash_value", {
          path: BILL_PATH,
          remedy: "RETRY_SAME",
          retryable: true,
        });
      }
      return file;
    },

    /**
     * GET /v3/certificates, decrypted with the APIv3 key. Each certificate must carry the serial it is listed
     * under, and the answer must verify with a key already held or with one of the certificates it brings.
     */
    async downloadCertificates(apiV3Key: string, opts: TV3CallOptions = {}): Promise<TV3CertificatesResult> {
      const r: TRequest = {
        api: "certificates",
        method: "GET",
        url: "/v3/certificates",
        mutating: false,
        ...opts,
      };
      const headers = headersFor("GET", r.url, "", verifier.acceptSerial());
      const res = await requestViaFetch(fetchImpl, {
        url: joinUrl(base, r.url),
        method: "GET",
        headers,
        timeoutMs: r.timeoutMs ?? timeoutMs,
        maxBytes,
      });
      const json = safeJson(res.bytes) as Record<string, unknown> | undefined;
      if (res.status === 404 && json?.["code"] === "RESOURCE_NOT_EXISTS") {
        return { kind: "none", message: typeof json["message"] === "string" ? json["message"] : "" };
      }
      if (res.status !== 200) {
        if (json && typeof json["code"] === "string" && typeof json["message"] === "string") {
          throw new WechatPayV3ApiError({
            api: "certificates",
            status: res.status,
            body: json as TV3ErrorBody,
          });
        }
        throw transport("BAD_RESPONSE", `certificates: HTTP ${res.status}`, r, res.status);
      }
      const data = Array.isArray(json?.["data"]) ? (json["data"] as Record<string, unknown>[]) : undefined;
      if (!data) throw transport("BAD_RESPONSE", "certificates: answer has no data[]", r, res.status);
      const certificates: TPlatformCertificate[] = [];
      for (const item of data) {
        const e = (item["encrypt_certificate"] ?? {}) as Record<string, unknown>;
        if (e["algorithm"] !== "AEAD_AES_256_GCM") {
          throw transport("BAD_RESPONSE", "certificates: unknown encryption algorithm", r, res.status);
        }
        const pem = decryptAeadAesGcm({
          key: apiV3Key,
          nonce: String(e["nonce"] ?? ""),
          associatedData: String(e["associated_data"] ?? ""),
          ciphertext: String(e["ciphertext"] ?? ""),
        }).toString("utf8");
        const times: { effectiveTime?: Date; expireTime?: Date } = {};
        const eff = Date.parse(String(item["effective_time"] ?? ""));
        const exp = Date.parse(String(item["expire_time"] ?? ""));
        if (!Number.isNaN(eff)) times.effectiveTime = new Date(eff);
        if (!Number.isNaN(exp)) times.expireTime = new Date(exp);
        const cert = platformCertificate(pem, times);
        if (cert.serialNo !== String(item["serial_no"] ?? "").toUpperCase()) {
          throw transport(
            "BAD_RESPONSE",
            "certificates: a certificate is listed under another serial",
            r,
            res.status,
          );
        }
        certificates.push(cert);
      }
      // The answer is signed by a platform certificate — possibly one that arrives in this very answer.
      const bootstrap = new WechatpayVerifier({
        certificates: {
          keyFor: (s) =>
            verifier.keyFor(s)?.key ?? certificates.find((c) => c.serialNo === s.toUpperCase())?.key,
          serials: () => certificates.map((c) => c.serialNo),
        },
        now,
      });
      const v = bootstrap.verify({ headers: res.headers ?? new Headers(), body: res.bytes });
      if (!v.ok) throw verifyError(v, r, res.status);
      return { kind: "certificates", certificates };
    },

    /**
     * Encrypts a sensitive field for WeChat (RSA-OAEP) with the WeChat Pay public key, else the newest
     * platform certificate; send the returned serial as the request's Wechatpay-Serial.
     */
    encryptSensitive(
      plaintext: string,
      key: { serial: string; key: KeyObject },
    ): { ciphertext: string; serial: string } {
      return { ciphertext: rsaOaepEncrypt(key.key, plaintext), serial: key.serial };
    },

    /** Any other signed v3 call, verified like the rest. */
    async request(
      method: "GET" | "POST",
      url: string,
      body?: Record<string, unknown>,
      opts: TV3CallOptions & { wechatpaySerial?: string; mutating?: boolean } = {},
    ): Promise<TV3RawResponse> {
      if (!url.startsWith("/v3/")) throw new WechatPayError("BAD_INPUT", "a v3 path starts with /v3/");
      return call({
        api: "request",
        method,
        url,
        ...(body === undefined ? {} : { body }),
        mutating: opts.mutating ?? method === "POST",
        ...(opts.wechatpaySerial === undefined ? {} : { wechatpaySerial: opts.wechatpaySerial }),
        ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      });
    },
  };

  async function billInfo(api: TV3Api, url: string, opts: TV3CallOptions): Promise<TV3BillInfo> {
    const r = { api, method: "GET" as const, url, mutating: false, ...opts };
    const body = (await call(r)).body;
    return {
      hashType: need(body, "hash_type", r),
      hashValue: need(body, "hash_value", r),
      downloadUrl: need(body, "download_url", r),
    };
  }
}

function safeJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    return undefined;
  }
}
