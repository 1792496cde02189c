// A free port chosen synchronously, for config files that cannot await (Playwright's config is evaluated
// synchronously in several processes; the first one picks, the others inherit it through the environment).
import { execFileSync } from "node:child_process";

export function freePortSync(): number {
  const out = execFileSync(
    process.execPath,
    [
      "-e",
      "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})",
    ],
    { encoding: "utf8" },
  );
  return Number(out);
}
