// prepay: turn a PENDING order into the pay parameters of one channel. One payment attempt per out_trade_no;
// its exact unifiedorder body is stored before it is sent, so a retry after a timeout re-sends the same bytes
// (WeChat: "订单重入时，要求参数值与原请求一致") and a fresh mweb_url comes from re-entry, not a new order.
import { and, eq, inArray, sql } from "drizzle-orm";

import { orders, paymentAttempts, rowsOf } from "@wxpay/db";
import type { TOrderRow, TPaymentAttemptRow } from "@wxpay/db/schema";
import { appendRedirectUrl, generateOutTradeNo, WechatPayError } from "@wxpay/wechatpay";

import { NOTIFY_PATH, NOTIFY_PATH_V3, resultPath } from "../config";
import type { CoreDeps } from "../deps";
import { CoreError } from "../errors";
import type {
  TGatewayOrder,
  TJsapiPayParams,
  TMiniPayParams,
  TPrepayReply,
} from "../gateway/payment-gateway";
import { gatewayFor } from "../gateway/payment-gateway";
import { refusalOf } from "../gateway/refusal";
import { newAttemptId } from "../ids";
import { findOwnedOrder } from "../orders/order-view";
import type { TOrderFacts } from "../orders/recent-orders";
import { recentOrder } from "../orders/recent-orders";
import { CLOSE_MIN_AGE_MS } from "../reconcile/reconcile-pass";
import type { TSession } from "../session/session-token";
import { syncAttempt } from "./sync-attempt";

export type TChannel = "h5" | "jsapi" | "mini" | "native";

export type TPrepayResult =
  | { channel: "h5"; mwebUrl: string }
  | { channel: "jsapi"; payParams: TJsapiPayParams }
  | { channel: "mini"; payParams: TMiniPayParams }
  /** Desktop: the weixin://wxpay/… link the page shows as a QR code. */
  | { channel: "native"; codeUrl: string };

export type TPrepayInput = {
  session: TSession | undefined;
  orderId: string;
  channel: TChannel;
  clientIp: string;
};

// WeChat: time_expire must leave at least 5 minutes (older docs: "最短失效时间间隔必须大于5分钟"); keep a margin.
const MIN_REMAINING_MS = 5 * 60 * 1000 + 30_000;
// Do not hand out a URL or prepay_id about to lapse while the shopper is still on the way.
const MWEB_MARGIN_MS = 30_000;
const PREPAY_MARGIN_MS = 5 * 60 * 1000;

type TTarget = { tradeType: "MWEB" | "JSAPI" | "NATIVE"; appId: string; openid: string | null };

function targetFor(deps: CoreDeps, session: TSession, channel: TChannel): TTarget {
  const { officialAccount, miniProgram } = deps.config;
  if (channel === "h5") return { tradeType: "MWEB", appId: officialAccount.appId, openid: null };
  // NATIVE: whoever scans the QR code pays; no openid is bound in advance.
  if (channel === "native") return { tradeType: "NATIVE", appId: officialAccount.appId, openid: null };
  if (channel === "jsapi") {
    // The openid comes from the server session (OAuth), never from the client.
    if (session.kind !== "h5" || !session.openid)
      throw new CoreError("OAUTH_REQUIRED", "需要微信授权后才能在微信内支付");
    return { tradeType: "JSAPI", appId: officialAccount.appId, openid: session.openid };
  }
  if (session.kind !== "mini") throw new CoreError("LOGIN_REQUIRED", "请先登录小程序");
  return { tradeType: "JSAPI", appId: miniProgram.appId, openid: session.openid };
}

function orderBody(deps: CoreDeps, order: TOrderFacts): string {
  const first = order.items[0];
  const more = order.items.length > 1 ? `等${order.items.length}件` : "";
  return `${deps.config.shopName}-${first?.title ?? "商品"}${more}`;
}

