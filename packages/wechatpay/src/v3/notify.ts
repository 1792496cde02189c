// v3 notifies (WeChat → notify_url): verify the raw body against the Wechatpay-* headers, then decrypt the
// AEAD_AES_256_GCM resource with the APIv3 key, then map payment (TRANSACTION.SUCCESS) and refund
// (REFUND.SUCCESS | ABNORMAL | CLOSED) events into typed results shaped like the v2 notify parser's, so the
// shop handles both versions alike. WeChat: verify before decrypting; answer within 5 seconds.
import { AeadError, decryptAeadAesGcm } from "./crypto";
import { toRefund, toTransaction } from "./models";
import type { TV3Refund, TV3RefundStatus, TV3TradeState } from "./models";
import { rawBytes } from "./verifier";
import type { TSignedMessage, TVerifyFailureCode, WechatpayVerifier } from "./verifier";

export type TV3NotifyConfig = {
  verifier: WechatpayVerifier;
  /** The 32-character APIv3 key (商户平台 → API安全). */
  apiV3Key: string;
  mchId: string;
  /** The AppIDs this merchant orders with (official account, mini-program, …). */
  appIds: readonly string[];
  /** Default 64 KiB; real notifies are about 1–2 KiB. */
  maxBodyBytes?: number;
};

/** The notify envelope (never encrypted). */
export type TV3NotifyEnvelope = {
  id: string;
  createTime: string;
  eventType: string;
  resourceType: string;
  summary: string;
  originalType: string;
};

export type TV3NotifyRejectionCode =
  /** The body is not a JSON object with WeChat's envelope and resource. */
  | "BAD_JSON"
  /** Signature, headers, timestamp window or serial did not pass; `verify` says which. */
  | "BAD_SIGN"
  /** The resource did not decrypt (wrong APIv3 key or tampered), or its algorithm is not AEAD_AES_256_GCM. */
  | "BAD_RESOURCE"
  /** A verified notify of an event this parser does not handle (e.g. payscore). */
  | "UNSUPPORTED_EVENT"
  | "WRONG_APPID"
  | "WRONG_MCH_ID"
  /** A required field of the decrypted resource is absent or malformed. */
  | "MISSING_FIELD";

export type TV3NotifyRejection = {
  code: TV3NotifyRejectionCode;
  message: string;
  /** For BAD_SIGN: the verifier's reason (UNKNOWN_SERIAL, STALE_TIMESTAMP, SIGNATURE_PROBE, …). */
  verify?: TVerifyFailureCode;
  /** For BAD_SIGN with UNKNOWN_SERIAL: the serial to fetch a certificate for. */
  serial?: string;
  envelope?: TV3NotifyEnvelope;
};

export type TV3PayNotification = {
  apiVersion: "v3";
  /** Same names as the v2 notification where the meaning is the same. */
  appId: string;
  mchId: string;
  outTradeNo: string;
  transactionId: string;
  totalFeeFen: number;
  /** amount.payer_total: what the payer paid (v2's cash_fee). */
  cashFeeFen?: number;
  feeType: string;
  tradeType: string;
  openid: string;
  /** A payment notify is sent only for success (基础支付 has no failure notify). */
  resultCode: "SUCCESS";
  tradeState: TV3TradeState;
  successTime: string;
  paidAt: Date;
  attach?: string;
  bankType?: string;
  envelope: TV3NotifyEnvelope;
  /** The decrypted resource as received, for the notification log. */
  resource: Record<string, unknown>;
};

export type TV3PayNotifyResult =
  { ok: true; notification: TV3PayNotification } | { ok: false; rejection: TV3NotifyRejection };

export type TV3RefundNotification = TV3Refund & {
  apiVersion: "v3";
  mchId: string;
  /** REFUND.SUCCESS → SUCCESS, REFUND.ABNORMAL → ABNORMAL, REFUND.CLOSED → CLOSED. */
  refundStatus: TV3RefundStatus;
  eventType: "REFUND.SUCCESS" | "REFUND.ABNORMAL" | "REFUND.CLOSED";
  envelope: TV3NotifyEnvelope;
  resource: Record<string, unknown>;
};

export type TV3RefundNotifyResult =
  { ok: true; notification: TV3RefundNotification } | { ok: false; rejection: TV3NotifyRejection };

type Json = Record<string, unknown>;

const isObj = (x: unknown): x is Json => typeof x === "object" && x !== null && !Array.isArray(x);
const s = (o: Json, k: string): string | undefined =>
  typeof o[k] === "string" ? (o[k] as string) : undefined;

