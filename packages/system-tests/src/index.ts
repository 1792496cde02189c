export * from "./api-version";
export * from "./db-crash-probe";
export * from "./load";
export * from "./pg-control";
export * from "./shop-db";
export * from "./shopper";
export * from "./system";
export * from "./web-process";
