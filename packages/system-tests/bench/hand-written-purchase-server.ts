// The benchmark's floor for a purchase: createOrder + prepay(h5) as someone would write them by hand, with no framework
// and no ORM — node:http, tRPC's plain-JSON wire for exactly the two calls the bench's Shopper makes, the shop's H5
// session cookie, and the same durable work as the shop through postgres.js prepared statements, a pool of the web
// app's size: createOrder is ONE statement (priced from the catalog; order, customer and CREATED event written);
// prepay takes the order's facts from memory when this process has just created it (as the shop's recent-orders.ts;
// else it reads the owned order), claims the attempt with its exact unifiedorder bytes stored before sending (order
// locked, the shopper's, still PENDING), sends them to WeChat (the simulator) and stores the answer while reading the
// order's status in one statement — 1 + 2 statements for the bench's purchase, as the shop. It only knows the path
// the benchmark drives (a first prepay of a fresh order); anything else is a 4xx/5xx. Bench only: the shop's
// procedures must do everything else too. Usage:
//   tsx bench/hand-written-purchase-server.ts <database url> <simulator url>
//     → prints {"port":N} once listening; stops on SIGTERM.
import crypto from "node:crypto";
import http from "node:http";

import postgres from "postgres";

import {
  clientIpFrom,
  newAnonymousSession,
  NOTIFY_PATH,
  openH5Session,
  resultPath,
  sealH5Session,
  SESSION_COOKIE,
  SESSION_COOKIE_MAX_AGE_S,
  shouldRenewH5Session,
} from "@wxpay/core";
import type { TH5Session } from "@wxpay/core";
import { SANDBOX_CONFIG } from "@wxpay/core/testing";
import { appendRedirectUrl, createPayClient, generateOutTradeNo } from "@wxpay/wechatpay";

import { readBody } from "./read-body";

const [databaseUrl, simUrl] = process.argv.slice(2);
if (!databaseUrl || !simUrl)
  throw new Error("usage: hand-written-purchase-server <database url> <simulator url>");

// integer column: one order can not exceed 2^31-1 fen.
const MAX_ORDER_FEN = 2_147_483_647;
// WeChat: time_expire must leave at least 5 minutes; the shop keeps a 30 s margin (prepay.ts).
const MIN_REMAINING_MS = 5 * 60 * 1000 + 30_000;
const config = SANDBOX_CONFIG;
const sql = postgres(databaseUrl, { max: 10, onnotice: () => {}, fetch_types: false });
const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

/** Like @wxpay/core's ids (not exported): `prefix` + 22 base62 characters from the CSPRNG, no modulo bias. */
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
function newId(prefix: string): string {
  let out = prefix;
  while (out.length < prefix.length + 22) {
    for (const b of crypto.randomBytes(44))
      if (b < 248 && out.length < prefix.length + 22) out += ALPHABET[b % 62];
  }
  return out;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type TOrderFacts = {
  id: string;
  customerId: string;
  amountFen: number;
  expiresAt: Date;
  items: { title?: string }[];
};
// Orders created in the last minute (as the shop keeps them): prepay follows createOrder within seconds.
const KEEP_MS = 60_000;
const recent = new Map<string, { facts: TOrderFacts; until: number }>();
function remember(facts: TOrderFacts, now: number): void {
  for (const [id, entry] of recent) {
    if (entry.until > now && recent.size < 4096) break;
    recent.delete(id);
  }
  recent.set(facts.id, { facts, until: now + KEEP_MS });
}

type TCaller = { session: TH5Session | undefined; setCookie: string | undefined; clientIp: string };
type TItem = { sku: string; qty: number };

/** The shop's H5 session cookie, renewed when due; `fresh` issues an anonymous one when there is none (createOrder). */
function callerOf(req: http.IncomingMessage, now: Date, fresh: boolean): TCaller {
  let token: string | undefined;
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) token = part.slice(eq + 1).trim();
  }
  let session = openH5Session(config.sessionSecret, token, now);
  let cookie: string | undefined;
  if (session && shouldRenewH5Session(session, now)) {
    const renewed = sealH5Session(config.sessionSecret, session, now);
    session = renewed.session;
    cookie = renewed.cookie;
  } else if (!session && fresh) {
    const issued = newAnonymousSession(config.sessionSecret, now);
    session = issued.session;
    cookie = issued.cookie;
  }
  const forwarded = req.headers["x-forwarded-for"];
  return {
    session,
    setCookie:
      cookie &&
      `${SESSION_COOKIE}=${cookie}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_COOKIE_MAX_AGE_S}`,
    clientIp: clientIpFrom(
      typeof forwarded === "string" ? forwarded : (req.socket.remoteAddress ?? null),
      config.trustProxyHops,
    ),
  };
}

