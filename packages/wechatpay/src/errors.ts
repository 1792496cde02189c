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
