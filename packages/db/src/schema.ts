// The shop's state. Column names are snake_case in SQL (drizzle `casing: "snake_case"`), camelCase in code.
import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** The catalog. Prices are read from here, never from a client. */
export const products = pgTable(
  "products",
  {
    sku: text().primaryKey(),
    title: text().notNull(),
    description: text().notNull().default(""),
    /** Integer fen (1 yuan = 100 fen). */
    priceFen: integer().notNull(),
    active: boolean().notNull().default(true),
    sortOrder: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("products_price_fen_positive", sql`${t.priceFen} > 0`),
    check("products_sku_format", sql`${t.sku} ~ '^[A-Z0-9-]{2,32}$'`),
  ],
);

export type TProductRow = typeof products.$inferSelect;

export const orderStatus = pgEnum("order_status", [
  "PENDING",
  "PAID",
  "CLOSED",
  "PAID_NEEDS_REVIEW",
  "REFUNDING",
  "REFUNDED",
  /** Part of the order's own payment went back; the rest is kept. */
  "PARTLY_REFUNDED",
]);
export const payChannel = pgEnum("pay_channel", ["h5", "jsapi", "mini", "native"]);
/** The WeChat Pay API version an attempt or refund was created with; everything later about it uses the same. */
export const apiVersion = pgEnum("wechatpay_api_version", ["v2", "v3"]);
export const attemptStatus = pgEnum("attempt_status", [
  /** Row written, unifiedorder not yet answered (or timed out): the stored request is re-sent as is. */
  "CREATED",
  /** unifiedorder answered with a prepay_id. */
  "PREPAID",
  "PAID",
  /** Another attempt of the order was paid; this one must be closed at WeChat. */
  "SUPERSEDED",
  "CLOSED",
  /** WeChat refused it for good (ORDERCLOSED, OUT_TRADE_NO_USED, bad parameters). */
  "FAILED",
]);

