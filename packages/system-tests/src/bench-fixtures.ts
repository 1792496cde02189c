// What the benchmark and the notify round-trip script both need: core configured for the simulator's sandbox
// merchant, and batches of payable attempts with one signed notify (WeChat's layout, MD5) paying each.

import type postgres from "postgres";

import type { TCoreConfig } from "@wxpay/core";
import { DEFAULT_CORE_TUNING, NOTIFY_PATH } from "@wxpay/core";
import { createPayClient, generateOutTradeNo } from "@wxpay/wechatpay";
import { loadPrivateKey } from "@wxpay/wechatpay/v3";
import { SANDBOX } from "@wxpay/wechat-sim";

import { genuinePayNotify, sandboxFile } from "./api-version";

export const benchCoreConfig: TCoreConfig = {
  appUrl: "http://127.0.0.1",
  shopName: "bench",
  sessionSecret: "bench-session-secret-0123456789abcdef",
  mchId: SANDBOX.mchId,
  key: SANDBOX.key,
  previousKeys: [],
  signType: "MD5",
  officialAccount: { appId: SANDBOX.officialAppId, secret: SANDBOX.officialSecret },
  miniProgram: { appId: SANDBOX.miniAppId, secret: SANDBOX.miniSecret },
  trustProxyHops: 0,
  ...DEFAULT_CORE_TUNING,
  // The benchmark measures the notify path, not the abuse limits.
  rateLimits: { perIpPerMinute: 0, perCustomerPerMinute: 0 },
  maxOpenOrdersPerCustomer: 0,
};

/** The bench's payment: 1 fen, paid by the sandbox's default shopper (v2 attempts are H5, v3 ones NATIVE). */
const payment = (outTradeNo: string, transactionId: string, tradeType: "MWEB" | "NATIVE") => ({
  outTradeNo,
  amountFen: 1,
  appId: SANDBOX.officialAppId,
  transactionId,
  openid: "oUpF8uMEb4qRXf22hE3X68TekukE",
  tradeType,
});

/**
 * `n` fresh PENDING 1-fen orders with a PREPAID attempt each, inserted directly, and the signed notify that pays
 * each one. `prefix` (letters) and `batch` keep out_trade_no and transaction_id unique across batches and callers.
 */
export async function payableNotifies(
  sql: postgres.Sql,
  opts: { prefix: string; batch: number; n: number },
): Promise<string[]> {
  const { outTradeNo, transactionId } = await insertPayableAttempts(sql, opts, "v2");
  return Array.from(
    { length: opts.n },
    (_, i) => genuinePayNotify("v2", payment(outTradeNo(i), transactionId(i), "MWEB")).body,
  );
}

/**
 * `n` fresh PENDING 1-fen orders with a PREPAID attempt each (v2: H5, MD5; v3: NATIVE), inserted directly; the
 * out_trade_no and a WeChat-shaped transaction_id of the i-th (0-based), unique across prefixes and batches.
 */
async function insertPayableAttempts(
  sql: postgres.Sql,
  opts: { prefix: string; batch: number; n: number },
  version: "v2" | "v3",
): Promise<{ tag: string; outTradeNo(i: number): string; transactionId(i: number): string }> {
  const { prefix, batch, n } = opts;
  const tag = `${prefix.toLowerCase()}${batch}x`;
  const [channel, tradeType, signType, request] =
    version === "v2" ? ["h5", "MWEB", "MD5", "<xml></xml>"] : ["native", "NATIVE", "RSA", "{}"];
  await sql`insert into customers (id) values ('bench') on conflict do nothing`;
  await sql`
    insert into orders (id, customer_id, items, amount_fen, status, expires_at)
    select ${tag} || g, 'bench', '[{"sku":"TEST-1FEN","title":"bench","qty":1,"priceFen":1}]'::jsonb, 1, 'PENDING',
           now() + interval '1 day'
      from generate_series(1, ${n}::int) g`;
  await sql`
    insert into payment_attempts (id, order_id, out_trade_no, channel, trade_type, appid, mch_id, sign_type, amount_fen,
                                  client_ip, request_xml, status, api_version)
    select ${tag} || 'a' || g, ${tag} || g, ${prefix} || ${tag} || lpad(g::text, 8, '0'), ${channel}::pay_channel,
           ${tradeType}, ${SANDBOX.officialAppId}, ${SANDBOX.mchId}, ${signType}, 1, '127.0.0.1', ${request}, 'PREPAID',
           ${version}::wechatpay_api_version
      from generate_series(1, ${n}::int) g`;
  const txnHead = `4${String(prefix.charCodeAt(0) % 10)}${String(prefix.length % 10)}00`;
  return {
    tag,
    outTradeNo: (i) => `${prefix}${tag}${String(i + 1).padStart(8, "0")}`,
    transactionId: (i) => `${txnHead}${String(batch).padStart(5, "0")}2026${String(i + 1).padStart(14, "0")}`,
  };
}

/**
 * Like payableNotifies, for API v3: `n` PENDING orders with a v3 PREPAID attempt each, and the notify WeChat sends for
 * each payment — the resource sealed with the APIv3 key (AES-256-GCM), the body signed with the WeChat Pay public
 * key's private half (SHA256withRSA), the Wechatpay-* headers.
 */
