// What the benchmark and the notify round-trip script both need: core configured for the simulator's sandbox
// merchant, and batches of payable attempts with one signed notify (WeChat's layout, MD5) paying each.
import type postgres from "postgres";

import type { TCoreConfig } from "@wxpay/core";
import { DEFAULT_CORE_TUNING } from "@wxpay/core";
import { buildPayNotify } from "@wxpay/wechatpay";
import { SANDBOX } from "@wxpay/wechat-sim";

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

/**
 * `n` fresh PENDING 1-fen orders with a PREPAID attempt each, inserted directly, and the signed notify that pays
 * each one. `prefix` (letters) and `batch` keep out_trade_no and transaction_id unique across batches and callers.
 */
export async function payableNotifies(
  sql: postgres.Sql,
  opts: { prefix: string; batch: number; n: number },
): Promise<string[]> {
  const { prefix, batch, n } = opts;
  const tag = `${prefix.toLowerCase()}${batch}x`;
  await sql`insert into customers (id) values ('bench') on conflict do nothing`;
  await sql`
    insert into orders (id, customer_id, items, amount_fen, status, expires_at)
    select ${tag} || g, 'bench', '[{"sku":"TEST-1FEN","title":"bench","qty":1,"priceFen":1}]'::jsonb, 1, 'PENDING',
           now() + interval '1 day'
      from generate_series(1, ${n}::int) g`;
  await sql`
    insert into payment_attempts (id, order_id, out_trade_no, channel, trade_type, appid, mch_id, sign_type, amount_fen,
                                  client_ip, request_xml, status)
    select ${tag} || 'a' || g, ${tag} || g, ${prefix} || ${tag} || lpad(g::text, 8, '0'), 'h5', 'MWEB',
           ${SANDBOX.officialAppId}, ${SANDBOX.mchId}, 'MD5', 1, '127.0.0.1', '<xml></xml>', 'PREPAID'
      from generate_series(1, ${n}::int) g`;
  const txnHead = `4${String(prefix.charCodeAt(0) % 10)}${String(prefix.length % 10)}00`;
  return Array.from({ length: n }, (_, i) =>
    buildPayNotify(
      {
        return_code: "SUCCESS",
        result_code: "SUCCESS",
        appid: SANDBOX.officialAppId,
        mch_id: SANDBOX.mchId,
        nonce_str: `n${batch}x${i}`.padEnd(32, "0"),
        openid: "oUpF8uMEb4qRXf22hE3X68TekukE",
        is_subscribe: "N",
        trade_type: "MWEB",
        bank_type: "CMB_CREDIT",
        total_fee: 1,
        fee_type: "CNY",
        cash_fee: 1,
        transaction_id: `${txnHead}${String(batch).padStart(5, "0")}2026${String(i + 1).padStart(14, "0")}`,
        out_trade_no: `${prefix}${tag}${String(i + 1).padStart(8, "0")}`,
        time_end: "20260101120000",
      },
      SANDBOX.key,
      "MD5",
    ),
  );
}
