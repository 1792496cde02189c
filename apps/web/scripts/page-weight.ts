// `pnpm --filter @wxpay/web weight`: the JavaScript a phone's browser downloads (as transferred, gzip) on the first
// load of the shop's pages in the production build, next to the floor that Next, React and tRPC set (the
// trivial /weight-floor page, one tRPC query). Budget: each shopper page at most 25 KB above the floor.
// Runs `next build` first when there is no build. Reports only; it is not part of the test suite.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import type { BrowserContext } from "@playwright/test";
import { chromium, devices } from "@playwright/test";

import { startSimulator } from "@wxpay/wechat-sim";
import { chromiumLaunchOptions } from "@wxpay/testkit/playwright";
import { freePort } from "@wxpay/testkit/ports";

const BUDGET_KB = 25;
const appDir = path.resolve(import.meta.dirname, "..");

if (!fs.existsSync(path.join(appDir, ".next", "BUILD_ID"))) {
  console.log("no production build: running next build …");
  const r = spawnSync("pnpm", ["exec", "next", "build"], { cwd: appDir, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const sim = await startSimulator({ port: 0 });
const port = await freePort();
const web = `http://127.0.0.1:${port}`;
const server = spawn("pnpm", ["exec", "tsx", "e2e/serve.ts"], {
  cwd: appDir,
  stdio: ["ignore", "ignore", "inherit"],
  env: {
    ...process.env,
    PORT: String(port),
    NODE_ENV: "production",
    APP_URL: web,
    WECHAT_PAY_BASE: sim.url,
    WECHAT_API_BASE: sim.url,
    WECHAT_OPEN_BASE: sim.url,
  },
});

async function waitForHealth(): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${web}/api/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error("the web server did not become healthy");
}

type TWeight = {
  page: string;
  scripts: number;
  transferred: number;
  decoded: number;
  encodings: Set<string>;
};

/** One first load (fresh context: empty cache) of `pathname`, counting every script response. */
async function measure(
  browserContext: () => Promise<BrowserContext>,
  pathname: string,
  label: string,
): Promise<TWeight> {
  const context = await browserContext();
  const page = await context.newPage();
  const w: TWeight = { page: label, scripts: 0, transferred: 0, decoded: 0, encodings: new Set() };
  const pending: Promise<void>[] = [];
  page.on("response", (res) => {
    if (res.request().resourceType() !== "script") return;
    pending.push(
      (async () => {
        const sizes = await res.request().sizes();
        const body = await res.body().catch(() => Buffer.alloc(0));
        w.scripts += 1;
        w.transferred += sizes.responseBodySize;
        w.decoded += body.length;
        w.encodings.add(res.headers()["content-encoding"] ?? "identity");
      })(),
    );
  });
  await page.goto(`${web}${pathname}`, { waitUntil: "networkidle" });
  await Promise.all(pending);
  await context.close();
  return w;
}

let exitCode = 0;
const browser = await chromium.launch(chromiumLaunchOptions());
try {
  await waitForHealth();
  // A mobile browser outside WeChat (H5): what most shoppers load. The JS-SDK is never part of it.
  const phone = { ...devices["Pixel 7"], locale: "zh-CN" };
  const shopper = await browser.newContext(phone);
  const res = await shopper.request.post(`${web}/api/trpc/createOrder`, {
    headers: { "content-type": "application/json", origin: web },
    data: { items: [{ sku: "TEST-1FEN", qty: 1 }] },
  });
  const created = (await res.json()) as { result?: { data?: { orderId?: string } } };
  const orderId = created.result?.data?.orderId;
  if (!orderId) throw new Error(`createOrder failed: ${res.status()} ${JSON.stringify(created)}`);
  const cookies = await shopper.cookies();
  await shopper.close();
  const fresh = async () => {
    const c = await browser.newContext(phone);
    await c.addCookies(cookies);
    return c;
  };

  const floor = await measure(fresh, "/weight-floor", "floor (/weight-floor: one tRPC query)");
  const pages = [
    await measure(fresh, `/orders/${orderId}`, "pay (/orders/[orderId])"),
    await measure(fresh, `/orders/${orderId}/result`, "result (/orders/[orderId]/result)"),
    await measure(fresh, "/", "products (/)"),
    await measure(fresh, "/orders", "my orders (/orders)"),
  ];
  const kb = (n: number) => (n / 1024).toFixed(1).padStart(7);
  console.log(
    `\nJavaScript on first load, mobile browser, production build (${[...floor.encodings].join(", ")} as transferred)\n`,
  );
  console.log(
    `${"page".padEnd(38)} ${"scripts".padStart(7)} ${"KB sent".padStart(8)} ${"KB raw".padStart(8)} ${"+floor".padStart(8)}  budget`,
  );
  const line = (w: TWeight, extra: string) =>
    console.log(
      `${w.page.padEnd(38)} ${String(w.scripts).padStart(7)} ${kb(w.transferred)}  ${kb(w.decoded)}  ${extra}`,
    );
  line(floor, "       —");
  for (const w of pages) {
    const over = (w.transferred - floor.transferred) / 1024;
    const shopperPage = w.page.startsWith("pay") || w.page.startsWith("result");
    const verdict = shopperPage
      ? over <= BUDGET_KB
        ? `ok (≤ ${BUDGET_KB} KB)`
        : `OVER (${BUDGET_KB} KB)`
      : "";
    if (shopperPage && over > BUDGET_KB) exitCode = 1;
    line(w, `${(over >= 0 ? "+" : "") + over.toFixed(1).padStart(6)}  ${verdict}`);
  }
} finally {
  await browser.close();
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  await sim.close();
}
process.exit(exitCode);
