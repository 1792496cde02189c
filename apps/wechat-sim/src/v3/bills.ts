// GET /v3/bill/tradebill and /v3/bill/fundflowbill answer `{hash_type, hash_value, download_url}`; GET
// /v3/billdownload/file?token=… (signed like any request) streams the file, unsigned, as WeChat does. The SHA1
// is over the original file (before gzip). Amounts in the files are yuan.
import { createHash, randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";

import { fenToYuanString } from "@wxpay/wechatpay";

import type { SimContext } from "../context";
import { BILL_READY_AFTER_MS, DAY_MS, fee, KEPT_FOR_MS, row, tradeBillText } from "../pay/download-bill";
import { dashedBeijingTime } from "../pay/refund-query";
import type { V3Call } from "./call";
import { ok, paramError, v3Error, type V3Reply } from "./wire";

const DOWNLOAD_LIFE_MS = 5 * 60 * 1000; // WeChat (newer pages): "该地址5min内有效".
const BOM = "\ufeff";
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

type BillDay = { dayStart: number; gzip: boolean } | V3Reply;

function billDay(ctx: SimContext, call: V3Call): BillDay {
  const q = call.query;
  const date = q.get("bill_date");
  if (!date) return paramError("bill_date", "缺少参数bill_date", undefined, "query");
  const dayStart = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00+08:00`) : NaN;
  if (!Number.isFinite(dayStart))
    return paramError("bill_date", "bill_date格式应为YYYY-MM-DD", date, "query");
  const tarType = q.get("tar_type");
  if (tarType !== null && tarType !== "GZIP")
    return paramError("tar_type", "tar_type取值错误", tarType, "query");
  const now = ctx.clock.now();
  if (dayStart > now || now - dayStart > KEPT_FOR_MS)
    return v3Error(400, "INVALID_REQUEST", "bill_date超出可下载范围，仅支持三个月内的账单");
  if (now < dayStart + DAY_MS + BILL_READY_AFTER_MS)
    return v3Error(400, "STATEMENT_CREATING", "账单生成中，请在次日9点后下载");
  return { dayStart, gzip: tarType === "GZIP" };
}

function offer(ctx: SimContext, call: V3Call, text: string | undefined, gzip: boolean): V3Reply {
  if (text === undefined) return v3Error(400, "NO_STATEMENT_EXIST", "该日期无账单");
  const file = Buffer.from(BOM + text, "utf8");
  const token = randomBytes(24).toString("base64url");
  ctx.state.billDownloads.set(token, {
    token,
    mchId: call.merchant.mchId,
    file,
    gzip,
    expiresAt: ctx.clock.now() + DOWNLOAD_LIFE_MS,
  });
  return ok({
    hash_type: "SHA1",
    hash_value: createHash("sha1").update(file).digest("hex"),
    download_url: `${ctx.config.publicUrl}/v3/billdownload/file?token=${token}`,
  });
}

export function tradeBill(ctx: SimContext, call: V3Call): V3Reply {
  const billType = call.query.get("bill_type") ?? "ALL";
  if (!["ALL", "SUCCESS", "REFUND"].includes(billType))
    return paramError("bill_type", "bill_type取值错误", billType, "query");
  const day = billDay(ctx, call);
  if ("status" in day) return day;
  return offer(ctx, call, tradeBillText(ctx, call.merchant.mchId, day.dayStart, billType), day.gzip);
}

export function fundFlowBill(ctx: SimContext, call: V3Call): V3Reply {
  const accountType = call.query.get("account_type") ?? "BASIC";
  if (!["BASIC", "OPERATION", "FEES"].includes(accountType))
    return paramError("account_type", "account_type取值错误", accountType, "query");
  const day = billDay(ctx, call);
  if ("status" in day) return day;
  // The simulator keeps only the basic account: payments in, fees and refunds out.
  const text = accountType === "BASIC" ? fundFlowText(ctx, call.merchant.mchId, day.dayStart) : undefined;
  return offer(ctx, call, text, day.gzip);
}

export function billDownloadFile(ctx: SimContext, call: V3Call): V3Reply {
  const token = call.query.get("token") ?? "";
  const bill = ctx.state.billDownloads.get(token);
  if (!bill || bill.mchId !== call.merchant.mchId)
    return v3Error(404, "RESOURCE_NOT_EXISTS", "账单下载地址不存在");
  if (ctx.clock.now() >= bill.expiresAt)
    return v3Error(400, "INVALID_REQUEST", "账单下载地址已过期，请重新申请");
  return {
    status: 200,
    raw: bill.gzip
      ? { body: gzipSync(bill.file), contentType: "application/x-gzip" }
      : { body: bill.file, contentType: "text/plain; charset=utf-8" },
    unsigned: true,
  };
}

const FUND_HEADER =
  "记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）,账户结余（元）,资金变更提交申请人,备注,业务凭证号";
const FUND_SUMMARY_HEADER = "资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额";

/** The basic account's movements on one Beijing day, oldest first, with the running balance from that day's start. */
function fundFlowText(ctx: SimContext, mchId: string, dayStart: number): string | undefined {
  const dayEnd = dayStart + DAY_MS;
  type Move = { at: number; businessNo: string; name: string; type: string; fen: number; voucher: string };
  const moves: Move[] = [];
  for (const o of ctx.state.orders.values()) {
    if (o.mchId !== mchId || o.paidAt === undefined || o.paidAt < dayStart || o.paidAt >= dayEnd) continue;
    const tid = o.transactionId ?? "";
    moves.push({ at: o.paidAt, businessNo: tid, name: "交易", type: "交易", fen: o.totalFee, voucher: tid });
    moves.push({
      at: o.paidAt,
      businessNo: tid,
      name: "扣除交易手续费",
      type: "扣除交易手续费",
      fen: -fee(o.totalFee),
      voucher: tid,
    });
  }
  for (const r of ctx.state.refunds.values()) {
    if (r.mchId !== mchId || r.createdAt < dayStart || r.createdAt >= dayEnd) continue;
    moves.push({
      at: r.createdAt,
      businessNo: r.refundId,
      name: "退款",
      type: "退款",
      fen: -r.refundFee,
      voucher: r.refundId,
    });
  }
  if (moves.length === 0) return undefined;
  moves.sort((a, b) => a.at - b.at);
  let balance = 0;
  let inCount = 0;
  let inFen = 0;
  let outCount = 0;
  let outFen = 0;
  const lines = moves.map((m, i) => {
    balance += m.fen;
    if (m.fen >= 0) {
      inCount += 1;
      inFen += m.fen;
    } else {
      outCount += 1;
      outFen -= m.fen;
    }
    const flowNo = `${formatDay(m.at)}${String(i + 1).padStart(10, "0")}`;
    // prettier-ignore
    return row([
      dashedBeijingTime(m.at), m.businessNo, flowNo, m.name, m.type, m.fen >= 0 ? "收入" : "支出",
      fenToYuanString(Math.abs(m.fen)), fenToYuanString(balance), "system", "", m.voucher,
    ]);
  });
  return (
    [
      FUND_HEADER,
      ...lines,
      FUND_SUMMARY_HEADER,
      row([moves.length, inCount, fenToYuanString(inFen), outCount, fenToYuanString(outFen)]),
    ].join("\r\n") + "\r\n"
  );
}

function formatDay(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, "");
}
