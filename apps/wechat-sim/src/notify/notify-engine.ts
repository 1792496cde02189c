// Delivers payment and refund notifies the way WeChat does: POST the XML to notify_url, count it acknowledged
// only for an exact XML reply with return_code SUCCESS, HTTP 200, within the 5 s deadline, otherwise retry on
// WeChat's schedule. Every delivery is recorded with the reply it got. Faults (drop, duplicate, delay, reorder,
// forged copies) come from the rules set through the control API.
// Orders and refunds made through API v3 get v3 notifies on the same schedule: a JSON envelope with an
// AES-GCM resource, signed afresh for each delivery (sometimes with a WECHATPAY/SIGNTEST/ probe), and
// acknowledged by any HTTP 2xx within the deadline, whatever the body.
import { randomBytes, randomUUID } from "node:crypto";

import { buildXml, encryptReqInfo, formatBeijingTime, parseXml, sign } from "@wxpay/wechatpay";

import type { SimClock } from "../clock";
import type { Log, SimConfig } from "../context";
import { newNonce } from "../ids";
import { dashedBeijingTime } from "../pay/refund-query";
import type {
  FaultRule,
  NotifyAttempt,
  NotifyJob,
  NotifyOutcome,
  Order,
  Refund,
  SignType,
  SimState,
} from "../state";
import { v3NotifyBody, PAY_EVENT, refundEvent } from "../v3/notify";
import { refundNotifyResource, transactionJson, v3RefundStatus } from "../v3/resources";
import { notifyKey, signatureNowSec, signBody, takeProbe } from "../v3/signer";
import { retryGapAfter } from "./retry-schedule";

export type NotifyEngine = {
  enqueuePay(order: Order): NotifyJob | undefined;
  enqueueRefund(refund: Refund): NotifyJob | undefined;
  dispose(): void;
};

const MAX_REPLY_BYTES = 64 * 1024;
const RECORDED_REPLY_CHARS = 2000;
const DUPLICATE_GAP_MS = 1000;
type Extra = NonNullable<NotifyAttempt["extra"]>;