export async function prepay(deps: CoreDeps, input: TPrepayInput): Promise<TPrepayResult> {
  if (!input.session) throw new CoreError("NOT_FOUND", "订单不存在");
  const { customerId } = input.session;
  // An order this process has just created is not read again; its status is then unknown here, and the claim below
  // checks it under the order's row lock (falling back to a locked read that says what changed).
  const order: TOrderFacts & Partial<Pick<TOrderRow, "status">> =
    recentOrder(deps.db, customerId, input.orderId, deps.now()) ??
    (await findOwnedOrder(deps, customerId, input.orderId));
  assertPayable(order, deps.now());
  const target = targetFor(deps, input.session, input.channel);

  const claimed =
    (await claimNewAttemptAtOnce(deps, order, input.channel, target, input.clientIp)) ??
    (await claimAttempt(deps, order.id, input.channel, target, input.clientIp));
  const { attempt } = claimed;
  const now = deps.now();
  const fresh =
    attempt.status === "PREPAID" &&
    attempt.prepayId &&
    (input.channel === "h5"
      ? attempt.mwebUrl &&
        attempt.mwebExpiresAt &&
        attempt.mwebExpiresAt.getTime() - now.getTime() > MWEB_MARGIN_MS
      : input.channel === "native"
        ? attempt.codeUrl &&
          attempt.prepayExpiresAt &&
          attempt.prepayExpiresAt.getTime() - now.getTime() > PREPAY_MARGIN_MS
        : attempt.prepayExpiresAt && attempt.prepayExpiresAt.getTime() - now.getTime() > PREPAY_MARGIN_MS);
  if (fresh) return handOut(deps, order, input.channel, attempt);
  // send() stores the answer and checks the order in one statement: its result is ready to hand out.
  const sent = await send(deps, order, attempt, { allowFresh: !claimed.created });
  if (sent) return payParams(deps, order, input.channel, sent);

  // WeChat refused the reused out_trade_no for good: one new attempt (the refused one is no longer live).
  const next = await claimAttempt(deps, order.id, input.channel, target, input.clientIp);
  const sentNext = await send(deps, order, next.attempt, { allowFresh: false });
  if (!sentNext) throw new CoreError("WECHAT_REJECTED", "微信支付暂不可用，请稍后再试");
  return payParams(deps, order, input.channel, sentNext);
}

/** A status left out is one not known yet (a remembered order): only the expiry is checked then. */
function assertPayable(
  order: Pick<TOrderRow, "expiresAt"> & Partial<Pick<TOrderRow, "status">>,
  now: Date,
): void {
  if (order.status === "CLOSED") throw new CoreError("ORDER_CLOSED", "订单已关闭，请重新下单");
  if (order.status !== undefined && order.status !== "PENDING")
    throw new CoreError("ORDER_PAID", "订单已支付");
  // WeChat stops taking payment at time_expire (the order's expiry); so does the shop.
  if (order.expiresAt.getTime() <= now.getTime())
    throw new CoreError("ORDER_CLOSED", "订单已过期，请重新下单");
}

/**
 * The order's live attempt for this channel, or a new one — decided under the order's row lock, so concurrent prepay
 * calls for one order are serialised and at most one attempt per order and channel is live (a partial unique index
 * says so too). A live attempt for another payer (another appid or openid) is superseded: closed at WeChat later.
 */
async function claimAttempt(
  deps: CoreDeps,
  orderId: string,
  channel: TChannel,
  target: TTarget,
  clientIp: string,
): Promise<{ attempt: TPaymentAttemptRow; created: boolean }> {
  return deps.db.transaction(async (tx) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for("update");
    if (!order) throw new CoreError("NOT_FOUND", "订单不存在");
    const now = deps.now();
    assertPayable(order, now);
    const [live] = await tx
      .select()
      .from(paymentAttempts)
      .where(
        and(
          eq(paymentAttempts.orderId, orderId),
          eq(paymentAttempts.channel, channel),
          inArray(paymentAttempts.status, ["CREATED", "PREPAID"]),
        ),
      );
    if (live && live.appid === target.appId && live.openid === target.openid) {
      return { attempt: live, created: false };
    }
    if (live) await retireAttempt(tx, live, now, "another payer took over this channel");
    if (order.expiresAt.getTime() - now.getTime() < MIN_REMAINING_MS) {
      throw new CoreError("ORDER_CLOSED", "订单即将过期，请重新下单");
    }
    return { attempt: await createAttempt(deps, tx, order, channel, target, clientIp), created: true };
  });
}

