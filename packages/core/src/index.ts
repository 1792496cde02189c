export type { CoreDeps } from "./deps";
export type { TCoreConfig } from "./config";
export {
  activeKeys,
  DEFAULT_CORE_TUNING,
  DEFAULT_LIMITS,
  NOTIFY_PATH,
  OAUTH_CALLBACK_PATH,
  resultPath,
} from "./config";
export { createCoreDeps } from "./create-core-deps";
export type { TWechatEndpoints } from "./create-core-deps";
export { CoreError, isCoreError } from "./errors";
export type { TCoreErrorCode } from "./errors";
export { consoleLogger, createLogger, LOG_LEVELS, requestIdFrom, silentLogger, withLogFields } from "./log";
export type { LogFields, Logger, TLogLevel } from "./log";
export { redactFields, redactText, shortenOpenid } from "./log-redact";
export * from "./catalog/list-products";
export * from "./orders/create-order";
export * from "./orders/get-order-status";
export * from "./orders/list-my-orders";
export * from "./orders/order-view";
export * from "./payments/apply-payment";
export * from "./payments/handle-pay-notify";
export * from "./payments/handle-v3-pay-notify";
export * from "./payments/prepay";
export * from "./payments/sync-attempt";
export * from "./session/client-ip";
export * from "./session/mini-login";
export * from "./session/oauth";
export * from "./session/session-token";
export * from "./wechat/credentials";
export * from "./wechat/js-config";
export * from "./wechat/platform-certificates";
export * from "./orders/list-orders-needing-review";
export * from "./reconcile/reconcile-pass";
export * from "./reconcile/reconcile-tick";
export * from "./orders/order-handoff";
export * from "./refunds/apply-refund-result";
export * from "./refunds/handle-refund-notify";
export * from "./refunds/handle-v3-refund-notify";
export * from "./refunds/import-refund";
export * from "./refunds/request-refund";
export * from "./refunds/send-refund";
export * from "./refunds/status-from-payments";
export * from "./refunds/sync-refunds";
export * from "./reconcile/reconcile-bill";
export * from "./limits/enforce-rate-limit";
export type {
  PaymentGateway,
  PaymentGateways,
  TApiVersion,
  TGatewayOrder,
  TPaymentState,
  TRefundState,
} from "./gateway/payment-gateway";
export { gatewayFor } from "./gateway/payment-gateway";
export { createV2Gateway } from "./gateway/v2-gateway";
export * from "./operators/password";
export * from "./operators/audit";
export * from "./operators/add-operator";
export * from "./operators/operator-session";
export * from "./admin/list-admin-orders";
export * from "./admin/export-orders-csv";
export * from "./admin/admin-order-detail";
export * from "./admin/resolve-review";
export * from "./admin/admin-refund";
export * from "./admin/admin-overview";
export * from "./admin/list-notifications";
export * from "./admin/yuan";
export * from "./admin/run-bill-check";
