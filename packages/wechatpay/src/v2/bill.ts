// 下载交易账单 (downloadbill) text, parsed. WeChat (reference §12.1): a header row, detail rows whose every
// field is prefixed with a backtick (so spreadsheets keep digits intact), then a summary header and one
// summary row. Amounts are yuan strings; they become integer fen here, never through a float.
import { WechatPayError } from "../shared/errors";
import { parseBeijingTime, yuanStringToFen } from "./fields";

/** One detail row. Amounts in fen; strings exactly as in the bill (backtick removed). */
export type TBillRow = {
  /** "2021-01-28 15:35:18", Beijing time. */
  tradeTime: string;
  tradeAt: Date;
  appId: string;
  mchId: string;
  subMchId?: string;
  deviceInfo?: string;
  transactionId: string;
  outTradeNo: string;
  openid?: string;
  tradeType: string;
  /** SUCCESS, REFUND, REVOKED, … */
  tradeState: string;
  bankType?: string;
  feeType?: string;
  /** 应结订单金额 (older bills: 总金额). */
  settlementTotalFeeFen?: number;
  /** 代金券金额 (older bills: 代金券或立减优惠金额). */
  couponFeeFen?: number;
  /** 订单金额. */
  totalFeeFen?: number;
  refundApplyTime?: string;
  refundSuccessTime?: string;
  /** 微信退款单号; WeChat writes "0" when the row is not a refund, which is left out here. */
  refundId?: string;
  outRefundNo?: string;
  refundFeeFen?: number;
  /** 充值券退款金额 (older bills: 代金券或立减优惠退款金额). */
  couponRefundFeeFen?: number;
  /** 申请退款金额. */
  applyRefundFeeFen?: number;
  refundType?: string;
  refundStatus?: string;
  body?: string;
  attach?: string;
  /** 手续费 exactly as written; WeChat prints up to 5 decimals ("0.00006"). */
  serviceCharge?: string;
  /** 手续费 in thousandths of a fen (10⁻⁵ yuan), exact. */
  serviceChargeMilliFen?: number;
  /** 费率, e.g. "0.60%". */
  rate?: string;
  rateRemark?: string;
  /** Every column by its header, exactly as in the bill. */
  raw: Readonly<Record<string, string>>;
};

export type TBillSummary = {
  /** 总交易单数. */
  tradeCount: number;
  /** 应结订单总金额 (older: 总交易额). */
  settlementTotalFeeFen?: number;
  /** 退款总金额. */
  refundFeeFen?: number;
  /** 充值券退款总金额 (older: 总代金券或立减优惠退款金额 / 企业红包退款金额). */
  couponRefundFeeFen?: number;
  serviceCharge?: string;
  serviceChargeMilliFen?: number;
  /** 订单总金额. */
  totalFeeFen?: number;
  /** 申请退款总金额. */
  applyRefundFeeFen?: number;
  raw: Readonly<Record<string, string>>;
};

export type TBill = { header: readonly string[]; rows: TBillRow[]; summary: TBillSummary };

function badBill(message: string, details?: Record<string, unknown>): WechatPayError {
  return new WechatPayError("BAD_BILL", message, details === undefined ? {} : { details });
}

/** A detail or summary line: every field starts with "`" and fields are joined by ",`". */
function splitValues(line: string, lineNo: number): string[] {
  if (!line.startsWith("`"))
    throw badBill(`bill line ${lineNo} is not a backtick-prefixed row`, { line: lineNo });
  // Splitting on ",`" (not ",") keeps a comma inside a product name intact, as node-tenpay does.
  return line.slice(1).split(",`");
}

