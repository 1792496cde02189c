import { baseConfig } from "@wxpay/config/eslint";

export default baseConfig;
