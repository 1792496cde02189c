// Reading WeChat Pay v2 replies in WeChat's decision order: "先判断协议字段返回，再判断业务返回，最后判断交易状态"
// (return_code, then — after the signature — result_code, then the trade state).
import { WechatPayError } from "../shared/errors";
import { parseBeijingTime } from "./fields";
import { WechatPayTransportError } from "../shared/errors";
import { WechatPayApiError } from "./pay-client-errors";
import { remedyFor, remedyForReturnMsg } from "./remedies";
import type { TPayApi } from "./remedies";
import { verifySign } from "./sign";
import type { SignType, WireFields } from "./sign";
import { XmlError, parseXml } from "./xml";

export type TVerifyContext = {
  api: TPayApi;
  path: string;
  mchId: string;
  /** The appid the request was made with; a reply naming another is not ours. */
  appId: string;
  keys: readonly string[];
  signType: SignType;
  maxBytes: number;
};

function badResponse(ctx: { path: string }, message: string, cause?: unknown): WechatPayTransportError {
  return new WechatPayTransportError("BAD_RESPONSE", message, {
    path: ctx.path,
    remedy: "RETRY_SAME",
    retryable: true,
    cause,
  });
}

export function parseReplyXml(
  ctx: { path: string; maxBytes: number },
  bytes: Uint8Array | string,
): WireFields {
  try {
    return parseXml(bytes, { maxBytes: ctx.maxBytes });
  } catch (err) {
    if (err instanceof XmlError)
      throw badResponse(ctx, `reply from ${ctx.path} is not WeChat XML (${err.code})`, err);
    throw err;
  }
}

function field(fields: WireFields, name: string): string | undefined {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/** The communication-level failure of a reply with return_code=FAIL. Such replies carry no signature. */
function returnFail(api: TPayApi, fields: WireFields): WechatPayApiError {
  // WeChat: return_msg; a sandbox reply was seen with retmsg/retcode instead (w7corp/easywechat#1255).
  const returnMsg = field(fields, "return_msg") ?? field(fields, "retmsg") ?? "";
  const r = remedyForReturnMsg(api, returnMsg);
  const errCode = field(fields, "error_code") ?? field(fields, "retcode");
  return new WechatPayApiError({
    api,
    code: "RETURN_FAIL",
    message: `${api}: return_code=FAIL${returnMsg ? ` (${returnMsg})` : ""}`,
    remedy: r.remedy,
    retryable: r.retryable,
    hint: r.hint,
    returnMsg,
    ...(errCode === undefined ? {} : { errCode }),
    fields,
  });
}

/**
 * Checks a parsed reply and returns it only once it is trustworthy: return_code SUCCESS, a valid signature
 * under the pinned sign type (current or previous key), our mch_id/appid, and result_code SUCCESS.
 * A return_code=FAIL reply is unsigned, so it is reported as what it says and never trusted for state.
 */
export function verifyReply(ctx: TVerifyContext, fields: WireFields): WireFields {
  const returnCode = field(fields, "return_code");
  if (returnCode === "FAIL") throw returnFail(ctx.api, fields);
  if (returnCode !== "SUCCESS") throw badResponse(ctx, `reply from ${ctx.path} has no valid return_code`);

  // WeChat: "接收到的数据也需要验证签名"; over every field received, unknown ones included.
  const declared = field(fields, "sign_type");
  if (
    (declared !== undefined && declared !== "" && declared !== ctx.signType) ||
    !verifySign(fields, ctx.keys, ctx.signType)
  ) {
    throw new WechatPayTransportError(
      "BAD_RESPONSE_SIGN",
      `reply from ${ctx.path} failed ${ctx.signType} signature verification`,
      {
        path: ctx.path,
        remedy: "FIX_CONFIG",
        retryable: false,
      },
    );
  }
  const mchId = field(fields, "mch_id");
  const appId = field(fields, "appid");
  if ((mchId !== undefined && mchId !== ctx.mchId) || (appId !== undefined && appId !== ctx.appId)) {
    throw new WechatPayTransportError(
      "RESPONSE_MISMATCH",
      `reply from ${ctx.path} names another merchant or app`,
      {
        path: ctx.path,
        remedy: "FIX_CONFIG",
        retryable: false,
      },
    );
  }

  const resultCode = field(fields, "result_code");
  if (resultCode === "FAIL") {
    const errCode = field(fields, "err_code") ?? "";
    const errCodeDes = field(fields, "err_code_des") ?? "";
    const r = remedyFor(ctx.api, errCode);
    throw new WechatPayApiError({
      api: ctx.api,
      code: errCode || "RESULT_FAIL",
      message: `${ctx.api}: ${errCode || "result_code=FAIL"}${errCodeDes ? ` (${errCodeDes})` : ""}`,
      remedy: r.remedy,
      retryable: r.retryable,
      hint: r.hint,
      errCode,
      errCodeDes,
      fields,
    });
  }
  if (resultCode !== "SUCCESS") throw badResponse(ctx, `reply from ${ctx.path} has no valid result_code`);
  return fields;
}

/** Reads typed values out of a verified reply; a missing or malformed field is a BAD_RESPONSE. */
export class ReplyReader {
  constructor(
    private readonly fields: WireFields,
    readonly path: string,
  ) {}

  opt(name: string): string | undefined {
    const v = field(this.fields, name);
    return v === undefined || v === "" ? undefined : v;
  }

  req(name: string): string {
    const v = this.opt(name);
    if (v === undefined) throw badResponse(this, `reply from ${this.path} lacks ${name}`);
    return v;
  }

  /** Fen as an exact integer (WeChat Int fields); "0" allowed; never through parseFloat. */
  fen(name: string): number {
    const v = this.req(name);
    if (!/^(0|[1-9][0-9]{0,14})$/.test(v))
      throw badResponse(this, `reply field ${name} is not an integer of fen`);
    return Number(v);
  }

  optFen(name: string): number | undefined {
    return this.opt(name) === undefined ? undefined : this.fen(name);
  }

  int(name: string): number {
    return this.fen(name);
  }

  beijingTime(name: string): Date {
    try {
      return parseBeijingTime(this.req(name));
    } catch (err) {
      if (err instanceof WechatPayError && err.code === "BAD_TIME")
        throw badResponse(this, `reply field ${name} is not yyyyMMddHHmmss`, err);
      throw err;
    }
  }

  fail(message: string): WechatPayTransportError {
    return badResponse(this, `reply from ${this.path}: ${message}`);
  }
}

const SPACED_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** "2017-12-15 09:46:01" (Beijing) → Date; WeChat uses this form in refund times and bills. */
export function parseSpacedBeijingTime(s: string): Date | undefined {
  const m = SPACED_TIME.exec(s);
  if (!m) return undefined;
  try {
    return parseBeijingTime(m.slice(1).join(""));
  } catch {
    return undefined;
  }
}

export { badResponse };
