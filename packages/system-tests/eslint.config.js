import { baseConfig, restrictEnvAccess } from "@wxpay/config/eslint";

export default [...baseConfig, restrictEnvAccess];
