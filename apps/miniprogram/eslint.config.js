import { baseConfig, restrictEnvAccess } from "@wxpay/config/eslint";

export default [
  ...baseConfig,
  restrictEnvAccess,
  {
    // The mini-program's globals (App, Component, wx) are typed by miniprogram-api-typings.
    files: ["src/**/*.ts"],
    languageOptions: {
      globals: { App: "readonly", Component: "readonly", wx: "readonly", getApp: "readonly" },
    },
  },
];
