import { baseConfig, restrictEnvAccess } from "@wxpay/config/eslint";

const browserGlobals = Object.fromEntries(
  ["window", "document", "location", "fetch", "URL", "Event", "setTimeout"].map((name) => [name, "readonly"]),
);

export default [
  ...baseConfig,
  restrictEnvAccess,
  // The bridge script runs in the page, not in Node.
  { files: ["src/browser/**/*.js"], languageOptions: { globals: browserGlobals, sourceType: "script" } },
];
