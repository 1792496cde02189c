// WeChat Pay v3 errors: an HTTP status and a JSON body `{ code, message, detail }`, and what to do about each
// (reference §8). The remedy vocabulary is the one v2 uses, so the shop switches on one set of values.
import { WechatPayError } from "../shared/errors";
import type { TRemedy, TRemedyInfo } from "../shared/remedy";
import { remedyInfo as info } from "../shared/remedy";

export type TV3Api =
  | "jsapi"
  | "h5"
  | "native"
  | "query"
  | "close"
  | "refund"
  | "refundquery"
  | "tradebill"
  | "fundflowbill"
  | "billdownload"
  | "certificates"
  | "request";

/** WeChat's error body. `detail` is present mainly for PARAM_ERROR: `{ field, value, issue, location }`. */
export type TV3ErrorBody = { code: string; message: string; detail?: unknown };

// WeChat: "5开头的错误码代表接口异常或者系统处理超时等系统错误，使用原请求参数重试即可".
const COMMON: Readonly<Record<string, TRemedyInfo>> = {
  SYSTEM_ERROR: info("RETRY_SAME", "系统异常，请使用相同参数稍后重新调用"),
  SERVICE_UNAVAILABLE: info("RETRY_SAME", "服务暂时不可用，请使用相同参数稍后重新调用"),
  BANK_ERROR: info("RETRY_SAME", "银行系统异常，请使用相同参数重新调用"),
  FREQUENCY_LIMITED: info("RETRY_LATER", "请求未受理，请降低频率后重试"),
  RATELIMIT_EXCEEDED: info("RETRY_LATER", "请求未受理，请降低频率后重试"),
  PARAM_ERROR: info("FIX_REQUEST", "请根据错误提示正确传入参数"),
  INVALID_REQUEST: info("FIX_REQUEST", "请求不符合业务规则，请参阅message"),
  SIGN_ERROR: info("FIX_CONFIG", "请检查商户API私钥、证书序列号和签名串"),
  NO_AUTH: info("FIX_CONFIG", "商户无权限，请在商户平台开通产品权限"),
  APPID_MCHID_NOT_MATCH: info("FIX_CONFIG", "请确认AppID和mchid已绑定"),
  MCH_NOT_EXISTS: info("FIX_CONFIG", "请检查商户号是否正确"),
  RESOURCE_NOT_EXISTS: info("NOT_FOUND", "资源不存在"),
  ORDER_NOT_EXIST: info("NOT_FOUND", "订单不存在，请检查订单号"),
  ORDERNOTEXIST: info("NOT_FOUND", "订单不存在，请检查订单号"),
};

const PER_API: Partial<Record<TV3Api, Readonly<Record<string, TRemedyInfo>>>> = {
  jsapi: ORDER_CODES(),
  h5: ORDER_CODES(),
  native: ORDER_CODES(),
  query: {
    INVALID_TRANSACTIONID: info("FIX_REQUEST", "请检查微信支付订单号是否正确"),
  },
  close: {
    ORDER_CLOSED: info("TREAT_AS_CLOSED", "订单已关闭，无需继续调用"),
    // WeChat: a close sent while the user is entering the password may be rate limited.
    FREQUENCY_LIMITED: info("RETRY_LATER", "请降低频率后重试；用户可能正在支付，请先查询订单"),
  },
  refund: {
    // WeChat: "请不要更换商户退款单号，请使用相同参数再次调用API".
    SYSTEM_ERROR: info("RETRY_SAME", "系统超时，请不要更换商户退款单号，请使用相同参数再次调用API"),
    NOT_ENOUGH: info("MANUAL", "商户可用退款余额不足，请充值后使用相同退款单号重试"),
    USER_ACCOUNT_ABNORMAL: info("MANUAL", "用户账户异常，退款申请失败，请在商户平台处理"),
    RESOURCE_NOT_EXISTS: info("NOT_FOUND", "订单号不存在，或订单未支付（未支付的订单不能发起退款）"),
    REQUEST_BLOCKED: info("MANUAL", "退款请求被阻止，请在商户平台查看"),
  },
  refundquery: {
    RESOURCE_NOT_EXISTS: info("NOT_FOUND", "退款单不存在"),
  },
  tradebill: BILL_CODES(),
  fundflowbill: BILL_CODES(),
  certificates: {
    // WeChat: a merchant that uses the WeChat Pay public key has no platform certificate.
    RESOURCE_NOT_EXISTS: info("FIX_CONFIG", "无可用的平台证书，请使用微信支付公钥验签"),
  },
};