function splitHeader(line: string): string[] {
  return line.split(",").map((h) => h.trim().replace(/^`/, ""));
}

// Header names across bill versions and types (ALL / SUCCESS / REFUND / RECHARGE_REFUND).
const COLUMN: Readonly<Record<string, string>> = {
  交易时间: "tradeTime",
  公众账号ID: "appId",
  商户号: "mchId",
  特约商户号: "subMchId",
  子商户号: "subMchId",
  设备号: "deviceInfo",
  微信订单号: "transactionId",
  商户订单号: "outTradeNo",
  用户标识: "openid",
  交易类型: "tradeType",
  交易状态: "tradeState",
  付款银行: "bankType",
  货币种类: "feeType",
  应结订单金额: "settlementTotalFeeFen",
  总金额: "settlementTotalFeeFen",
  代金券金额: "couponFeeFen",
  代金券或立减优惠金额: "couponFeeFen",
  订单金额: "totalFeeFen",
  退款申请时间: "refundApplyTime",
  退款成功时间: "refundSuccessTime",
  微信退款单号: "refundId",
  商户退款单号: "outRefundNo",
  退款金额: "refundFeeFen",
  充值券退款金额: "couponRefundFeeFen",
  代金券或立减优惠退款金额: "couponRefundFeeFen",
  申请退款金额: "applyRefundFeeFen",
  退款类型: "refundType",
  退款状态: "refundStatus",
  商品名称: "body",
  商户数据包: "attach",
  手续费: "serviceCharge",
  费率: "rate",
  费率备注: "rateRemark",
};

const SUMMARY_COLUMN: Readonly<Record<string, string>> = {
  总交易单数: "tradeCount",
  应结订单总金额: "settlementTotalFeeFen",
  总交易额: "settlementTotalFeeFen",
  退款总金额: "refundFeeFen",
  总退款金额: "refundFeeFen",
  充值券退款总金额: "couponRefundFeeFen",
  总代金券或立减优惠退款金额: "couponRefundFeeFen",
  企业红包退款金额: "couponRefundFeeFen",
  手续费总金额: "serviceCharge",
  订单总金额: "totalFeeFen",
  申请退款总金额: "applyRefundFeeFen",
};

const SERVICE_CHARGE = /^(-)?(0|[1-9][0-9]{0,12})(?:\.([0-9]{1,5}))?$/;

/** "0.00006" yuan → 6 thousandths of a fen; decimal digits only, no float. */
function milliFen(s: string, what: string): number {
  const m = SERVICE_CHARGE.exec(s);
  if (!m) throw badBill(`${what} "${s}" is not a yuan amount`);
  const v = Number(m[2]) * 100_000 + Number((m[3] ?? "").padEnd(5, "0"));
  if (!Number.isSafeInteger(v)) throw badBill(`${what} is too large`);
  return m[1] === "-" && v !== 0 ? -v : v;
}

function fen(s: string, what: string): number {
  try {
    return yuanStringToFen(s);
  } catch (err) {
    throw badBill(`${what} "${s}" is not a yuan amount`, {
      cause: err instanceof Error ? err.message : String(err),
    });
  }
}

const SPACED_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function tradeAt(s: string, lineNo: number): Date {
  const m = SPACED_TIME.exec(s);
  try {
    if (!m) throw new Error("format");
    return parseBeijingTime(m.slice(1).join(""));
  } catch {
    throw badBill(`bill line ${lineNo}: 交易时间 "${s}" is not "yyyy-MM-dd HH:mm:ss"`, { line: lineNo });
  }
}

function zip(header: readonly string[], values: string[], lineNo: number): Record<string, string> {
  // WeChat ends ALL/REFUND detail rows with ",`": one empty field past the last header.
  if (values.length === header.length + 1 && values[values.length - 1] === "") values.pop();
  if (values.length !== header.length) {
    throw badBill(`bill line ${lineNo} has ${values.length} fields for ${header.length} columns`, {
      line: lineNo,
    });
  }
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  header.forEach((h, i) => {
    out[h] = values[i] as string;
  });
  return out;
}

function present(v: string | undefined): v is string {
  return v !== undefined && v !== "";
}

function toRow(raw: Record<string, string>, lineNo: number): TBillRow {
  const v: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [h, value] of Object.entries(raw)) {
    const key = Object.hasOwn(COLUMN, h) ? COLUMN[h] : undefined;
    if (key !== undefined && !(key in v)) v[key] = value;
  }
  const need = (k: string, label: string): string => {
    const x = v[k];
    if (!present(x)) throw badBill(`bill line ${lineNo} lacks ${label}`, { line: lineNo });
    return x;
  };
  const tradeTime = need("tradeTime", "交易时间");
  const row: TBillRow = {
    tradeTime,
    tradeAt: tradeAt(tradeTime, lineNo),
    appId: need("appId", "公众账号ID"),
    mchId: need("mchId", "商户号"),
    transactionId: need("transactionId", "微信订单号"),
    outTradeNo: need("outTradeNo", "商户订单号"),
    tradeType: need("tradeType", "交易类型"),
    tradeState: need("tradeState", "交易状态"),
    raw,
  };
  const optional = [
    "deviceInfo",
    "openid",
    "bankType",
    "feeType",
    "refundApplyTime",
    "refundSuccessTime",
    "refundType",
    "refundStatus",
    "body",
    "attach",
    "rate",
    "rateRemark",
  ] as const;
  for (const k of optional) if (present(v[k])) row[k] = v[k];
  // "0" is WeChat's placeholder for "no refund / no sub-merchant" in these columns.
  for (const k of ["refundId", "outRefundNo", "subMchId"] as const) {
    const x = v[k];
    if (present(x) && x !== "0") row[k] = x;
  }
  const amounts = [
    ["settlementTotalFeeFen", "应结订单金额"],
    ["couponFeeFen", "代金券金额"],
    ["totalFeeFen", "订单金额"],
    ["refundFeeFen", "退款金额"],
    ["couponRefundFeeFen", "充值券退款金额"],
    ["applyRefundFeeFen", "申请退款金额"],
  ] as const;
  for (const [k, label] of amounts) {
    const x = v[k];
    if (present(x)) row[k] = fen(x, `bill line ${lineNo}: ${label}`);
  }
  if (present(v.serviceCharge)) {
    row.serviceCharge = v.serviceCharge;
    row.serviceChargeMilliFen = milliFen(v.serviceCharge, `bill line ${lineNo}: 手续费`);
  }
  return row;
}

function toSummary(raw: Record<string, string>, lineNo: number): TBillSummary {
  const v: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [h, value] of Object.entries(raw)) {
    const key = Object.hasOwn(SUMMARY_COLUMN, h) ? SUMMARY_COLUMN[h] : undefined;
    if (key !== undefined && !(key in v)) v[key] = value;
  }
  const count = v.tradeCount;
  if (count === undefined || !/^(0|[1-9][0-9]{0,9})$/.test(count)) {
    throw badBill(`bill summary (line ${lineNo}) lacks a valid 总交易单数`, { line: lineNo });
  }
  const summary: TBillSummary = { tradeCount: Number(count), raw };
  for (const k of [
    "settlementTotalFeeFen",
    "refundFeeFen",
    "couponRefundFeeFen",
    "totalFeeFen",
    "applyRefundFeeFen",
  ] as const) {
    const x = v[k];
    if (present(x)) summary[k] = fen(x, `bill summary ${k}`);
  }
  if (present(v.serviceCharge)) {
    summary.serviceCharge = v.serviceCharge;
    summary.serviceChargeMilliFen = milliFen(v.serviceCharge, "bill summary 手续费总金额");
  }
  return summary;
}

