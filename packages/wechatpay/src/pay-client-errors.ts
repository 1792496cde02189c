// Errors the API clients throw. An ApiError means WeChat answered and said no; a TransportError means we
// do not have a trustworthy answer (timeout, network, HTTP status, unparseable or wrongly signed reply).
import { WechatPayError } from "./errors";
import type { TPayApi, TRemedy } from "./remedies";
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

export type TTransportErrorCode =
  | "TIMEOUT"
  | "NETWORK"
  /** The server's TLS certificate did not verify: nothing was sent. */
  | "TLS_SERVER_UNTRUSTED"
  | "HTTP_STATUS"
  | "RESPONSE_TOO_LARGE"
  | "BAD_RESPONSE"
  | "BAD_RESPONSE_SIGN"
  | "RESPONSE_MISMATCH";

export class WechatPayTransportError extends WechatPayError {
  declare readonly code: TTransportErrorCode;
  declare readonly remedy: TRemedy;
  /** Path only: request URLs of the platform APIs carry secrets in the query string. */
  readonly path: string;
  readonly retryable: boolean;
  readonly status?: number;

  constructor(
    code: TTransportErrorCode,
    message: string,
    opts: { path: string; remedy: TRemedy; retryable: boolean; status?: number; cause?: unknown },
  ) {
    super(code, message, {
      remedy: opts.remedy,
      details: { path: opts.path, status: opts.status },
      cause: opts.cause,
    });
    this.path = opts.path;
    this.retryable = opts.retryable;
    if (opts.status !== undefined) this.status = opts.status;
  }
}