/** A shopper: anonymous on H5 (cookie), known by openid after OAuth or mini-program login. */
export const customers = pgTable("customers", {
  id: text().primaryKey(),
  miniOpenid: text().unique(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export type TOrderItemRow = { sku: string; title: string; qty: number; priceFen: number };

/** The business order. Amount computed on the server from the catalog, in integer fen. */
export const orders = pgTable(
  "orders",
  {
    id: text().primaryKey(),
    customerId: text()
      .notNull()
      .references(() => customers.id),
    items: jsonb().$type<TOrderItemRow[]>().notNull(),
    amountFen: integer().notNull(),
    feeType: text().notNull().default("CNY"),
    status: orderStatus().notNull().default("PENDING"),
    /** The attempt whose payment made the order PAID. */
    paidAttemptId: text(),
    transactionId: text().unique(),
    paidAt: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    /**
     * The channel and API version of the order's latest payment attempt (null before the first prepay), copied by the
     * `payment_attempts_set_order_channel` trigger in the attempt's own INSERT: the console filters on them by index.
     */
    channel: payChannel(),
    apiVersion: apiVersion(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("orders_amount_fen_positive", sql`${t.amountFen} > 0`),
    check("orders_fee_type_cny", sql`${t.feeType} = 'CNY'`),
    index("orders_customer_created_idx").on(t.customerId, t.createdAt),
    // The console's keyset pagination (newest first), with and without a status filter. channel and status ride
    // along so that the overview's conversion by channel is an index-only range scan (they are indexed already, so
    // their updates were not HOT updates before: no cost on the notify path).
    index("orders_created_id_idx").on(t.createdAt, t.id, t.channel, t.status),
    index("orders_status_created_id_idx").on(t.status, t.createdAt, t.id),
    index("orders_channel_created_id_idx").on(t.channel, t.createdAt.desc(), t.id.desc()),
    index("orders_api_version_created_id_idx").on(t.apiVersion, t.createdAt.desc(), t.id.desc()),
  ],
);

/** One row per out_trade_no: what was sent to WeChat, byte for byte, and what came back. */
export const paymentAttempts = pgTable(
  "payment_attempts",
  {
    id: text().primaryKey(),
    orderId: text()
      .notNull()
      .references(() => orders.id),
    outTradeNo: text().notNull().unique(),
    channel: payChannel().notNull(),
    tradeType: text().notNull(),
    appid: text().notNull(),
    mchId: text().notNull(),
    openid: text(),
    signType: text().notNull(),
    amountFen: integer().notNull(),
    clientIp: text().notNull(),
    /** The exact unifiedorder body: a retry after a timeout re-sends these bytes. */
    requestXml: text().notNull(),
    status: attemptStatus().notNull().default("CREATED"),
    prepayId: text(),
    prepayExpiresAt: timestamp({ withTimezone: true }),
    mwebUrl: text(),
    mwebExpiresAt: timestamp({ withTimezone: true }),
    /** NATIVE: the weixin://wxpay/… link shown as a QR code. */
    codeUrl: text(),
    apiVersion: apiVersion().notNull().default("v2"),
    transactionId: text().unique(),
    paidAt: timestamp({ withTimezone: true }),
    lastError: text(),
    lastQueriedAt: timestamp({ withTimezone: true }),
    /** Reconciliation: when this attempt is next due for an orderquery (null = not scheduled). */
    nextCheckAt: timestamp({ withTimezone: true }),
    checkCount: integer().notNull().default(0),
    closedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("payment_attempts_amount_fen_positive", sql`${t.amountFen} > 0`),
    // WeChat: out_trade_no is 6-32 characters of [0-9A-Za-z_-|*]; ours carry >= 96 random bits.
    check("payment_attempts_out_trade_no_format", sql`${t.outTradeNo} ~ '^[0-9A-Za-z_|*-]{6,32}$'`),
    index("payment_attempts_order_idx").on(t.orderId),
    index("payment_attempts_next_check_idx").on(t.nextCheckAt),
    // The console overview's paid per day: an index-only range scan of the paid attempts (status is already in the
    // one-live predicate, so the update to PAID was not a HOT update before this index either).
    index("payment_attempts_paid_at_idx")
      .on(t.paidAt, t.amountFen)
      .where(sql`${t.status} = 'PAID'`),
    // At most one live attempt per order and channel, whatever the concurrency of prepay calls.
    uniqueIndex("payment_attempts_one_live_per_channel")
      .on(t.orderId, t.channel)
      .where(sql`${t.status} in ('CREATED', 'PREPAID')`),
  ],
);

/**
 * What became of a notify delivery. The outcomes of a verified notify are shared by both API versions; the refusals
 * before that are each version's own words: v2's XML and MD5/HMAC (BAD_XML, BAD_SIGN, WRONG_SIGN_TYPE), v3's JSON,
 * RSA headers and AES-GCM resource (the V3_NOTIFY_REFUSALS below).
 */
export const V3_NOTIFY_REFUSALS = [
  /** Not WeChat's JSON envelope, or a decrypted resource without a field a payment needs. */
  "BAD_BODY",
  /** Over the size cap: refused before any work. */
  "BODY_TOO_LARGE",
  /** A Wechatpay-* header missing or malformed, or the signature does not verify with the key the serial names. */
  "BAD_SIGNATURE",
  /** Wechatpay-Serial names no key we hold (and no certificate download brought it). */
  "UNKNOWN_SERIAL",
  /** Wechatpay-Timestamp more than 5 minutes away from our clock. */
  "STALE_TIMESTAMP",
  /** A WECHATPAY/SIGNTEST/ probe: WeChat checking that we verify (refused, and WeChat sends the real one). */
  "SIGNTEST_PROBE",
  /** The signed resource did not decrypt with the APIv3 key (ciphertext or tag altered, or another key). */
  "DECRYPT_FAILED",
] as const;

export const notifyVerdict = pgEnum("notify_verdict", [
  "APPLIED",
  "DUPLICATE",
  "PAID_NEEDS_REVIEW",
  "NOT_SUCCESS",
  "BAD_XML",
  "BAD_SIGN",
  "WRONG_SIGN_TYPE",
  "WRONG_APPID",
  "WRONG_MCH_ID",
  "AMOUNT_MISMATCH",
  "UNKNOWN_ORDER",
  "ERROR",
  ...V3_NOTIFY_REFUSALS,
]);

/** Every notify delivery, whatever became of it. */
export const paymentNotifications = pgTable(
  "payment_notifications",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    remoteAddr: text(),
    bodySha256: text().notNull(),
    /** Size of the body as received, in bytes. */
    bodyBytes: integer(),
    /**
     * The raw body, capped, for signed deliveries only (it is evidence, and contains the payer's openid: restrict
     * access); unsigned junk is kept as its digest and size.
     */
    rawXml: text(),
    outTradeNo: text(),
    transactionId: text(),
    attemptId: text().references(() => paymentAttempts.id),
    verdict: notifyVerdict().notNull(),
    detail: text(),
    reply: text().notNull(),
  },
  (t) => [
    index("payment_notifications_transaction_idx").on(t.transactionId),
    index("payment_notifications_out_trade_no_idx").on(t.outTradeNo),
    // The console overview's notify verdicts of the last 14 days: an index-only range scan.
    index("payment_notifications_received_at_idx").on(t.receivedAt, t.verdict),
  ],
);

/** Append-only log of order transitions: the audit trail and the hook for fulfilment. */
export const orderEvents = pgTable(
  "order_events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    orderId: text()
      .notNull()
      .references(() => orders.id),
    attemptId: text().references(() => paymentAttempts.id),
    type: text().notNull(),
    source: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("order_events_order_idx").on(t.orderId),
    // At most one PAID event per order, whatever the concurrency: the database says so, not the code.
    uniqueIndex("order_events_one_paid_per_order")
      .on(t.orderId)
      .where(sql`${t.type} = 'PAID'`),
  ],
);

/** Cached access_token / jsapi_ticket per appid, refreshed single-flight across processes. */
export const wechatCredentials = pgTable(
  "wechat_credentials",
  {
    appid: text().notNull(),
    kind: text().notNull(),
    value: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    refreshedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.appid, t.kind] })],
);

