// The shop's own error vocabulary at the core border. The API maps each code to a tRPC code; pages map it to
// a sentence. Messages are safe to show: no secrets, no WeChat internals.
export type TCoreErrorCode =
  | "NOT_FOUND"
  | "UNKNOWN_SKU"
  | "OAUTH_REQUIRED"
  | "LOGIN_REQUIRED"
  | "ORDER_PAID"
  | "ORDER_CLOSED"
  | "WECHAT_BUSY"
  | "WECHAT_REJECTED"
  | "URL_NOT_ALLOWED"
  | "TOO_MANY_REQUESTS"
  | "BAD_INPUT"
  | "REFUNDS_DISABLED"
  | "TOO_MANY_OPEN_ORDERS"
  /** Console: the operator's role does not allow this action. */
  | "FORBIDDEN"
  /** Console: a one-time password must be replaced before anything else. */
  | "PASSWORD_CHANGE_REQUIRED"
  /** Console: the change would leave no enabled admin. */
  | "LAST_ADMIN";

export class CoreError extends Error {
  readonly code: TCoreErrorCode;
  constructor(code: TCoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CoreError";
    this.code = code;
  }
}

export const isCoreError = (e: unknown): e is CoreError => e instanceof CoreError;