function reject(code: TV3NotifyRejectionCode, message: string, extra: Partial<TV3NotifyRejection> = {}) {
  return { ok: false as const, rejection: { code, message, ...extra } };
}

type TOpened =
  { ok: true; envelope: TV3NotifyEnvelope; resource: Json } | { ok: false; rejection: TV3NotifyRejection };

/**
 * The common half of both parsers: size, signature (over the raw bytes, before any JSON parsing is trusted),
 * envelope, then decryption. Never throws.
 */
export function openV3Notify(message: TSignedMessage, config: TV3NotifyConfig): TOpened {
  const bytes = rawBytes(message?.body);
  // WeChat: verify the raw body — a parsed and re-serialised object never verifies (a common integration mistake).
  if (bytes === undefined)
    return reject("BAD_JSON", "no raw body: pass the bytes as received, not a parsed object");
  const max = config.maxBodyBytes ?? 64 * 1024;
  if (bytes.byteLength > max) return reject("BAD_JSON", `body is larger than ${max} bytes`);
  const v = config.verifier.verify({ headers: message.headers ?? {}, body: bytes });
  if (!v.ok) {
    return reject("BAD_SIGN", v.message, {
      verify: v.code,
      ...(v.serial === undefined ? {} : { serial: v.serial }),
    });
  }
  // The bytes are WeChat's (the signature verified), so a lenient decode is safe and saves a validating pass.
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch {
    return reject("BAD_JSON", "body is not JSON");
  }
  if (!isObj(parsed) || !isObj(parsed["resource"])) return reject("BAD_JSON", "no resource object");
  const res = parsed["resource"];
  const envelope: TV3NotifyEnvelope = {
    id: s(parsed, "id") ?? "",
    createTime: s(parsed, "create_time") ?? "",
    eventType: s(parsed, "event_type") ?? "",
    resourceType: s(parsed, "resource_type") ?? "",
    summary: s(parsed, "summary") ?? "",
    originalType: s(res, "original_type") ?? "",
  };
  if (envelope.id === "" || envelope.eventType === "")
    return reject("BAD_JSON", "id or event_type is missing", { envelope });
  // WeChat: resource.algorithm is AEAD_AES_256_GCM — nothing else is decrypted.
  if (s(res, "algorithm") !== "AEAD_AES_256_GCM") {
    return reject("BAD_RESOURCE", "resource.algorithm is not AEAD_AES_256_GCM", { envelope });
  }
  const ciphertext = s(res, "ciphertext");
  const nonce = s(res, "nonce");
  const associatedData = s(res, "associated_data") ?? "";
  if (ciphertext === undefined || nonce === undefined) {
    return reject("BAD_RESOURCE", "resource.ciphertext or nonce is missing", { envelope });
  }
  let plain: Buffer;
  try {
    plain = decryptAeadAesGcm({ key: config.apiV3Key, nonce, associatedData, ciphertext });
  } catch (e) {
    if (e instanceof AeadError) return reject("BAD_RESOURCE", e.message, { envelope });
    return reject("BAD_RESOURCE", "resource does not decrypt", { envelope });
  }
  // Authenticated by the GCM tag: decoded without a second validating pass.
  let resource: unknown;
  try {
    resource = JSON.parse(plain.toString("utf8"));
  } catch {
    return reject("BAD_RESOURCE", "decrypted resource is not JSON", { envelope });
  }
  if (!isObj(resource)) return reject("BAD_RESOURCE", "decrypted resource is not an object", { envelope });
  return { ok: true, envelope, resource };
}

/**
 * Parses a payment notify (TRANSACTION.SUCCESS). Checks in order: size, signature and headers (BAD_SIGN),
 * JSON (BAD_JSON), decryption (BAD_RESOURCE), event type (UNSUPPORTED_EVENT), mchid (WRONG_MCH_ID), appid
 * (WRONG_APPID), then the fields (MISSING_FIELD). The amount comparison against the order is the caller's.
 */
