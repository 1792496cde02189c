// Console operators: `pnpm --filter @wxpay/web operator add <name> [--role viewer|operator|admin]` (default: operator).
// Prints a one-time password, once; the operator must replace it at first login at /admin.
import type { TOperatorRole } from "@wxpay/core";
import { addOperator, isCoreError, OPERATOR_ROLES } from "@wxpay/core";

import { coreDeps, dbHandle } from "../src/server/deps";

const [command, name, ...rest] = process.argv.slice(2);
const roleAt = rest.indexOf("--role");
const role = (roleAt >= 0 ? rest[roleAt + 1] : "operator") as TOperatorRole;
if (command !== "add" || !name || !OPERATOR_ROLES.includes(role)) {
  console.error("usage: pnpm --filter @wxpay/web operator add <name> [--role viewer|operator|admin]");
  process.exit(2);
}
const deps = await coreDeps();
let code = 0;
try {
  const r = await addOperator(deps, { username: name, role });
  console.log(`operator ${r.username} (${r.role}) added`);
  console.log(`one-time password: ${r.oneTimePassword}`);
  console.log("log in at /admin/login and choose a new password; this one is shown only once.");
} catch (err) {
  console.error(isCoreError(err) ? `${err.code}: ${err.message}` : err);
  code = 1;
} finally {
  await (await dbHandle()).close();
}
process.exit(code);
