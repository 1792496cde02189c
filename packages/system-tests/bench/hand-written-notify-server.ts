// The benchmark's truer baseline: the notify endpoint as someone would write it by hand, with no framework and no ORM
// — node:http, the body cap, @wxpay/wechatpay's parse + verify (v2: XML + MD5; v3: SHA256withRSA + AES-256-GCM), then
// the same durable work as the shop (the delivery record, the guarded transition of attempt and order, the order's
// other attempts marked, the PAID event) as ONE prepared statement through postgres.js, a pool of the web app's size.
// It only knows the path the benchmark drives (a first notify for a PENDING order); any other delivery is answered
// FAIL. Bench only: the shop's own route must do everything else too. Usage:
//   tsx bench/hand-written-notify-server.ts <database url>   → prints {"port":N} once listening; stops on SIGTERM.
import crypto from "node:crypto";
import http from "node:http";

import postgres from "postgres";

import { parsePayNotify, replyXml } from "@wxpay/wechatpay";
import { parseV3PayNotify, WechatpayVerifier, wechatpayPublicKey } from "@wxpay/wechatpay/v3";
import { SANDBOX } from "@wxpay/wechat-sim";

import { sandboxFile } from "../src/api-version";
import { readBody } from "./read-body";

const [databaseUrl] = process.argv.slice(2);
if (!databaseUrl) throw new Error("usage: hand-written-notify-server <database url>");

const sql = postgres(databaseUrl, { max: 10, onnotice: () => {}, fetch_types: false });
const v2Config = {
  mchId: SANDBOX.mchId,
  appIds: [SANDBOX.officialAppId, SANDBOX.miniAppId],
  keys: [SANDBOX.key],
  signType: "MD5" as const,
};
const v3Config = {
  verifier: new WechatpayVerifier({
    publicKey: wechatpayPublicKey(SANDBOX.publicKeyId, sandboxFile("pub_key.pem")),
  }),
  apiV3Key: SANDBOX.apiV3Key,
  mchId: SANDBOX.mchId,
  appIds: [SANDBOX.officialAppId, SANDBOX.miniAppId],
};
const OK_XML = replyXml(true);
const XML_HEADERS = { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" };

type TPaid = {
  outTradeNo: string;
  transactionId: string;
  mchId: string;
  appId: string;
  totalFeeFen: number;
  paidAt: Date;
};

/** The whole transition and its delivery record: one statement, prepared once per connection by postgres.js. */
async function applyOnce(
  p: TPaid,
  body: string,
  evidence: string,
  remoteAddr: string | null,
  signType: string | null,
  reply: string,
): Promise<boolean> {
  const sha = crypto.createHash("sha256").update(body).digest("hex");
  const paidAt = p.paidAt.toISOString();
  const data = JSON.stringify({ transactionId: p.transactionId, totalFeeFen: p.totalFeeFen, paidAt });
  const rows = await sql`
    with target as (
      select a.id as attempt_id, a.order_id
        from payment_attempts a join orders o on o.id = a.order_id
       where a.out_trade_no = ${p.outTradeNo} and a.transaction_id is null and o.status = 'PENDING'
         and a.mch_id = ${p.mchId} and a.appid = ${p.appId} and a.amount_fen = ${p.totalFeeFen}
         and (${signType}::text is null or a.sign_type = ${signType}::text)
         for update of a, o
    ), paid_attempt as (
      update payment_attempts a
         set status = 'PAID', transaction_id = ${p.transactionId}, paid_at = ${paidAt}::timestamptz,
             next_check_at = null, updated_at = now()
        from target t where a.id = t.attempt_id and a.transaction_id is null
      returning a.id, a.order_id
    ), paid_order as (
      update orders o
         set status = 'PAID', paid_attempt_id = p.id, transaction_id = ${p.transactionId},
             paid_at = ${paidAt}::timestamptz, updated_at = now()
        from paid_attempt p where o.id = p.order_id and o.status = 'PENDING'
      returning o.id, p.id as attempt_id
    ), superseded as (
      update payment_attempts s
         set status = 'SUPERSEDED', next_check_at = greatest(s.created_at + interval '5 minutes', now()),
             updated_at = now()
        from paid_order p
       where s.order_id = p.id and s.id <> p.attempt_id and s.status in ('CREATED', 'PREPAID')
      returning s.id
    ), paid_event as (
      insert into order_events (order_id, attempt_id, type, source, data)
      select p.id, p.attempt_id, 'PAID', 'notify', ${data}::jsonb from paid_order p
      returning id
    ), recorded as (
      insert into payment_notifications (remote_addr, body_sha256, body_bytes, raw_xml, out_trade_no, transaction_id,
                                         attempt_id, verdict, detail, reply)
      select ${remoteAddr}, ${sha}, ${Buffer.byteLength(body)}::int, ${evidence}, ${p.outTradeNo}, ${p.transactionId},
             p.attempt_id, 'APPLIED', null, ${reply}
        from paid_order p
      returning id
    )
    select count(*)::int as n from paid_order`;
  return rows[0]?.n === 1;
}

async function v2(body: string, remoteAddr: string | null): Promise<string> {
  const parsed = parsePayNotify(body, v2Config);
  if (!parsed.ok || parsed.notification.resultCode !== "SUCCESS") return replyXml(false, "签名失败");
  const n = parsed.notification;
  const applied = await applyOnce(n, body, body.slice(0, 16 * 1024), remoteAddr, "MD5", OK_XML);
  return applied ? OK_XML : replyXml(false, "未处理");
}

async function v3(req: http.IncomingMessage, body: string, remoteAddr: string | null): Promise<number> {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v[0] : v;
  const parsed = parseV3PayNotify({ headers, body }, v3Config);
  if (!parsed.ok) return 401;
  const n = parsed.notification;
  const evidence = JSON.stringify({ envelope: n.envelope, resource: n.resource });
  return (await applyOnce(n, body, evidence, remoteAddr, null, "204")) ? 204 : 500;
}

const server = http.createServer((req, res) => {
  const route = req.method === "POST" ? req.url : undefined;
  if (route !== "/api/wechat/pay/notify" && route !== "/api/wechat/v3/pay/notify") {
    res.writeHead(404).end();
    return;
  }
  readBody(req, (body) => {
    const remoteAddr = req.socket.remoteAddress ?? null;
    if (route === "/api/wechat/pay/notify") {
      if (body === undefined) return void res.writeHead(200, XML_HEADERS).end(replyXml(false, "报文过大"));
      v2(body, remoteAddr).then(
        (reply) => res.writeHead(200, XML_HEADERS).end(reply),
        () => res.writeHead(200, XML_HEADERS).end(replyXml(false, "系统繁忙")),
      );
      return;
    }
    if (body === undefined) return void res.writeHead(413).end();
    v3(req, body, remoteAddr).then(
      (status) => res.writeHead(status).end(),
      () => res.writeHead(500).end(),
    );
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  console.log(JSON.stringify({ port: typeof addr === "object" && addr ? addr.port : 0 }));
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void sql.end({ timeout: 2 }).finally(() => process.exit(0));
});
