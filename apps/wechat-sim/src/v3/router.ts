// Every /v3/* request: route, verify the caller (auth.ts), run the endpoint, then sign the answer with the key
// the merchant's signing mode picks. Unknown paths and methods answer like WeChat's gateway, unsigned.
import type { IncomingMessage, ServerResponse } from "node:http";

import type { SimContext } from "../context";
import { BodyTooLargeError, readBody, send } from "../http/io";
import { header, isReply, verifyV3Request } from "./auth";
import { billDownloadFile, fundFlowBill, tradeBill } from "./bills";
import type { V3Handler } from "./call";
import { certificates } from "./certificates";
import { createRefund, queryRefund } from "./refunds";
import { answerKey, signatureNowSec, signBody, takeProbe } from "./signer";
import { closeTransaction, createTransaction, queryByOutTradeNo, queryByTransactionId } from "./transactions";
import { requestId, v3Error, type V3Reply } from "./wire";

type Route = {
  method: "GET" | "POST";
  pattern: RegExp;
  params: string[];
  handler: V3Handler;
  /** The endpoint's name in fault rules (v3Error, systemError). */
  name: string;
};

const SEGMENT = "([^/]+)";
const route = (method: Route["method"], path: string, handler: V3Handler, name: string): Route => {
  const params: string[] = [];
  const source = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    params.push(name);
    return SEGMENT;
  });
  return { method, pattern: new RegExp(`^${source}$`), params, handler, name };
};

const ROUTES: Route[] = [
  route("POST", "/v3/pay/transactions/jsapi", createTransaction("jsapi"), "v3/jsapi"),
  route("POST", "/v3/pay/transactions/h5", createTransaction("h5"), "v3/h5"),
  route("POST", "/v3/pay/transactions/native", createTransaction("native"), "v3/native"),
  route("GET", "/v3/pay/transactions/id/{transaction_id}", queryByTransactionId, "v3/query"),
  route("GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}", queryByOutTradeNo, "v3/query"),
  route("POST", "/v3/pay/transactions/out-trade-no/{out_trade_no}/close", closeTransaction, "v3/close"),
  route("POST", "/v3/refund/domestic/refunds", createRefund, "v3/refund"),
  route("GET", "/v3/refund/domestic/refunds/{out_refund_no}", queryRefund, "v3/refundquery"),
  route("GET", "/v3/bill/tradebill", tradeBill, "v3/tradebill"),
  route("GET", "/v3/bill/fundflowbill", fundFlowBill, "v3/fundflowbill"),
  route("GET", "/v3/billdownload/file", billDownloadFile, "v3/billdownload"),
  route("GET", "/v3/certificates", certificates, "v3/certificates"),
];

export async function handleV3(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = req.method ?? "GET";
  let raw: Buffer;
  try {
    raw = await readBody(req);
  } catch (e) {
    if (!(e instanceof BodyTooLargeError)) throw e;
    return write(ctx, res, { ...v3Error(400, "INVALID_REQUEST", "请求体过大"), unsigned: true });
  }
  const candidates = ROUTES.filter((r) => r.pattern.test(url.pathname));
  const matched = candidates.find((r) => r.method === method);
  if (!matched) {
    return write(
      ctx,
      res,
      candidates.length > 0
        ? { ...v3Error(405, "METHOD_NOT_ALLOWED", "请求方法不被允许"), unsigned: true }
        : { ...v3Error(404, "NOT_FOUND", "请求的资源不存在"), unsigned: true },
    );
  }
  const params: Record<string, string> = {};
  const m = matched.pattern.exec(url.pathname) ?? [];
  for (const [i, name] of matched.params.entries()) {
    try {
      params[name] = decodeURIComponent(m[i + 1] ?? "");
    } catch {
      return write(ctx, res, {
        ...v3Error(400, "PARAM_ERROR", "参数错误", { field: name, location: "url" }),
        unsigned: true,
      });
    }
  }

  const nowSec = signatureNowSec(ctx.clock, ctx.config);
  const verified = verifyV3Request(
    ctx,
    { method, target: req.url ?? "/", headers: req.headers, raw },
    nowSec,
  );
  if (isReply(verified)) return write(ctx, res, verified);
  // Fault injection: a refusal WeChat could give this call (its error answers are unsigned).
  const injected = ctx.state.takeV3Error(
    verified.merchant.mchId,
    params["out_trade_no"] ?? bodyOutTradeNo(raw),
    matched.name,
  );
  if (injected?.bare) {
    return write(ctx, res, {
      status: injected.status,
      raw: { body: `${injected.status} ${injected.code}`, contentType: "text/plain; charset=utf-8" },
      unsigned: true,
    });
  }
  if (injected) {
    return write(ctx, res, {
      ...v3Error(injected.status, injected.code, injected.message),
      unsigned: true,
    });
  }
  const reply = matched.handler(ctx, { merchant: verified.merchant, params, query: url.searchParams, raw });
  if (reply.unsigned) return write(ctx, res, reply);
  // WeChat signs its answer to a verified caller, 204 included (over an empty body).
  const body = reply.json === undefined ? "" : JSON.stringify(reply.json);
  const signed = signBody(body, {
    key: answerKey(verified.merchant, header(req.headers, "wechatpay-serial")),
    timestampSec: nowSec,
    probe: takeProbe(verified.merchant, "answer"),
  });
  return write(ctx, res, reply, { ...signed });
}

function bodyOutTradeNo(raw: Buffer): string | undefined {
  try {
    const v = (JSON.parse(raw.toString("utf8")) as { out_trade_no?: unknown }).out_trade_no;
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

function write(
  ctx: SimContext,
  res: ServerResponse,
  reply: V3Reply,
  headers: Record<string, string> = {},
): void {
  const all = { "Request-ID": requestId(reply), ...headers };
  if (reply.raw) return send(res, reply.status, reply.raw.body, reply.raw.contentType, all);
  if (reply.json === undefined) {
    if (res.headersSent) return;
    res.writeHead(reply.status, all);
    return void res.end();
  }
  if ((reply.json as { code?: string }).code)
    ctx.log(`v3 ${reply.status} ${(reply.json as { code: string }).code}`);
  send(res, reply.status, JSON.stringify(reply.json), "application/json; charset=utf-8", all);
}
