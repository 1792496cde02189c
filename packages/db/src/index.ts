export * from "./client";
export * as schema from "./schema";
export {
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
  wechatCredentials,
} from "./schema";
export type {
  TOrderItemRow,
  TOrderRow,
  TPaymentAttemptRow,
  TPaymentNotificationRow,
  TProductRow,
  TRefundRow,
} from "./schema";
