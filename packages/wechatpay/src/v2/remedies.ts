// What to do about each WeChat Pay v2 error: the remedies WeChat documents per API (err_code tables of
// unifiedorder, orderquery, closeorder, refund, refundquery; reference §2.5, §9, §10, §11), as one small
// vocabulary the rest of the shop can switch on.

import { remedyInfo as info } from "../shared/remedy";
import type { TRemedyInfo } from "../shared/remedy";

export type TPayApi =
  "unifiedorder" | "orderquery" | "closeorder" | "refund" | "refundquery" | "downloadbill";

// Codes every v2 API shares (WxPayErrorCode common part; envelope errors of every err_code table).
const COMMON: Readonly<Record<string, TRemedyInfo>> = {
  SYSTEMERROR: info("RETRY_SAME", "系统异常，请用相同参数重新调用"),
  APPID_NOT_EXIST: info("FIX_CONFIG", "请检查APPID是否正确"),
  MCHID_NOT_EXIST: info("FIX_CONFIG", "请检查MCHID是否正确"),
  APPID_MCHID_NOT_MATCH: info("FIX_CONFIG", "请确认appid和mch_id是否匹配（在商户平台绑定appid）"),
  SIGNERROR: info("FIX_CONFIG", "请检查签名参数和方法是否都符合签名算法要求（APIv2密钥、签名类型）"),
  NOAUTH: info("FIX_CONFIG", "请商户前往申请此接口权限"),
  LACK_PARAMS: info("FIX_REQUEST", "请检查参数是否齐全"),
  PARAM_ERROR: info("FIX_REQUEST", "请根据错误提示修正参数"),
  XML_FORMAT_ERROR: info("FIX_REQUEST", "请检查XML参数格式是否正确"),
  REQUIRE_POST_METHOD: info("FIX_REQUEST", "请检查请求参数是否通过post方法提交"),
  POST_DATA_EMPTY: info("FIX_REQUEST", "请检查post数据是否为空"),
  NOT_UTF8: info("FIX_REQUEST", "请使用UTF-8编码格式"),
  INVALID_TRANSACTIONID: info("FIX_REQUEST", "请检查微信订单号是否正确"),
};

