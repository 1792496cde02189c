export * from "./db-crash-probe";
export * from "./pg-control";