export type TOrderRow = typeof orders.$inferSelect;
export type TPaymentAttemptRow = typeof paymentAttempts.$inferSelect;
export type TPaymentNotificationRow = typeof paymentNotifications.$inferSelect;

/**
 * One row per reconciliation tick slot. The instance whose INSERT wins a slot runs that tick; every other web
 * instance skips it — N instances, one schedule, no double work.
 */
export const reconcilerTicks = pgTable("reconciler_ticks", {
  slot: timestamp({ withTimezone: true }).primaryKey(),
  instance: text().notNull(),
  startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp({ withTimezone: true }),
  stats: jsonb().$type<Record<string, number>>(),
});

export const refundStatus = pgEnum("refund_status", [
  /** Sent (or about to be sent) to WeChat; the same out_refund_no is re-sent until WeChat accepts it. */
  "REQUESTED",
  "SUCCESS",
  /** WeChat: 退款异常 — the money could not reach the payer; an operator resolves it on the merchant platform. */
  "CHANGE",
  "REFUNDCLOSE",
  /** WeChat refused the request for good. */
  "FAILED",
]);

/**
 * A refund of one paid attempt, in full or in part (several per payment, as WeChat allows), idempotent towards
 * WeChat by out_refund_no.
 */
export const refunds = pgTable(
  "refunds",
  {
    outRefundNo: text().primaryKey(),
    orderId: text()
      .notNull()
      .references(() => orders.id),
    attemptId: text()
      .notNull()
      .references(() => paymentAttempts.id),
    refundFeeFen: integer().notNull(),
    /** SHOP: requested by this shop. WECHAT: started elsewhere (the merchant platform), learnt from WeChat. */
    origin: text().$type<"SHOP" | "WECHAT">().notNull().default("SHOP"),
    status: refundStatus().notNull().default("REQUESTED"),
    refundId: text(),
    apiVersion: apiVersion().notNull().default("v2"),
    reason: text(),
    lastError: text(),
    succeededAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("refunds_refund_fee_fen_positive", sql`${t.refundFeeFen} > 0`),
    check("refunds_out_refund_no_format", sql`${t.outRefundNo} ~ '^[0-9A-Za-z_|*@-]{1,64}$'`),
    // At most one refund of ours in flight per paid attempt: a second request while it is unanswered re-sends it.
    uniqueIndex("refunds_one_in_flight_per_attempt")
      .on(t.attemptId)
      .where(sql`${t.status} = 'REQUESTED' and ${t.origin} = 'SHOP'`),
    index("refunds_attempt_idx").on(t.attemptId),
    // The console's refunds page: newest first, keyset on (created_at, out_refund_no).
    index("refunds_created_idx").on(t.createdAt.desc(), t.outRefundNo.desc()),
    // The console overview's refunds per day: an index-only range scan of the successful refunds.
    index("refunds_succeeded_at_idx")
      .on(t.succeededAt, t.refundFeeFen)
      .where(sql`${t.status} = 'SUCCESS'`),
  ],
);

