// The mini-program's shared runtime: built once into shared/index.js and required by the app and every page.
export { config } from "./config";
export type { TMiniConfig } from "./config";
export { configureShop, getShop } from "./runtime";
export { createShop } from "./shop";
export type { Shop, ShopOptions } from "./shop";
export { createSession, memoryTokenStore } from "./session";
export type { Session, TokenStore, TStoredToken } from "./session";
export { appCodeOf, appCodeText, errorText } from "./errors";
export type { TAppCode } from "./errors";
export { formatBeijingTime, formatYuan, statusText } from "./format";
export { paymentHint } from "./wx-calls";
export type { TPaymentHint, TPaymentOutcome } from "./wx-calls";
export { procedureUrl, wxRequestLink } from "./wx-request-link";
export { simulatorWx } from "./simulator-wx";
export type * from "./types";
export type * from "./wx-types";