export function createNotifyEngine(deps: {
  state: SimState;
  clock: SimClock;
  config: SimConfig;
  log: Log;
}): NotifyEngine {
  const { state, clock, config, log } = deps;
  const inflight = new Set<AbortController>();
  const extrasFor = new Map<number, { extra: Extra; body: string }[]>();
  const duplicatesFor = new Map<number, number>();
  const held = new Map<string, NotifyJob[]>();
  let disposed = false;

  function realDeadlineMs(): number {
    // The 5 s deadline is simulated time, scaled like everything else, with a floor for loopback round trips.
    if (clock.timeScale === 0) return config.notifyDeadlineMs;
    return Math.max(config.notifyDeadlineMs / clock.timeScale, config.minRealNotifyDeadlineMs);
  }

  /** v3: the Wechatpay-* headers of one delivery, signed now; forged copies are signed by the wrong party. */
  function v3Headers(job: NotifyJob, extra: Extra | undefined, body: string): Partial<NotifyAttempt> {
    if (job.apiVersion !== "v3") return {};
    const merchant = state.merchants.get(job.mchId);
    if (!merchant) return {};
    // Duplicates and forged copies are never probes: a probe stands in for one genuine delivery.
    const probe = extra === undefined && takeProbe(merchant, "notify");
    const headers = signBody(body, {
      key: notifyKey(merchant),
      timestampSec: signatureNowSec(clock, config),
      probe,
      forgeWithMerchantKey: extra === "bad_signature",
    });
    return probe ? { headers, probe } : { headers };
  }

  async function deliver(
    url: string,
    body: string,
    job: NotifyJob,
    extra?: Extra,
  ): Promise<Partial<NotifyAttempt>> {
    const v3 = v3Headers(job, extra, body);
    const ac = new AbortController();
    inflight.add(ac);
    const timer = setTimeout(() => ac.abort(), realDeadlineMs());
    const t0 = performance.now();
    try {
      const res = await fetch(url, {
        method: "POST",
        body,
        headers: {
          "content-type": job.apiVersion === "v3" ? "application/json" : "text/xml",
          "user-agent": "Mozilla/4.0",
          ...v3.headers,
        },
        redirect: "manual",
        signal: ac.signal,
      });
      const bytes = await readLimited(res, MAX_REPLY_BYTES);
      const reply = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
      return {
        ...v3,
        httpStatus: res.status,
        reply: reply.slice(0, RECORDED_REPLY_CHARS),
        outcome: job.apiVersion === "v3" ? classifyV3Reply(res.status) : classifyReply(res.status, bytes),
        realDurationMs: Math.round(performance.now() - t0),
      };
    } catch (err) {
      const timedOut = ac.signal.aborted && !disposed;
      return {
        ...v3,
        outcome: timedOut ? "TIMEOUT" : "NETWORK_ERROR",
        error: timedOut ? `no reply within ${config.notifyDeadlineMs} ms (simulated)` : errorMessage(err),
        realDurationMs: Math.round(performance.now() - t0),
      };
    } finally {
      clearTimeout(timer);
      inflight.delete(ac);
    }
  }

  async function sendExtra(job: NotifyJob, n: number, extra: Extra, body: string): Promise<void> {
    if (disposed) return;
    const attempt: NotifyAttempt = { n, scheduledAt: clock.now(), startedAt: clock.now(), extra, body };
    job.attempts.push(attempt);
    Object.assign(attempt, await deliver(job.url, body, job, extra), { finishedAt: clock.now() });
    log(`notify ${job.kind} ${job.outTradeNo} extra ${extra} -> ${attempt.outcome}`);
  }

  async function runAttempt(job: NotifyJob): Promise<void> {
    if (disposed || job.status !== "pending") return;
    const n = job.attempts.filter((a) => !a.extra).length + 1;
    const scheduledAt = job.nextAttemptAt ?? clock.now();
    job.nextAttemptAt = undefined;
    if (n === 1) {
      // Forged copies go first, so a merchant that trusts them is caught before the genuine one arrives.
      for (const { extra, body } of extrasFor.get(job.id) ?? []) await sendExtra(job, 0, extra, body);
      extrasFor.delete(job.id);
      const copies = duplicatesFor.get(job.id) ?? 0;
      for (let i = 1; i <= copies; i++) {
        clock.at(clock.now() + i * DUPLICATE_GAP_MS, () => void sendExtra(job, 1, "duplicate", job.body));
      }
      duplicatesFor.delete(job.id);
    }
    if (disposed) return;
    const attempt: NotifyAttempt = { n, scheduledAt, startedAt: clock.now(), body: job.body };
    job.attempts.push(attempt);
    Object.assign(attempt, await deliver(job.url, job.body, job), { finishedAt: clock.now() });
    log(
      `notify ${job.kind} ${job.outTradeNo} #${n}${attempt.probe ? " (signature probe)" : ""} -> ${attempt.outcome}${attempt.error ? ` (${attempt.error})` : ""}`,
    );
    if (disposed) return;
    if (attempt.outcome === "SUCCESS") {
      job.status = "delivered";
      return;
    }
    const gap = retryGapAfter(n);
    if (gap === undefined) {
      job.status = "gave_up";
      return;
    }
    // The schedule counts from when the attempt was due, so a slow merchant does not stretch it (a delivery
    // that overran the gap is followed at once).
    const next = scheduledAt + gap;
    job.nextAttemptAt = next;
    clock.at(next, () => void runAttempt(job));
  }

  function hold(job: NotifyJob, at: number) {
    const list = held.get(job.mchId) ?? [];
    held.set(job.mchId, list);
    list.push(job);
    if (list.length > 1) return;
    clock.at(Math.max(at, clock.now()) + config.reorderWindowMs, () => {
      const jobs = (held.get(job.mchId) ?? []).reverse();
      held.delete(job.mchId);
      void (async () => {
        // Newest first, one after another, so the merchant sees them in reverse order.
        for (const j of jobs) {
          j.nextAttemptAt = clock.now();
          await runAttempt(j);
        }
      })();
    });
  }

  function enqueue(job: NotifyJob, rule: FaultRule, forge: (extra: Extra) => string): NotifyJob {
    state.notifyJobs.push(job);
    if (rule.drop) {
      job.status = "dropped";
      log(`notify ${job.kind} ${job.outTradeNo} dropped by fault rule`);
      return job;
    }
    const extras: { extra: Extra; body: string }[] = [];
    if (rule.badSignature) extras.push({ extra: "bad_signature", body: forge("bad_signature") });
    if (rule.badAmount !== undefined && rule.badAmount !== false)
      extras.push({ extra: "bad_amount", body: forge("bad_amount") });
    if (extras.length > 0) extrasFor.set(job.id, extras);
    if (rule.duplicate && rule.duplicate > 0) duplicatesFor.set(job.id, Math.min(rule.duplicate, 100));
    const first = clock.now() + Math.max(0, rule.delayMs ?? 0);
    job.nextAttemptAt = first;
    if (rule.reorder) hold(job, first);
    else clock.at(first, () => void runAttempt(job));
    return job;
  }

  function newJob(
    kind: NotifyJob["kind"],
    mchId: string,
    outTradeNo: string,
    url: string,
    body: string,
    apiVersion: NotifyJob["apiVersion"] = "v2",
  ): NotifyJob {
    return {
      id: state.nextJobId(),
      kind,
      apiVersion,
      mchId,
      outTradeNo,
      url,
      body,
      status: "pending",
      createdAt: clock.now(),
      attempts: [],
    };
  }

  return {
    enqueuePay(order) {
      const merchant = state.merchants.get(order.mchId);
      if (!merchant || !order.transactionId || order.paidAt === undefined) return undefined;
      if (order.apiVersion === "v3") {
        // WeChat: without an APIv3 key a merchant gets no v3 notifies.
        if (!merchant.v3.apiV3Key) return undefined;
        const rule = state.findFault(order.mchId, order.outTradeNo);
        // One notification id for every delivery and copy, as WeChat resends the same notification.
        const id = randomUUID();
        const body = (totalFee: number) =>
          v3NotifyBody(merchant, PAY_EVENT, transactionJson({ ...order, totalFee }), clock.now(), id);
        const job = newJob("pay", order.mchId, order.outTradeNo, order.notifyUrl, body(order.totalFee), "v3");
        job.eventType = PAY_EVENT.eventType;
        return enqueue(job, rule, (extra) =>
          extra === "bad_signature"
            ? job.body
            : body(typeof rule.badAmount === "number" ? rule.badAmount : order.totalFee + 1),
        );
      }
      const signType = order.signType as SignType;
      // Signed here rather than with buildPayNotify, which adds sign_type for HMAC-SHA256: WeChat's notify
      // often lacks it, and a merchant must verify with the order's own sign type.
      const fields = (key: string, totalFee: number) => {
        const f = payNotifyFields(order, totalFee);
        return buildXml({ ...f, sign: sign(f, key, signType) });
      };
      const rule = state.findFault(order.mchId, order.outTradeNo);
      const job = newJob(
        "pay",
        order.mchId,
        order.outTradeNo,
        order.notifyUrl,
        fields(merchant.key, order.totalFee),
      );
      return enqueue(job, rule, (extra) =>
        extra === "bad_signature"
          ? fields(wrongKey(), order.totalFee)
          : fields(merchant.key, typeof rule.badAmount === "number" ? rule.badAmount : order.totalFee + 1),
      );
    },
    enqueueRefund(refund) {
      const merchant = state.merchants.get(refund.mchId);
      if (!merchant || !refund.notifyUrl) return undefined;
      if (refund.apiVersion === "v3") {
        if (!merchant.v3.apiV3Key) return undefined;
        const event = refundEvent(v3RefundStatus(refund.status));
        const rule = state.findFault(refund.mchId, refund.outTradeNo);
        const id = randomUUID();
        const body = (refundFee: number) =>
          v3NotifyBody(merchant, event, refundNotifyResource(refund, refundFee), clock.now(), id);
        const job = newJob(
          "refund",
          refund.mchId,
          refund.outTradeNo,
          refund.notifyUrl,
          body(refund.refundFee),
          "v3",
        );
        job.outRefundNo = refund.outRefundNo;
        job.eventType = event.eventType;
        return enqueue(job, rule, (extra) =>
          extra === "bad_signature"
            ? job.body
            : body(typeof rule.badAmount === "number" ? rule.badAmount : refund.refundFee + 1),
        );
      }
      const body = (key: string, refundFee: number) =>
        buildXml({
          return_code: "SUCCESS",
          appid: refund.appId,
          mch_id: refund.mchId,
          nonce_str: newNonce(),
          req_info: encryptReqInfo(refundReqInfo(refund, refundFee), key),
        });
      const rule = state.findFault(refund.mchId, refund.outTradeNo);
      const job = newJob(
        "refund",
        refund.mchId,
        refund.outTradeNo,
        refund.notifyUrl,
        body(merchant.key, refund.refundFee),
      );
      job.outRefundNo = refund.outRefundNo;
      return enqueue(job, rule, (extra) =>
        extra === "bad_signature"
          ? body(wrongKey(), refund.refundFee)
          : body(merchant.key, typeof rule.badAmount === "number" ? rule.badAmount : refund.refundFee + 1),
      );
    },
    dispose() {
      disposed = true;
      for (const ac of inflight) ac.abort();
      inflight.clear();
    },
  };
}