export type TRefundRow = typeof refunds.$inferSelect;

/**
 * The desktop→phone handoff links: single-use and short-lived, kept here (only the token's SHA-256 is stored) so
 * that one opening, on any instance, spends the link.
 */
export const handoffLinks = pgTable(
  "handoff_links",
  {
    tokenHash: text().primaryKey(),
    customerId: text()
      .notNull()
      .references(() => customers.id),
    orderId: text()
      .notNull()
      .references(() => orders.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("handoff_links_expires_idx").on(t.expiresAt)],
);

/** Fixed-window request counters shared by every web instance: one row per (limit key, window start). */
export const rateLimitHits = pgTable(
  "rate_limit_hits",
  {
    key: text().notNull(),
    windowStart: timestamp({ withTimezone: true }).notNull(),
    hits: integer().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.key, t.windowStart] }),
    index("rate_limit_hits_window_idx").on(t.windowStart),
  ],
);

/**
 * Short leases for work that must run on one instance at a time without holding a transaction open (a credential
 * refresh that waits on WeChat over HTTP). A lease lapses by itself when its holder dies.
 */
export const leases = pgTable("leases", {
  name: text().primaryKey(),
  holder: text().notNull(),
  expiresAt: timestamp({ withTimezone: true }).notNull(),
});

/** API v3 platform certificates (certificate mode), shared by every instance and refreshed before they expire. */
export const wechatPlatformCertificates = pgTable("wechat_platform_certificates", {
  serialNo: text().primaryKey(),
  mchId: text().notNull(),
  pem: text().notNull(),
  effectiveAt: timestamp({ withTimezone: true }).notNull(),
  expiresAt: timestamp({ withTimezone: true }).notNull(),
  fetchedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const operatorRole = pgEnum("operator_role", ["viewer", "operator", "admin"]);

/** People who run the shop's back office. Passwords are scrypt hashes (node:crypto), never stored in clear. */
export const operators = pgTable(
  "operators",
  {
    id: text().primaryKey(),
    username: text().notNull().unique(),
    passwordHash: text().notNull(),
    role: operatorRole().notNull().default("viewer"),
    disabled: boolean().notNull().default(false),
    /** Set for a one-time password: nothing but a password change is allowed until it is replaced. */
    mustChangePassword: boolean().notNull().default(true),
    passwordChangedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("operators_username_format", sql`${t.username} ~ '^[a-z0-9_.-]{2,32}$'`)],
);

export type TOperatorRow = typeof operators.$inferSelect;

/** Console sessions: only the token's SHA-256 is stored; a session ends at expiry, when idle, on logout or revoke. */
export const operatorSessions = pgTable(
  "operator_sessions",
  {
    tokenHash: text().primaryKey(),
    operatorId: text()
      .notNull()
      .references(() => operators.id),
    ip: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("operator_sessions_operator_idx").on(t.operatorId)],
);

/** Every operator action, append-only (a trigger refuses UPDATE and DELETE): who, when, from where, what changed. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    operatorId: text().references(() => operators.id),
    /** As typed at login for a failed attempt (the operator may not exist). */
    username: text().notNull(),
    action: text().notNull(),
    ip: text(),
    orderId: text(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("audit_log_at_idx").on(t.at), index("audit_log_order_idx").on(t.orderId)],
);

export type TAuditLogRow = typeof auditLog.$inferSelect;

/** Each run of the daily bill check (command, schedule or the console's button): what matched and what differed. */
export const billChecks = pgTable(
  "bill_checks",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    /** yyyyMMdd, Beijing time, as WeChat names bills. */
    billDate: text().notNull(),
    ranBy: text().notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
    trades: integer(),
    matched: integer(),
    differences: jsonb().$type<Record<string, unknown>[]>().notNull().default([]),
    error: text(),
  },
  (t) => [index("bill_checks_date_idx").on(t.billDate, t.startedAt)],
);

export type TBillCheckRow = typeof billChecks.$inferSelect;