export async function payableV3Notifies(
  sql: postgres.Sql,
  opts: { prefix: string; batch: number; n: number },
): Promise<{ body: string; headers: Record<string, string> }[]> {
  const { batch, n } = opts;
  const { tag, outTradeNo, transactionId } = await insertPayableAttempts(sql, opts, "v3");
  const wechatKey = loadPrivateKey(sandboxFile("pub_key_private.pem"));
  const timestamp = String(Math.floor(Date.now() / 1000));
  return Array.from({ length: n }, (_, i) => {
    const delivery = genuinePayNotify("v3", payment(outTradeNo(i), transactionId(i), "NATIVE"), {
      id: `EV-${tag}-${i}`,
      resourceNonce: `n${batch}x${i}`.padEnd(12, "0"),
      headerNonce: `N${batch}X${i}`.padEnd(32, "0"),
      timestamp,
      signingKey: wechatKey,
    });
    return { body: delivery.body, headers: delivery.headers ?? {} };
  });
}

/**
 * Grows the shop to `total` orders (if it holds fewer) with set-based inserts (generate_series, 100 k rows a
 * statement): a history of paid, closed and refunded orders over 90 days, one attempt each, under customers of ten
 * orders each — what a shop that has run for a while holds. Returns how many rows it added.
 */
export async function seedOrderHistory(sql: postgres.Sql, total: number): Promise<number> {
  const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from orders`;
  const missing = total - n;
  const batch = 100_000;
  for (let done = 0; done < missing; done += batch) {
    const size = Math.min(batch, missing - done);
    const base = n + done;
    await sql`
      with c as (
        insert into customers (id, created_at)
        select 'c_seed' || lpad((${base}::int + g)::text, 12, '0'), now() - interval '90 days'
          from generate_series(1, ${size}::int / 10 + 1) g
        on conflict do nothing
      ), o as (
        insert into orders (id, customer_id, items, amount_fen, status, transaction_id, paid_at, expires_at,
                            created_at, updated_at)
        select 'o_seed' || lpad((${base}::int + g)::text, 16, '0'),
               'c_seed' || lpad((${base}::int + g / 10 + 1)::text, 12, '0'),
               '[{"sku":"CUP-CELADON","title":"龙泉青瓷品茗杯","qty":1,"priceFen":5900}]'::jsonb, 5900,
               (array['PAID','PAID','PAID','CLOSED','PAID','REFUNDED','PAID','CLOSED'])[1 + g % 8]::order_status,
               case when g % 8 not in (3, 7) then '42seed' || lpad((${base}::int + g)::text, 22, '0') end,
               case when g % 8 not in (3, 7) then now() - (g % 7776000) * interval '1 second' end,
               now() - (g % 7776000) * interval '1 second' + interval '30 minutes',
               now() - (g % 7776000) * interval '1 second', now()
          from generate_series(1, ${size}::int) g
        returning id, created_at, transaction_id
      )
      insert into payment_attempts (id, order_id, out_trade_no, channel, trade_type, appid, mch_id, sign_type,
                                    amount_fen, client_ip, request_xml, status, transaction_id, created_at, updated_at)
      select 'a_' || substr(o.id, 3), o.id, 'S' || substr(o.id, 7), 'h5', 'MWEB', ${SANDBOX.officialAppId},
             ${SANDBOX.mchId}, 'MD5', 5900, '127.0.0.1', '<xml/>',
             case when o.transaction_id is not null then 'PAID' else 'CLOSED' end::attempt_status,
             o.transaction_id, o.created_at, o.created_at
        from o`;
  }
  if (missing > 0) await sql`analyze`;
  return Math.max(0, missing);
}

/**
 * `n` PREPAID attempts due for reconciliation now (PENDING orders created 10 minutes ago, valid for a day, that
 * WeChat never heard of): a pass asks orderquery about each and schedules its next check (check_count 0 → 1).
 */
export async function dueAttempts(sql: postgres.Sql, opts: { tag: string; n: number }): Promise<void> {
  const { tag, n } = opts;
  await sql`insert into customers (id) values ('bench') on conflict do nothing`;
  await sql`
    with o as (
      insert into orders (id, customer_id, items, amount_fen, status, expires_at, created_at)
      select ${tag} || g, 'bench', '[{"sku":"TEST-1FEN","title":"bench","qty":1,"priceFen":1}]'::jsonb, 1, 'PENDING',
             now() + interval '1 day', now() - interval '10 minutes'
        from generate_series(1, ${n}::int) g
      returning id
    )
    insert into payment_attempts (id, order_id, out_trade_no, channel, trade_type, appid, mch_id, sign_type, amount_fen,
                                  client_ip, request_xml, status, next_check_at, created_at)
    select o.id || 'a', o.id, 'R' || o.id, 'h5', 'MWEB', ${SANDBOX.officialAppId}, ${SANDBOX.mchId}, 'MD5', 1,
           '127.0.0.1', '<xml></xml>', 'PREPAID', now() - interval '1 minute', now() - interval '10 minutes'
      from o`;
}

/**
 * WeChat's own part of a purchase, as the purchase rows subtract it: one signed H5 `unifiedorder` for 1 fen sent
 * straight to the simulator by a pay client (no shop in between). Returns a function timing one call, in ms.
 */
export function directUnifiedOrder(simUrl: string, appUrl: string): () => Promise<number> {
  const payClient = createPayClient({
    baseUrl: simUrl,
    mchId: SANDBOX.mchId,
    key: SANDBOX.key,
    signType: "MD5",
    appId: SANDBOX.officialAppId,
    timeoutMs: 10_000,
  });
  return async () => {
    const started = performance.now();
    await payClient.unifiedOrder({
      tradeType: "MWEB",
      sceneInfo: { type: "Wap", wapUrl: appUrl, wapName: "茶与器" },
      outTradeNo: generateOutTradeNo(),
      body: "茶与器-测试商品（1分钱）",
      totalFeeFen: 1,
      notifyUrl: `${appUrl}${NOTIFY_PATH}`,
      spbillCreateIp: "127.0.0.1",
      timeExpire: new Date(Date.now() + 30 * 60_000),
    });
    return performance.now() - started;
  };
}