/** The payment notify's fields (§8.2). WeChat usually sends no sign_type: the merchant verifies with the order's. */
function payNotifyFields(order: Order, totalFee: number): Record<string, string | number> {
  const fields: Record<string, string | number> = {
    return_code: "SUCCESS",
    appid: order.appId,
    mch_id: order.mchId,
    nonce_str: newNonce(),
    result_code: "SUCCESS",
    openid: order.payerOpenid ?? "",
    is_subscribe: "N",
    trade_type: order.tradeType,
    bank_type: order.bankType ?? "OTHERS",
    total_fee: totalFee,
    fee_type: "CNY",
    cash_fee: totalFee,
    transaction_id: order.transactionId ?? "",
    out_trade_no: order.outTradeNo,
    time_end: formatBeijingTime(new Date(order.paidAt ?? 0)),
  };
  if (order.deviceInfo) fields.device_info = order.deviceInfo;
  if (order.attach) fields.attach = order.attach;
  return fields;
}

/** The `<root>` plaintext inside a refund notify's req_info (§11.3). */
function refundReqInfo(r: Refund, refundFee: number): string {
  const fields: Record<string, string | number> = {
    out_refund_no: r.outRefundNo,
    out_trade_no: r.outTradeNo,
    refund_account: "REFUND_SOURCE_UNSETTLED_FUNDS",
    refund_fee: refundFee,
    refund_id: r.refundId,
    refund_recv_accout: "支付用户零钱",
    refund_request_source: "API",
    refund_status: r.status,
    settlement_refund_fee: refundFee,
    settlement_total_fee: r.totalFee,
    total_fee: r.totalFee,
    transaction_id: r.transactionId,
  };
  if (r.successAt !== undefined) fields.success_time = dashedBeijingTime(r.successAt);
  return buildXml(fields)
    .replace(/^<xml>/, "<root>")
    .replace(/<\/xml>$/, "</root>");
}

