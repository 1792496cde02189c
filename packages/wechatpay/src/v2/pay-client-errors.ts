// Errors the v2 API clients throw. An ApiError means WeChat answered and said no (TransportError, for no
// trustworthy answer, is shared with v3: ../shared/errors).
import { WechatPayError } from "../shared/errors";
import type { TRemedy } from "../shared/remedy";
import type { TPayApi } from "./remedies";
import type { WireFields } from "./sign";

export type TPayApiErrorInit = {
  api: TPayApi;
  /** "RETURN_FAIL" for a communication-level failure (return_code=FAIL), otherwise the err_code. */
  code: string;
  message: string;
  remedy: TRemedy;
  retryable: boolean;
  hint: string;
  returnMsg?: string;
  errCode?: string;
  errCodeDes?: string;
  /** The reply as received (never contains our key). */
  fields?: WireFields;
};

export class WechatPayApiError extends WechatPayError {
  declare readonly remedy: TRemedy;
  readonly api: TPayApi;
  readonly retryable: boolean;
  /** WeChat's documented wording of what to do. */
  readonly hint: string;
  readonly returnMsg?: string;
  readonly errCode?: string;
  readonly errCodeDes?: string;
  readonly fields?: WireFields;

  constructor(init: TPayApiErrorInit) {
    super(init.code, init.message, {
      remedy: init.remedy,
      details: {
        api: init.api,
        errCode: init.errCode,
        errCodeDes: init.errCodeDes,
        returnMsg: init.returnMsg,
      },
    });
    this.api = init.api;
    this.retryable = init.retryable;
    this.hint = init.hint;
    if (init.returnMsg !== undefined) this.returnMsg = init.returnMsg;
    if (init.errCode !== undefined) this.errCode = init.errCode;
    if (init.errCodeDes !== undefined) this.errCodeDes = init.errCodeDes;
    if (init.fields !== undefined) this.fields = init.fields;
  }
}