function ORDER_CODES(): Readonly<Record<string, TRemedyInfo>> {
  return {
    USER_PAYING: info("QUERY_ORDER", "用户支付中，请5秒后查询订单"),
    ORDER_CLOSED: info("NEW_OUT_TRADE_NO", "订单已关闭，请使用新的商户订单号下单"),
    OUT_TRADE_NO_USED: info("NEW_OUT_TRADE_NO", "商户订单号重复，请核实是否已支付；未支付请换单号"),
    ORDER_PAID: info("TREAT_AS_PAID", "订单已支付，请查询订单确认"),
    ACCOUNT_ERROR: info("USER_ACTION", "用户账号异常"),
    ACCOUNTERROR: info("USER_ACTION", "用户账号异常"),
    NOT_ENOUGH: info("USER_ACTION", "用户余额不足，请用户换卡支付"),
    NOTENOUGH: info("USER_ACTION", "用户余额不足，请用户换卡支付"),
    RULE_LIMIT: info("USER_ACTION", "业务规则限制，请用户更换支付方式"),
    TRADE_ERROR: info("FIX_REQUEST", "交易错误，请核实后再试"),
    OPENID_MISMATCH: info("FIX_REQUEST", "openid和appid不匹配"),
  };
}

function BILL_CODES(): Readonly<Record<string, TRemedyInfo>> {
  return {
    NO_STATEMENT_EXIST: info("NOT_FOUND", "账单不存在，请确认账单日期"),
    // WeChat: bills are generated from 09:00 the next day.
    STATEMENT_CREATING: info("RETRY_LATER", "账单生成中，请在次日10点后再下载"),
    INVALID_REQUEST: info("FIX_REQUEST", "账单日期不合法（仅支持三个月内的账单）"),
  };
}

/** The remedy for a v3 error code on an API; HTTP 5xx without a known code is a retry with the same request. */
export function remedyForV3(api: TV3Api, code: string, status?: number): TRemedyInfo {
  const known = PER_API[api]?.[code] ?? COMMON[code];
  if (known) return known;
  if (status !== undefined && status >= 500)
    return info("RETRY_SAME", "微信支付系统错误，请使用相同参数重试");
  if (status === 429) return info("RETRY_LATER", "请降低频率后重试");
  return info("UNKNOWN", "未知错误码，请勿自动重试");
}

/** WeChat answered with an error body (non-2xx): it said no, and why. */
export class WechatPayV3ApiError extends WechatPayError {
  declare readonly remedy: TRemedy;
  readonly api: TV3Api;
  readonly status: number;
  /** WeChat's `message`, as received. */
  readonly wechatMessage: string;
  /** WeChat's `detail`, as received (e.g. `{ field: "/amount/total", issue: … }`). */
  readonly detail?: unknown;
  readonly retryable: boolean;
  readonly hint: string;
  /** The Request-ID header: the handle WeChat support asks for. */
  readonly requestId?: string;

  constructor(init: { api: TV3Api; status: number; body: TV3ErrorBody; requestId?: string }) {
    const r = remedyForV3(init.api, init.body.code, init.status);
    super(init.body.code, `${init.api}: HTTP ${init.status} ${init.body.code} ${init.body.message}`, {
      remedy: r.remedy,
      details: { api: init.api, status: init.status, requestId: init.requestId },
    });
    this.api = init.api;
    this.status = init.status;
    this.wechatMessage = init.body.message;
    if (init.body.detail !== undefined) this.detail = init.body.detail;
    this.retryable = r.retryable;
    this.hint = r.hint;
    if (init.requestId !== undefined) this.requestId = init.requestId;
  }
}

/** A request refused before it was sent (a WeChat limit it would break). */
export class WechatPayV3InputError extends WechatPayError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("BAD_INPUT", `${field}: ${message}`, { remedy: "FIX_REQUEST", details: { field } });
    this.field = field;
  }
}
