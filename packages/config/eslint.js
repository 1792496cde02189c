// Shared flat config for every package: typescript-eslint's recommended rules plus the project's habits.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Config only through an app's env module: `process.env` is allowed in files named env.ts and in tooling. */
export const restrictEnvAccess = {
  files: ["**/*.ts", "**/*.tsx"],
  ignores: [
    "**/env.ts",
    "**/*.test.ts",
    "**/*.config.ts",
    "**/e2e/**",
    "**/bin/**",
    "**/bench/**",
    "**/scripts/**",
  ],
  rules: {
    "no-restricted-properties": [
      "error",
      { object: "process", property: "env", message: "Read configuration through the app's env module." },
    ],
  },
};

export const baseConfig = tseslint.config(
  { ignores: ["**/dist/**", "**/.next/**", "**/node_modules/**", "**/drizzle/meta/**", "**/.turbo/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/consistent-type-imports": [
        "warn",
        { prefer: "type-imports", fixStyle: "separate-type-imports" },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "error",
      "no-console": "off",
    },
  },
  prettier,
);

export default baseConfig;
