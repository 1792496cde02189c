// Checks a production configuration before going live: `pnpm --filter @wxpay/web doctor` (in the image:
// `node apps/web/dist/doctor.mjs`). Reads the environment the web app would read and prints each item ✓/✗ with the
// fix in Chinese and English. Exits 1 while anything blocks going live; "?" (not checkable here) does not.
import { formatReport, runDoctor } from "../src/doctor/doctor";

const results = await runDoctor(process.env);
console.log(formatReport(results));
process.exit(results.some((r) => r.status === "fail") ? 1 : 0);