/**
 * Marks an attempt for closing at WeChat (SUPERSEDED): reconciliation calls closeorder once WeChat allows it (5 minutes
 * after creation) and only then makes it CLOSED — or closes it here at once if WeChat never heard of it.
 */
export async function retireAttempt(
  db: Pick<CoreDeps["db"], "update">,
  attempt: Pick<TPaymentAttemptRow, "id" | "createdAt">,
  now: Date,
  why: string,
): Promise<void> {
  await db
    .update(paymentAttempts)
    .set({
      status: "SUPERSEDED",
      nextCheckAt: new Date(Math.max(attempt.createdAt.getTime() + CLOSE_MIN_AGE_MS, now.getTime())),
      lastError: why.slice(0, 500),
      updatedAt: now,
    })
    .where(and(eq(paymentAttempts.id, attempt.id), inArray(paymentAttempts.status, ["CREATED", "PREPAID"])));
}

async function createAttempt(
  deps: CoreDeps,
  tx: Pick<CoreDeps["db"], "insert">,
  order: TOrderFacts,
  channel: TChannel,
  target: TTarget,
  clientIp: string,
): Promise<TPaymentAttemptRow> {
  const { outTradeNo, version, prepared } = prepareAttempt(deps, order, target, clientIp);
  // Written before WeChat hears of it: a notify that outruns the unifiedorder reply still finds its attempt.
  const [row] = await tx
    .insert(paymentAttempts)
    .values(newAttemptValues(deps, order, channel, target, clientIp, { outTradeNo, version, prepared }))
    .returning();
  if (!row) throw new Error("payment attempt insert returned nothing");
  return row;
}

/** The out_trade_no and the exact request bytes of a new attempt, built before anything is written. */
function prepareAttempt(deps: CoreDeps, order: TOrderFacts, target: TTarget, clientIp: string) {
  const { config } = deps;
  const outTradeNo = generateOutTradeNo(deps.now());
  const gateway = gatewayFor(deps);
  const common = {
    appId: target.appId,
    outTradeNo,
    description: orderBody(deps, order),
    amountFen: order.amountFen,
    notifyUrl: `${config.appUrl}${gateway.version === "v3" ? NOTIFY_PATH_V3 : NOTIFY_PATH}`,
    clientIp,
    timeExpire: order.expiresAt,
    attach: order.id,
  };
  const request: TGatewayOrder =
    target.tradeType === "MWEB"
      ? { ...common, tradeType: "MWEB", wapUrl: config.appUrl, wapName: config.shopName }
      : target.tradeType === "NATIVE"
        ? // WeChat: product_id is required for NATIVE (String(32)); the order's first SKU names what is sold.
          { ...common, tradeType: "NATIVE", productId: order.items[0]?.sku ?? "ORDER" }
        : { ...common, tradeType: "JSAPI", openid: target.openid ?? "" };
  let prepared;
  try {
    prepared = gateway.prepareOrder(request);
  } catch (err) {
    deps.log.error("unifiedorder request could not be built", { orderId: order.id, error: String(err) });
    throw new CoreError("WECHAT_REJECTED", "微信支付暂不可用，请稍后再试", { cause: err });
  }
  return { outTradeNo, version: gateway.version, prepared };
}