/**
 * Parses downloadbill text into typed rows and the summary. Throws WechatPayError("BAD_BILL") on anything
 * that does not look like a complete bill — including a summary count that disagrees with the rows, which
 * is how a truncated download shows.
 */
export function parseBill(text: string): TBill {
  if (typeof text !== "string") throw badBill("bill must be text");
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .map((l, i) => ({ l: l.replace(/\r$/, ""), n: i + 1 }))
    .filter(({ l }) => l.trim() !== "");
  if (lines.length < 3) throw badBill("bill has no header, rows and summary");
  const first = lines[0] as { l: string; n: number };
  const header = splitHeader(first.l);
  if (!header.includes("交易时间") || !header.includes("商户订单号"))
    throw badBill("bill header lacks 交易时间/商户订单号");

  const summaryAt = lines.findIndex(({ l }, i) => i > 0 && !l.startsWith("`") && l.includes("总交易单数"));
  if (summaryAt === -1) throw badBill("bill has no summary (总交易单数)");
  const summaryHeaderLine = lines[summaryAt] as { l: string; n: number };
  const summaryLine = lines[summaryAt + 1];
  if (summaryLine === undefined) throw badBill("bill summary row is missing");
  if (lines.length !== summaryAt + 2) throw badBill("unexpected lines after the bill summary");

  const rows = lines.slice(1, summaryAt).map(({ l, n }) => toRow(zip(header, splitValues(l, n), n), n));
  const summaryHeader = splitHeader(summaryHeaderLine.l);
  const summary = toSummary(
    zip(summaryHeader, splitValues(summaryLine.l, summaryLine.n), summaryLine.n),
    summaryLine.n,
  );
  if (summary.tradeCount !== rows.length) {
    throw badBill(`bill summary counts ${summary.tradeCount} trades but ${rows.length} rows arrived`, {
      tradeCount: summary.tradeCount,
      rows: rows.length,
    });
  }
  return { header, rows, summary };
}