const PER_API: Readonly<Record<TPayApi, Readonly<Record<string, TRemedyInfo>>>> = {
  unifiedorder: {
    // WeChat: re-entry must repeat every parameter; observed err_code_des "201 商户订单号重复".
    INVALID_REQUEST: info(
      "NEW_OUT_TRADE_NO",
      "订单重入时，要求参数值与原请求一致，请确认参数问题；参数须变更时请更换商户订单号",
    ),
    NOTENOUGH: info("USER_ACTION", "用户帐号余额不足，请用户充值或更换支付卡后再支付"),
    ORDERPAID: info("TREAT_AS_PAID", "商户订单已支付，无需更多操作"),
    ORDERCLOSED: info("NEW_OUT_TRADE_NO", "当前订单已关闭，请重新下单"),
    OUT_TRADE_NO_USED: info("NEW_OUT_TRADE_NO", "同一笔交易不能多次提交，请核实商户订单号是否重复提交"),
    // Micropay codes; harmless to know here, and they tell a caller the payment may still complete.
    USERPAYING: info("QUERY_ORDER", "用户支付中，请查询订单确认支付结果"),
    BANKERROR: info("QUERY_ORDER", "银行系统异常，请用相同参数重新调用或查询订单"),
  },
  orderquery: {
    // WeChat: "该API只能查提交支付交易返回成功的订单" — the number never reached a successful unifiedorder.
    ORDERNOTEXIST: info("NOT_FOUND", "此交易订单号不存在，请检查需要查询的订单号是否正确"),
    SYSTEMERROR: info("RETRY_SAME", "系统异常，请再调用发起查询"),
  },
  closeorder: {
    ORDERPAID: info("TREAT_AS_PAID", "订单已支付，不能发起关单，请当作已支付的正常交易"),
    ORDERCLOSED: info("TREAT_AS_CLOSED", "订单已关闭，无需继续调用"),
    SYSTEMERROR: info("RETRY_SAME", "系统异常，请重新调用该API"),
    ORDERNOTEXIST: info("NOT_FOUND", "订单不存在"),
    // WxJava lists it for closeorder (not in the official table): the state changed under us.
    TRADE_STATE_ERROR: info("QUERY_ORDER", "订单状态错误，请查询订单确认状态"),
  },
  refund: {
    SYSTEMERROR: info("RETRY_SAME", "系统超时，请不要更换商户退款单号，请使用相同参数再次调用API"),
    BIZERR_NEED_RETRY: info("RETRY_SAME", "并发情况下被拒绝，请使用相同参数再次调用API"),
    TRADE_OVERDUE: info("MANUAL", "订单已经超过可退款的最大期限(支付后一年内可退款)，请选择其他方式自行退款"),
    ERROR: info("MANUAL", "申请退款业务发生错误，请根据err_code_des处理"),
    USER_ACCOUNT_ABNORMAL: info("MANUAL", "用户帐号注销，此状态代表退款申请失败，商户可自行处理退款"),
    INVALID_REQ_TOO_MUCH: info(
      "RETRY_LATER",
      "连续错误请求数过多被系统短暂屏蔽，请检查请求参数，1分钟后再次重试",
    ),
    NOTENOUGH: info("MANUAL", "商户可用退款余额不足，请充值后再发起退款（使用相同退款单号）"),
    ORDERNOTEXIST: info("NOT_FOUND", "请检查订单号是否正确且是否已支付，未支付的订单不能发起退款"),
    FREQUENCY_LIMITED: info("RETRY_LATER", "2个月之前的订单申请退款有频率限制，请降低频率后重试"),
  },
  refundquery: {
    SYSTEMERROR: info("RETRY_SAME", "系统异常，请用相同参数重新调用"),
    REFUNDNOTEXIST: info(
      "NOT_FOUND",
      "退款订单查询失败：订单号错误或订单状态不正确（如未支付、已支付未退款）",
    ),
  },
  downloadbill: {},
};

/** The documented remedy for `errCode` returned by `api` (result_code=FAIL). Unknown codes → UNKNOWN. */
export function remedyFor(api: TPayApi, errCode: string): TRemedyInfo {
  const table = PER_API[api];
  if (Object.hasOwn(table, errCode)) return table[errCode] as TRemedyInfo;
  if (Object.hasOwn(COMMON, errCode)) return COMMON[errCode] as TRemedyInfo;
  return info("UNKNOWN", "未知错误码，请根据err_code_des处理");
}

/**
 * The remedy for a communication-level failure (return_code=FAIL). WeChat sends these unsigned, with a
 * free-text return_msg only, so the text is all there is to go on.
 */
export function remedyForReturnMsg(api: TPayApi, returnMsg: string): TRemedyInfo {
  const m = returnMsg.toLowerCase();
  // WeChat: a wrong key or algorithm comes back as return_code=FAIL, return_msg=签名错误 (observed).
  if (returnMsg.includes("签名") || m.includes("sign")) return COMMON.SIGNERROR as TRemedyInfo;
  if (returnMsg.includes("系统繁忙") || returnMsg.includes("系统错误") || m.includes("systemerror")) {
    return info("RETRY_SAME", "系统异常，请用相同参数重新调用");
  }
  if (api === "downloadbill") {
    // WeChat sends "No Bill Exist" (docs say "NO Bill Exist"): no transactions that day, or bad date.
    if (m.includes("no bill exist")) return info("NOT_FOUND", "账单不存在（当日无交易或日期有误）");
    // WeChat: bills are generated from 09:00 the next day; fetch after 10:00.
    if (m.includes("bill creating")) return info("RETRY_LATER", "账单生成中，请于次日10点后再下载");
  }
  if (returnMsg.includes("mch_id") || returnMsg.includes("appid") || m.includes("no auth")) {
    return info("FIX_CONFIG", returnMsg);
  }
  return info("FIX_REQUEST", returnMsg);
}
