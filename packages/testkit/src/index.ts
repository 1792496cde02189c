export * from "./chromium";
export * from "./ports";
export * from "./postgres";
