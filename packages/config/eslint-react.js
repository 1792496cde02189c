import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

import { baseConfig } from "./eslint.js";

export const reactConfig = [
  ...baseConfig,
  {
    files: ["**/*.tsx"],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
    },
  },
];

export default reactConfig;
