import { restrictEnvAccess } from "@wxpay/config/eslint";
import { reactConfig } from "@wxpay/config/eslint-react";

export default [...reactConfig, restrictEnvAccess, { ignores: ["next-env.d.ts"] }];
