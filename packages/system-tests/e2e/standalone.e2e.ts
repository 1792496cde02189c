// The production artifact on its own: the folder `pnpm --filter @wxpay/web assemble` makes from the build (what the
// Dockerfile copies into the image), moved out of the repository, run with plain `node` and nothing but its own
// files and configuration. The deploy step migrates an empty database while the server (shop-server.mjs,
// MIGRATE_ON_START=false) already runs; then a shopper pays an order through it against the simulator, WeChat's
// verification file is served at the site root, and the notify and tRPC paths are answered without Next's router.
import type { ChildProcess } from "node:child_process";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { requirePostgres } from "@wxpay/testkit/postgres";
import { freePort } from "@wxpay/testkit/ports";

import { outTradeNoOf } from "../src/shop-db";
import { Shopper } from "../src/shopper";
import type { TSystem } from "../src/system";
import { eventually, startSystem } from "../src/system";
import { assertWebBuilt, WEB_DIR } from "../src/web-process";

const SANDBOX_DIR = path.resolve(WEB_DIR, "../wechat-sim/sandbox");
const MP_VERIFY = { name: "MP_verify_Ab12Cd34Ef56Gh78.txt", content: "Ab12Cd34Ef56Gh78" };

const hasPostgres = requirePostgres("the standalone server from its own folder");