function wrongKey(): string {
  return randomBytes(16).toString("hex");
}

/** WeChat v3: any HTTP 2xx acknowledges the notify, whatever the body (a 200 with code=FAIL included). */
export function classifyV3Reply(httpStatus: number): NotifyOutcome {
  return httpStatus >= 200 && httpStatus < 300 ? "SUCCESS" : "HTTP_STATUS";
}

/**
 * WeChat's rule: the reply is XML with return_code SUCCESS. "success", JSON, HTML, a BOM, leading blanks or
 * anything around the XML make it a failure; only a trailing line break is tolerated.
 */
export function classifyReply(httpStatus: number, bytes: Uint8Array): NotifyOutcome {
  if (httpStatus !== 200) return "HTTP_STATUS";
  const text = Buffer.from(bytes).toString("utf8");
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "NOT_XML";
  const body = text.replace(/\r?\n$/, "");
  if (!body.startsWith("<xml>") || !body.endsWith("</xml>")) return "NOT_XML";
  let fields: Record<string, string>;
  try {
    fields = parseXml(body);
  } catch {
    return "NOT_XML";
  }
  return fields.return_code === "SUCCESS" ? "SUCCESS" : "FAIL_REPLY";
}

async function readLimited(res: Response, max: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw new Error(`reply larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
