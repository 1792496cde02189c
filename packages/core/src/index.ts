export type { CoreDeps } from "./deps";
export * from "./catalog/list-products";
