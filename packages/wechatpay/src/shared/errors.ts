import type { TRemedy } from "./remedy";

// Typed errors for the protocol package. Every failure that leaves @wxpay/wechatpay is a WechatPayError
// (or a subclass) with a stable `code`, so callers switch on codes, never on message text.

export type WechatPayErrorOptions = {
  /** What the caller should do about it, in WeChat's terms (e.g. "retry with the same parameters"). */
  remedy?: string;
  /** Extra, non-secret context (field names, lengths); never keys or full bodies. */
  details?: Readonly<Record<string, unknown>>;
  cause?: unknown;
};

export class WechatPayError extends Error {
  readonly code: string;
  readonly remedy?: string;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: WechatPayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.remedy !== undefined) this.remedy = options.remedy;
    if (options.details !== undefined) this.details = options.details;
  }
}

export function isWechatPayError(e: unknown): e is WechatPayError {
  return e instanceof WechatPayError;
}

// A TransportError means we do not have a trustworthy answer (timeout, network, HTTP status, unparseable
// or wrongly signed reply): the outcome of the call is unknown.
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