function newAttemptValues(
  deps: CoreDeps,
  order: TOrderFacts,
  channel: TChannel,
  target: TTarget,
  clientIp: string,
  a: ReturnType<typeof prepareAttempt>,
) {
  const now = deps.now();
  return {
    id: newAttemptId(),
    orderId: order.id,
    outTradeNo: a.outTradeNo,
    channel,
    tradeType: target.tradeType,
    appid: target.appId,
    mchId: deps.config.mchId,
    openid: target.openid,
    signType: a.prepared.signType,
    apiVersion: a.version,
    amountFen: order.amountFen,
    clientIp,
    requestXml: a.prepared.request,
    status: "CREATED" as const,
    // Reconciliation looks at it even if unifiedorder never answers.
    nextCheckAt: new Date(now.getTime() + 60_000),
    // The shop's clock, as every later decision about the attempt (closeorder only 5 minutes after this) uses.
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * The usual first prepay of an order on a channel, in one statement: lock the order (still PENDING, not about to
 * expire), and insert the new attempt only if the channel has no live one. Undefined when any of that does not hold
 * (an attempt to reuse, a payer to supersede, an order that changed, a concurrent claim that won the unique index):
 * then nothing was written and claimAttempt decides under the same lock.
 */
async function claimNewAttemptAtOnce(
  deps: CoreDeps,
  order: TOrderFacts,
  channel: TChannel,
  target: TTarget,
  clientIp: string,
): Promise<{ attempt: TPaymentAttemptRow; created: true } | undefined> {
  const now = deps.now();
  if (order.expiresAt.getTime() - now.getTime() < MIN_REMAINING_MS) return undefined;
  const v = newAttemptValues(
    deps,
    order,
    channel,
    target,
    clientIp,
    prepareAttempt(deps, order, target, clientIp),
  );
  const res = await deps.db
    .execute(
      sql`
      with payable as (
        select id from orders
         where id = ${order.id} and customer_id = ${order.customerId} and status = 'PENDING'
           and amount_fen = ${order.amountFen}::int
           and expires_at > ${new Date(now.getTime() + MIN_REMAINING_MS).toISOString()}::timestamptz
           for update
      )
      insert into payment_attempts (id, order_id, out_trade_no, channel, trade_type, appid, mch_id, openid, sign_type,
                                    api_version, amount_fen, client_ip, request_xml, status, next_check_at, created_at,
                                    updated_at)
      select ${v.id}, p.id, ${v.outTradeNo}, ${v.channel}::pay_channel, ${v.tradeType}, ${v.appid}, ${v.mchId},
             ${v.openid}, ${v.signType}, ${v.apiVersion}::wechatpay_api_version, ${v.amountFen}::int, ${v.clientIp}, ${v.requestXml},
             'CREATED', ${v.nextCheckAt.toISOString()}::timestamptz, ${v.createdAt.toISOString()}::timestamptz,
             ${v.updatedAt.toISOString()}::timestamptz
        from payable p
       -- The order id as a parameter, not p.id: the check is then an index lookup on (order_id, channel), whatever
       -- the planner believes about a table that statistics have not seen yet (else a scan of every live attempt).
       where not exists (select 1 from payment_attempts l
                          where l.order_id = ${order.id} and l.channel = ${v.channel}::pay_channel
                            and l.status in ('CREATED', 'PREPAID'))
      returning id`,
    )
    // A concurrent claim for this channel committed first (the partial unique index): decide under the lock.
    .catch((err: unknown) => {
      if (isUniqueViolation(err)) return [];
      throw err;
    });
  const rows = rowsOf<{ id: string }>(res);
  if (rows.length === 0) return undefined;
  const attempt: TPaymentAttemptRow = {
    ...v,
    prepayId: null,
    prepayExpiresAt: null,
    mwebUrl: null,
    mwebExpiresAt: null,
    codeUrl: null,
    transactionId: null,
    paidAt: null,
    lastError: null,
    lastQueriedAt: null,
    checkCount: 0,
    closedAt: null,
  };
  return { attempt, created: true };
}

/**
 * Sends the attempt's stored request and stores the answer. Returns the PREPAID attempt of an order still PENDING, or
 * undefined when WeChat refused this out_trade_no for good (the caller may start a new attempt). Throws CoreError for
 * everything the shopper must hear.
 */
async function send(
  deps: CoreDeps,
  order: TOrderFacts,
  attempt: TPaymentAttemptRow,
  opts: { allowFresh: boolean },
): Promise<TPaymentAttemptRow | undefined> {
  let result: TPrepayReply;
  try {
    // The attempt's own API version and stored bytes, whatever the shop is switched to now.
    result = await gatewayFor(deps, attempt.apiVersion).sendOrder({
      request: attempt.requestXml,
      tradeType: attempt.tradeType,
    });
  } catch (err) {
    return handleSendError(deps, order, attempt, err, opts);
  }
  const now = deps.now();
  const updated: TPaymentAttemptRow = {
    ...attempt,
    status: "PREPAID",
    prepayId: result.prepayId,
    prepayExpiresAt: result.prepayExpiresAt,
    mwebUrl: result.mwebUrl,
    mwebExpiresAt: result.mwebExpiresAt,
    codeUrl: result.codeUrl,
    lastError: null,
    // Reconciliation's first look, in case no notify ever comes.
    nextCheckAt: new Date(now.getTime() + 60_000),
    checkCount: 0,
    updatedAt: now,
  };
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  // The answer is stored and the order's status read in one statement (the hand-out check of handOut): a notify that
  // paid this attempt or a sibling first has changed this attempt's status, so the update finds nothing to store.
  const res = await deps.db.execute(sql`
    with stored as (
      update payment_attempts
         set status = 'PREPAID', prepay_id = ${updated.prepayId}, prepay_expires_at = ${iso(updated.prepayExpiresAt)}::timestamptz,
             mweb_url = ${updated.mwebUrl}, mweb_expires_at = ${iso(updated.mwebExpiresAt)}::timestamptz,
             code_url = ${updated.codeUrl}, last_error = null,
             next_check_at = ${iso(updated.nextCheckAt)}::timestamptz, check_count = 0,
             updated_at = ${now.toISOString()}::timestamptz
       where id = ${attempt.id} and status in ('CREATED', 'PREPAID')
      returning order_id
    )
    select o.status from stored s join orders o on o.id = s.order_id`);
  const [stored] = rowsOf<{ status: TOrderRow["status"] }>(res);
  if (!stored) {
    // Paid or superseded meanwhile (a notify won the race): report the order's real state.
    const [o] = await deps.db.select({ status: orders.status }).from(orders).where(eq(orders.id, order.id));
    if (o?.status === "PENDING") throw new CoreError("WECHAT_BUSY", "支付状态变化中，请稍后重试");
    throw new CoreError(o?.status === "CLOSED" ? "ORDER_CLOSED" : "ORDER_PAID", "订单状态已变化");
  }
  if (stored.status !== "PENDING") {
    throw new CoreError(stored.status === "CLOSED" ? "ORDER_CLOSED" : "ORDER_PAID", "订单状态已变化");
  }
  return updated;
}

async function handleSendError(
  deps: CoreDeps,
  order: TOrderFacts,
  attempt: TPaymentAttemptRow,
  err: unknown,
  opts: { allowFresh: boolean },
): Promise<TPaymentAttemptRow | undefined> {
  const now = deps.now();
  const note = (e: unknown) =>
    (e instanceof WechatPayError ? `${e.code}: ${e.message}` : String(e)).slice(0, 500);
  const remember = (status?: "FAILED") =>
    deps.db
      .update(paymentAttempts)
      .set({ lastError: note(err), updatedAt: now, ...(status ? { status, nextCheckAt: null } : {}) })
      .where(eq(paymentAttempts.id, attempt.id));
  // WeChat: "商户订单支付失败需要生成新单号重新发起支付，要对原订单号调用关单，避免重复支付". An out_trade_no WeChat may
  // hold (it was sent before, or WeChat says it exists) is closed there before it is given up here.
  const giveUp = async (weChatMayHoldIt: boolean) => {
    if (weChatMayHoldIt) await retireAttempt(deps.db, attempt, now, note(err));
    else await remember("FAILED");
  };
  const sentBefore = attempt.status === "PREPAID" || attempt.lastError !== null;

  const refusal = refusalOf(err);
  if (!refusal) {
    // Timeout, network, bad reply signature: we do not know what WeChat did. Keep the stored request; the next
    // try re-sends it byte for byte (WeChat: "请用相同参数重新调用").
    deps.log.warn("unifiedorder: no trustworthy answer; will re-send the same request", {
      orderId: order.id,
      outTradeNo: attempt.outTradeNo,
      error: note(err),
    });
    await remember();
    throw new CoreError("WECHAT_BUSY", "微信支付响应超时，请稍后重试", { cause: err });
  }
  switch (refusal.remedy) {
    case "RETRY_SAME":
    case "RETRY_LATER":
    case "QUERY_ORDER":
      await remember();
      throw new CoreError("WECHAT_BUSY", "微信支付繁忙，请稍后重试", { cause: err });
    case "TREAT_AS_PAID": {
      // WeChat: ORDERPAID "商户订单已支付，无需重复操作" — learn it from a signed orderquery, never from the error.
      await remember();
      const synced = await syncAttempt(deps, attempt).catch(() => undefined);
      if (synced?.kind === "paid") throw new CoreError("ORDER_PAID", "订单已支付");
      throw new CoreError("WECHAT_BUSY", "正在确认支付结果，请稍后查看订单", { cause: err });
    }
    case "NEW_OUT_TRADE_NO":
    case "TREAT_AS_CLOSED":
      // ORDERCLOSED / OUT_TRADE_NO_USED / "201 商户订单号重复": this out_trade_no is finished; a new one may work.
      // Only ORDERCLOSED says WeChat's order is closed; the others say it exists, open.
      await giveUp(!refusal.orderClosed);
      if (opts.allowFresh) return undefined;
      throw new CoreError("WECHAT_REJECTED", "微信支付暂不可用，请稍后再试", { cause: err });
    default:
      await giveUp(sentBefore);
      deps.log.error("unifiedorder refused", {
        orderId: order.id,
        outTradeNo: attempt.outTradeNo,
        code: refusal.code,
        remedy: refusal.remedy,
      });
      throw new CoreError("WECHAT_REJECTED", "微信支付暂不可用，请稍后再试", { cause: err });
  }
}

/**
 * Pay parameters of a reused attempt only for an order still PENDING whose attempt is still PREPAID, read after the
 * claim: a notify that paid the order meanwhile (this attempt or another) is never answered with something to pay
 * again. (A freshly sent attempt gets the same check from send's own statement.)
 */
async function handOut(
  deps: CoreDeps,
  order: TOrderFacts,
  channel: TChannel,
  attempt: TPaymentAttemptRow,
): Promise<TPrepayResult> {
  const [now] = await deps.db
    .select({ order: orders.status, attempt: paymentAttempts.status })
    .from(paymentAttempts)
    .innerJoin(orders, eq(orders.id, paymentAttempts.orderId))
    .where(eq(paymentAttempts.id, attempt.id));
  if (now?.order !== "PENDING") {
    throw new CoreError(now?.order === "CLOSED" ? "ORDER_CLOSED" : "ORDER_PAID", "订单状态已变化");
  }
  if (now.attempt !== "PREPAID") throw new CoreError("WECHAT_BUSY", "支付状态变化中，请稍后重试");
  return payParams(deps, order, channel, attempt);
}

function payParams(
  deps: CoreDeps,
  order: TOrderFacts,
  channel: TChannel,
  attempt: TPaymentAttemptRow,
): TPrepayResult {
  const { config } = deps;
  const prepayId = attempt.prepayId ?? "";
  if (channel === "h5") {
    // WeChat returns to redirect_url whatever happened; the result page asks orderStatus, never assumes.
    return {
      channel,
      mwebUrl: appendRedirectUrl(attempt.mwebUrl ?? "", `${config.appUrl}${resultPath(order.id)}`),
    };
  }
  if (channel === "native") return { channel, codeUrl: attempt.codeUrl ?? "" };
  // Signed by the attempt's API version and sign type, whatever is configured today.
  const { appId, ...mini } = gatewayFor(deps, attempt.apiVersion).payParams({
    appId: attempt.appid,
    prepayId,
    signType: attempt.signType,
  });
  if (channel === "jsapi") return { channel, payParams: { appId, ...mini } };
  return { channel, payParams: mini };
}

/** A unique index refused the row (PostgreSQL 23505), whether the driver's error arrives bare or wrapped. */
function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    if ((e as { code?: unknown }).code === "23505") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