describe.runIf(hasPostgres)("the standalone server from its own folder", () => {
  let sys: TSystem;
  let dir: string;
  let server: ChildProcess | undefined;
  let output = "";
  let url: string;

  /** `node <script>` in the assembled folder, with exactly `env` (no inherited PATH, HOME or NODE_PATH). */
  const nodeEnv = (extra: Record<string, string>) => ({ NODE_ENV: "production", ...extra });

  beforeAll(async () => {
    assertWebBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "wxpay-standalone-"));
    const assembled = spawnSync("pnpm", ["run", "--silent", "assemble", dir], {
      cwd: WEB_DIR,
      encoding: "utf8",
    });
    expect(assembled.status, assembled.stderr).toBe(0);
    sys = await startSystem();
  });
  afterAll(async () => {
    if (server?.pid && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => server?.once("exit", r));
    }
    await sys?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("holds the server, the static assets, the migrations and the operator commands, and nothing from outside", () => {
    for (const f of [
      "apps/web/shop-server.mjs",
      "apps/web/.next/BUILD_ID",
      "apps/web/.next/static",
      "packages/db/drizzle/meta/_journal.json",
      "packages/db/dist/migrate.mjs",
      "apps/web/dist/bill.mjs",
      "apps/web/dist/doctor.mjs",
      "apps/web/dist/reconcile.mjs",
      "apps/web/dist/refund.mjs",
    ]) {
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    }
    // pnpm's symlinks stay inside the folder, so it can move (COPY into an image) as a whole.
    const links = execFileSync("find", [dir, "-type", "l"], { encoding: "utf8" }).trim().split("\n");
    for (const link of links.filter(Boolean)) {
      const target = path.resolve(path.dirname(link), fs.readlinkSync(link));
      expect(target.startsWith(dir), `${link} -> ${target}`).toBe(true);
    }
    const kib = Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split("\t")[0]);
    console.log(`[standalone] ${dir}: ${(kib / 1024).toFixed(1)} MiB`);
  });

  it("starts on an empty database without migrating, and is ready once the deploy step has migrated", async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ["apps/web/shop-server.mjs"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: nodeEnv({
        PORT: String(port),
        HOSTNAME: "127.0.0.1",
        NEXT_TELEMETRY_DISABLED: "1",
        DATABASE_URL: sys.databaseUrl,
        APP_URL: url,
        WECHAT_PAY_BASE: sys.sim.url,
        WECHAT_API_BASE: sys.sim.url,
        WECHAT_OPEN_BASE: sys.sim.url,
        RECONCILE_INTERVAL_SECONDS: "0",
        MIGRATE_ON_START: "false",
        // Key files live outside the artifact (in the image: mounted at /run/wxpay); here, the sandbox pair.
        WECHATPAY_MCH_CERT_PATH: path.join(SANDBOX_DIR, "apiclient_cert.pem"),
        WECHATPAY_MCH_KEY_PATH: path.join(SANDBOX_DIR, "apiclient_key.pem"),
        WECHAT_MP_VERIFY: `${MP_VERIFY.name}=${MP_VERIFY.content},MP_verify_other.txt=other`,
      }),
    });
    server.stdout?.on("data", (c: Buffer) => (output += c.toString()));
    server.stderr?.on("data", (c: Buffer) => (output += c.toString()));

    const health = () =>
      fetch(`${url}/api/health`)
        .then(async (r) => ({ status: r.status, body: (await r.json()) as { status: string } }))
        .catch(() => ({ status: 0, body: { status: "down" } }));
    const pending = await eventually(
      health,
      (h) => h.status !== 0 || server?.exitCode !== null,
      60_000,
      "an answer",
    );
    expect(pending, output).toMatchObject({ status: 503, body: { status: "migrations-pending" } });

    // The image's migrate command, from the same folder, while the server runs.
    const migrated = spawnSync(process.execPath, ["packages/db/dist/migrate.mjs"], {
      cwd: dir,
      encoding: "utf8",
      env: nodeEnv({ DATABASE_URL: sys.databaseUrl }),
    });
    expect(migrated.status, migrated.stderr).toBe(0);
    expect(JSON.parse(migrated.stdout.trim())).toMatchObject({ driver: "postgres", ok: true });
    expect(await health()).toMatchObject({ status: 200, body: { status: "ok" } });

    // The image's doctor, from the same folder: it reaches the database and finds it migrated (the simulator's
    // configuration blocks going live, so it exits 1).
    const doctor = spawnSync(process.execPath, ["apps/web/dist/doctor.mjs"], {
      cwd: dir,
      encoding: "utf8",
      env: nodeEnv({ DATABASE_URL: sys.databaseUrl, APP_URL: "https://shop.example.com" }),
    });
    expect(doctor.status, doctor.stderr).toBe(1);
    expect(doctor.stdout).toMatch(/^✓ .*database reachable and migrated/m);
    expect(doctor.stdout).toMatch(/^✓ .*APP_URL is a public HTTPS origin/m);
    expect(doctor.stdout).toMatch(/^✗ .*no sandbox secrets in use/m);
  });

  it("serves the pages with their static assets", async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const asset = /\/_next\/static\/[^"']+\.js/.exec(html)?.[0];
    expect(asset, "a script from .next/static").toBeTruthy();
    expect((await fetch(`${url}${asset}`)).status).toBe(200);
  });

  it("serves WeChat's verification file at the site root as text, and 404 for any other name", async () => {
    const res = await fetch(`${url}/${MP_VERIFY.name}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(MP_VERIFY.content);
    expect((await fetch(`${url}/MP_verify_unknown.txt`)).status).toBe(404);
  });

  it("takes a payment: an H5 order paid at the simulator becomes PAID through the notify", async () => {
    const shopper = new Shopper(url);
    const { orderId, mwebUrl } = await shopper.placeH5Order();
    expect(mwebUrl.startsWith(sys.sim.url)).toBe(true);
    const outTradeNo = await outTradeNoOf(sys.sql, orderId);
    await sys.control.pay({ outTradeNo, userId: "alice" });
    const status = await eventually(
      () => shopper.query<{ status: string; paidAt?: string }>("orderStatus", { orderId }),
      (r) => r.data?.status === "PAID",
      20_000,
      "the order PAID",
    );
    expect(status.data?.paidAt).toBeTruthy();
    const [notify] = await sys.sql<{ verdict: string; n: number }[]>`
      select verdict::text, count(*)::int as n from payment_notifications group by verdict`;
    expect(notify).toMatchObject({ verdict: "APPLIED", n: 1 });
    expect(output).not.toMatch(/Error:/);
  });

  // Next adds its own Vary entries (rsc, next-router-state-tree, …) to every answer it routes; the direct paths do not.
  // That is how this test tells which way a request went.
  const viaNext = (res: Response) => /\brsc\b/.test(res.headers.get("vary") ?? "");

  it("answers WeChat's notifies without Next's router, with the same replies", async () => {
    const before = await sys.sql<{ n: number }[]>`select count(*)::int as n from payment_notifications`;
    const v2 = await fetch(`${url}/api/wechat/pay/notify`, {
      method: "POST",
      headers: { "content-type": "text/xml" },
      body: "<xml><return_code>SUCCESS</return_code><sign>forged</sign></xml>",
    });
    const reply = await v2.text();
    expect(v2.status).toBe(200);
    expect(v2.headers.get("content-type")).toBe("text/xml; charset=utf-8");
    expect(Number(v2.headers.get("content-length"))).toBe(Buffer.byteLength(reply));
    expect(v2.headers.get("x-request-id")).toBeTruthy();
    expect(reply).toMatch(/<return_code><!\[CDATA\[FAIL\]\]><\/return_code>/);
    expect(viaNext(v2)).toBe(false);
    // Refused, and on record like any other delivery.
    const after = await sys.sql<{ n: number }[]>`select count(*)::int as n from payment_notifications`;
    expect(after[0]?.n).toBe((before[0]?.n ?? 0) + 1);

    const tooBig = await fetch(`${url}/api/wechat/pay/notify`, {
      method: "POST",
      body: "x".repeat(65 * 1024),
    });
    expect(await tooBig.text()).toContain("报文过大");
    expect(viaNext(tooBig)).toBe(false);

    const v3 = await fetch(`${url}/api/wechat/v3/pay/notify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(v3.status).toBeGreaterThanOrEqual(400);
    expect(await v3.json()).toMatchObject({ code: "FAIL" });
    expect(viaNext(v3)).toBe(false);
    for (const path of ["/api/wechat/refund/notify", "/api/wechat/v3/refund/notify"]) {
      const res = await fetch(`${url}${path}`, { method: "POST", body: "{}" });
      await res.arrayBuffer();
      expect(viaNext(res), path).toBe(false);
    }
  });

  it("answers tRPC calls without Next's router: cookies, gzip for large answers, a cap on the body", async () => {
    const products = await fetch(`${url}/api/trpc/products`, { headers: { "accept-encoding": "gzip" } });
    expect(products.status).toBe(200);
    expect(viaNext(products)).toBe(false);
    const list = (await products.json()) as { result: { data: unknown[] } };
    expect(list.result.data.length).toBeGreaterThan(0);
    if (Number(products.headers.get("content-length") ?? "0") >= 1024) {
      expect(products.headers.get("content-encoding")).toBe("gzip");
    }

    // A first order opens the shopper's session: the Set-Cookie comes back through the direct path.
    const shopper = new Shopper(url);
    const { orderId } = await shopper.placeH5Order();
    const status = await shopper.query<{ status: string }>("orderStatus", { orderId });
    expect(status.data?.status).toBeTruthy();

    const huge = await fetch(`${url}/api/trpc/createOrder`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url },
      body: JSON.stringify({ productId: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
  });

  it("leaves everything else to Next: pages, other methods and paths", async () => {
    const page = await fetch(`${url}/`);
    await page.text();
    expect(viaNext(page)).toBe(true);
    const get = await fetch(`${url}/api/wechat/pay/notify`);
    await get.arrayBuffer();
    expect(get.status).toBe(405);
    const nested = await fetch(`${url}/api/trpc/products/extra`);
    await nested.arrayBuffer();
    expect(nested.status).toBe(404);
    expect(viaNext(nested)).toBe(true);
    expect(output).not.toMatch(/direct route failed/);
  });
});