export function parseV3PayNotify(message: TSignedMessage, config: TV3NotifyConfig): TV3PayNotifyResult {
  const o = openV3Notify(message, config);
  if (!o.ok) return o;
  const { envelope, resource } = o;
  if (envelope.eventType !== "TRANSACTION.SUCCESS") {
    return reject("UNSUPPORTED_EVENT", `event_type ${envelope.eventType.slice(0, 64)} is not a payment`, {
      envelope,
    });
  }
  if (s(resource, "mchid") !== config.mchId)
    return reject("WRONG_MCH_ID", "mchid is not this merchant", { envelope });
  if (!config.appIds.includes(s(resource, "appid") ?? "")) {
    return reject("WRONG_APPID", "appid is not one of ours", { envelope });
  }
  const t = toTransaction(resource);
  if (!t.ok) return reject("MISSING_FIELD", `${t.field} is missing`, { envelope });
  const tx = t.value;
  if (tx.tradeState !== "SUCCESS")
    return reject("MISSING_FIELD", `trade_state is ${tx.tradeState}`, { envelope });
  for (const [name, v] of [
    ["transaction_id", tx.transactionId],
    ["trade_type", tx.tradeType],
    ["payer.openid", tx.openid],
    ["success_time", tx.paidAt],
    ["amount.total", tx.totalFen],
  ] as const) {
    if (v === undefined || v === "")
      return reject("MISSING_FIELD", `${name} is missing or malformed`, { envelope });
  }
  if ((tx.totalFen as number) < 1)
    return reject("MISSING_FIELD", "amount.total is not positive fen", { envelope });
  const n: TV3PayNotification = {
    apiVersion: "v3",
    appId: tx.appId,
    mchId: tx.mchId,
    outTradeNo: tx.outTradeNo,
    transactionId: tx.transactionId as string,
    totalFeeFen: tx.totalFen as number,
    feeType: tx.currency ?? "CNY",
    tradeType: tx.tradeType as string,
    openid: tx.openid as string,
    resultCode: "SUCCESS",
    tradeState: tx.tradeState,
    successTime: tx.successTime as string,
    paidAt: tx.paidAt as Date,
    envelope,
    resource,
  };
  if (tx.payerTotalFen !== undefined) n.cashFeeFen = tx.payerTotalFen;
  if (tx.attach !== undefined) n.attach = tx.attach;
  if (tx.bankType !== undefined) n.bankType = tx.bankType;
  return { ok: true, notification: n };
}

const REFUND_EVENTS = {
  "REFUND.SUCCESS": "SUCCESS",
  "REFUND.ABNORMAL": "ABNORMAL",
  "REFUND.CLOSED": "CLOSED",
} as const;

/** Parses a refund notify (REFUND.SUCCESS | REFUND.ABNORMAL | REFUND.CLOSED), in the same order of checks. */
export function parseV3RefundNotify(message: TSignedMessage, config: TV3NotifyConfig): TV3RefundNotifyResult {
  const o = openV3Notify(message, config);
  if (!o.ok) return o;
  const { envelope, resource } = o;
  const eventType = envelope.eventType;
  if (!Object.hasOwn(REFUND_EVENTS, eventType)) {
    return reject("UNSUPPORTED_EVENT", `event_type ${eventType.slice(0, 64)} is not a refund`, { envelope });
  }
  if (s(resource, "mchid") !== config.mchId)
    return reject("WRONG_MCH_ID", "mchid is not this merchant", { envelope });
  const r = toRefund(resource);
  if (!r.ok) return reject("MISSING_FIELD", `${r.field} is missing`, { envelope });
  const expected = REFUND_EVENTS[eventType as keyof typeof REFUND_EVENTS];
  if (r.value.status !== expected) {
    return reject("MISSING_FIELD", `refund_status ${r.value.status} does not match ${eventType}`, {
      envelope,
    });
  }
  return {
    ok: true,
    notification: {
      ...r.value,
      apiVersion: "v3",
      mchId: config.mchId,
      refundStatus: r.value.status,
      eventType: eventType as keyof typeof REFUND_EVENTS,
      envelope,
      resource,
    },
  };
}

/**
 * WeChat's reply: success is HTTP 200 or 204 with no body needed; failure is 4XX/5XX with
 * `{"code":"FAIL","message":"失败"}`, and WeChat retries (15s/15s/30s/3m/10m/20m/30m/…, at most 15 times).
 * The status decides: a 200 with code FAIL counts as delivered.
 */
export function v3NotifyReply(
  ok: boolean,
  message?: string,
): { status: number; body: string; contentType: string } {
  if (ok) return { status: 204, body: "", contentType: "application/json" };
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const text = (message ?? "失败").replace(/[\u0000-\u001F]/g, "").slice(0, 128);
  return {
    status: 500,
    body: JSON.stringify({ code: "FAIL", message: text }),
    contentType: "application/json",
  };
}
