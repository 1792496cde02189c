export * from "./client";
export * as schema from "./schema";
export { products } from "./schema";
export type { TProductRow } from "./schema";