function itemsOf(input: unknown): TItem[] {
  const items = (input as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || items.length === 0 || items.length > 20) throw new HttpError(400, "bad items");
  return items.map((i: unknown) => {
    const { sku, qty } = (i ?? {}) as { sku?: unknown; qty?: unknown };
    if (typeof sku !== "string" || !Number.isInteger(qty) || (qty as number) < 1 || (qty as number) > 99)
      throw new HttpError(400, "bad item");
    return { sku, qty: qty as number };
  });
}

/** createOrder: pricing, the order, the customer and the CREATED event in one statement (the shop's own SQL). */
async function createOrder(caller: TCaller, input: unknown) {
  const customerId = caller.session?.customerId;
  if (!customerId) throw new HttpError(401, "no session");
  const qtyBySku = new Map<string, number>();
  for (const { sku, qty } of itemsOf(input)) qtyBySku.set(sku, (qtyBySku.get(sku) ?? 0) + qty);
  // A jsonb parameter (postgres.js would quote a JSON string once more: a scalar, not an array).
  const wanted = sql.json([...qtyBySku].map(([sku, qty]) => ({ sku, qty })));
  const now = new Date();
  const orderId = newId("o_");
  const expiresAt = new Date(now.getTime() + config.orderTtlMs);
  const [row] = await sql<{ amountFen: number | null; items: TOrderFacts["items"] | null }[]>`
    with wanted as (
      select e.n, e.v ->> 'sku' as sku, (e.v ->> 'qty')::numeric as qty
        from jsonb_array_elements(${wanted}::jsonb) with ordinality as e(v, n)
    ), priced as (
      select w.n, w.sku, w.qty, p.title, p.price_fen
        from wanted w join products p on p.sku = w.sku and p.active
    ), total as (
      select count(*)::int as found, coalesce(sum(price_fen::numeric * qty), 0) as amount,
             jsonb_agg(jsonb_build_object('sku', sku, 'title', title, 'qty', qty, 'priceFen', price_fen) order by n)
               as items
        from priced
    ), created as (
      insert into orders (id, customer_id, items, amount_fen, status, expires_at, created_at, updated_at)
      select ${orderId}, ${customerId}, t.items, t.amount::int, 'PENDING', ${expiresAt.toISOString()}::timestamptz,
             ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
        from total t
       where t.found = ${qtyBySku.size}::int and t.amount > 0 and t.amount <= ${MAX_ORDER_FEN}::int
      returning id, amount_fen, items
    ), customer as (
      insert into customers (id) select ${customerId} where exists (select 1 from created)
      on conflict do nothing
    ), event as (
      insert into order_events (order_id, type, source, data)
      select c.id, 'CREATED', 'shop', jsonb_build_object('amountFen', c.amount_fen, 'items', c.items) from created c
    )
    select (select amount_fen from created) as "amountFen", (select items from created) as items`;
  if (row?.amountFen == null) throw new HttpError(400, "unknown sku or bad amount");
  remember(
    { id: orderId, customerId, amountFen: row.amountFen, expiresAt, items: row.items ?? [] },
    now.getTime(),
  );
  return { orderId, amountFen: row.amountFen, status: "PENDING", expiresAt: expiresAt.toISOString() };
}

const pay = createPayClient({
  baseUrl: simUrl,
  mchId: config.mchId,
  key: config.key,
  signType: config.signType,
  appId: config.officialAccount.appId,
  timeoutMs: 10_000,
});
let appUrl = "";

