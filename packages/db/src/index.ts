export * from "./client";
export * as schema from "./schema";
export {
  auditLog,
  billChecks,
  operators,
  operatorSessions,
  customers,
  handoffLinks,
  leases,
  orderEvents,
  orders,
  paymentAttempts,
  paymentNotifications,
  products,
  rateLimitHits,
  reconcilerTicks,
  refunds,
  V3_NOTIFY_REFUSALS,
  wechatCredentials,
  wechatPlatformCertificates,
} from "./schema";
export type {
  TAuditLogRow,
  TBillCheckRow,
  TOperatorRow,
  TOrderItemRow,
  TOrderRow,
  TPaymentAttemptRow,
  TPaymentNotificationRow,
  TProductRow,
  TRefundRow,
} from "./schema";
