import fs from "node:fs";
import path from "node:path";
import { Shopper } from "../src/shopper";
import { startSystem } from "../src/system";
import { startWeb } from "../src/web-process";
const dir = "/tmp/purchase-prof";
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const sys = await startSystem();
const web = await startWeb({
  databaseUrl: sys.databaseUrl, simUrl: sys.sim.url,
  env: { NODE_OPTIONS: `--import ${path.join(import.meta.dirname, "profile-preload.mjs")}`, WXPAY_PROFILE_DIR: dir },
});
const shopper = new Shopper(web.url);
for (let i = 0; i < 100; i++) await shopper.placeH5Order();
const t = performance.now();
const N = Number(process.argv[2] ?? 1000);
for (let i = 0; i < N; i++) await shopper.placeH5Order();
console.log("per purchase ms", ((performance.now() - t) / N).toFixed(2));
await web.stop(); await sys.close();
