export * from "./client";
export * as schema from "./schema";
export {
  customers,
  orderEvents,
  orders,
  paymentAttempts,
  paymentNotifications,
  products,
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