/** prepay(h5): the owned order (remembered or read); claim (bytes stored, order locked); send; store + re-check. */
async function prepayH5(caller: TCaller, input: unknown) {
  const { orderId, channel } = (input ?? {}) as { orderId?: unknown; channel?: unknown };
  if (typeof orderId !== "string" || channel !== "h5") throw new HttpError(400, "bad prepay input");
  const customerId = caller.session?.customerId;
  if (!customerId) throw new HttpError(404, "no such order");
  const now = new Date();
  const kept = recent.get(orderId);
  const order =
    kept && kept.until > now.getTime() && kept.facts.customerId === customerId
      ? kept.facts
      : (
          await sql<(TOrderFacts & { status: string })[]>`
            select id, customer_id as "customerId", status, amount_fen as "amountFen", expires_at as "expiresAt", items
              from orders where id = ${orderId} and customer_id = ${customerId} and status = 'PENDING' limit 1`
        )[0];
  if (!order) throw new HttpError(404, "no payable order");
  const expiresAt = new Date(order.expiresAt);
  if (expiresAt.getTime() - now.getTime() < MIN_REMAINING_MS)
    throw new HttpError(409, "order about to expire");

  const outTradeNo = generateOutTradeNo(now);
  const first = order.items[0];
  const more = order.items.length > 1 ? `等${order.items.length}件` : "";
  const prepared = pay.prepareUnifiedOrder({
    appId: config.officialAccount.appId,
    outTradeNo,
    body: `${config.shopName}-${first?.title ?? "商品"}${more}`,
    totalFeeFen: order.amountFen,
    notifyUrl: `${appUrl}${NOTIFY_PATH}`,
    spbillCreateIp: caller.clientIp,
    timeExpire: expiresAt,
    attach: order.id,
    tradeType: "MWEB",
    sceneInfo: { type: "Wap", wapUrl: appUrl, wapName: config.shopName },
  });
  const attemptId = newId("a_");
  // Written before WeChat hears of it, under the order's row lock: a notify that outruns the reply finds its attempt.
  const claimed = await sql`
    with payable as (
      select id from orders
       where id = ${order.id} and customer_id = ${customerId} and status = 'PENDING'
         and amount_fen = ${order.amountFen}::int
         and expires_at > ${new Date(now.getTime() + MIN_REMAINING_MS).toISOString()}::timestamptz
         for update
    )
    insert into payment_attempts (id, order_id, out_trade_no, channel, trade_type, appid, mch_id, openid, sign_type,
                                  api_version, amount_fen, client_ip, request_xml, status, next_check_at, created_at,
                                  updated_at)
    select ${attemptId}, p.id, ${outTradeNo}, 'h5'::pay_channel, 'MWEB', ${config.officialAccount.appId},
           ${config.mchId}, null, ${config.signType}, 'v2'::wechatpay_api_version, ${order.amountFen}::int,
           ${caller.clientIp}, ${prepared.body}, 'CREATED', ${new Date(now.getTime() + 60_000).toISOString()}::timestamptz,
           ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
      from payable p
     where not exists (select 1 from payment_attempts l
                        where l.order_id = ${order.id} and l.channel = 'h5'::pay_channel
                          and l.status in ('CREATED', 'PREPAID'))
    returning id`;
  if (claimed.length === 0) throw new HttpError(409, "order not payable or already claimed");

  const answer = await pay.sendUnifiedOrder(prepared.body);
  if (answer.tradeType !== "MWEB") throw new HttpError(502, "unifiedorder answered no mweb_url");
  const stored = new Date();
  const [after] = await sql<{ status: string }[]>`
    with stored as (
      update payment_attempts
         set status = 'PREPAID', prepay_id = ${answer.prepayId},
             prepay_expires_at = ${answer.prepayIdExpiresAt.toISOString()}::timestamptz,
             mweb_url = ${answer.mwebUrl}, mweb_expires_at = ${answer.mwebUrlExpiresAt.toISOString()}::timestamptz,
             code_url = null, last_error = null,
             next_check_at = ${new Date(stored.getTime() + 60_000).toISOString()}::timestamptz, check_count = 0,
             updated_at = ${stored.toISOString()}::timestamptz
       where id = ${attemptId} and status in ('CREATED', 'PREPAID')
      returning order_id
    )
    select o.status from stored s join orders o on o.id = s.order_id`;
  if (after?.status !== "PENDING") throw new HttpError(409, "order changed meanwhile");
  // WeChat returns to redirect_url whatever happened; the result page asks orderStatus.
  return { channel: "h5", mwebUrl: appendRedirectUrl(answer.mwebUrl, `${appUrl}${resultPath(order.id)}`) };
}

function reply(res: http.ServerResponse, status: number, body: unknown, setCookie?: string): void {
  res.writeHead(status, setCookie ? { ...JSON_HEADERS, "set-cookie": setCookie } : JSON_HEADERS);
  res.end(JSON.stringify(body));
}

const PROCEDURES = { "/api/trpc/createOrder": createOrder, "/api/trpc/prepay": prepayH5 } as const;

const server = http.createServer((req, res) => {
  const procedure = req.method === "POST" ? PROCEDURES[req.url as keyof typeof PROCEDURES] : undefined;
  if (!procedure) return void reply(res, 404, { error: { message: "not found" } });
  // Mutations only from the shop's own page (a browser sends its Origin), and only JSON.
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== appUrl)
    return void reply(res, 403, { error: { message: "cross-origin" } });
  if (!req.headers["content-type"]?.startsWith("application/json"))
    return void reply(res, 415, { error: { message: "mutations take application/json" } });
  readBody(req, (body) => {
    if (body === undefined) return void reply(res, 413, { error: { message: "body too large" } });
    const caller = callerOf(req, new Date(), procedure === createOrder);
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      return void reply(res, 400, { error: { message: "bad JSON" } });
    }
    procedure(caller, input).then(
      (data) => reply(res, 200, { result: { data } }, caller.setCookie),
      (err: unknown) =>
        reply(res, err instanceof HttpError ? err.status : 500, { error: { message: String(err) } }),
    );
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  appUrl = `http://127.0.0.1:${port}`;
  console.log(JSON.stringify({ port }));
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void sql.end({ timeout: 2 }).finally(() => process.exit(0));
});
