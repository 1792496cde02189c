// The folder the build produces: what WeChat DevTools needs to open it, what it weighs, that nothing of the server
// is inside, and that the shared runtime runs in a bare JavaScript realm (no fetch, AbortController, FormData,
// Blob, URL) with only `wx`, as in a mini-program.
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";

import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";

import { createSimControl } from "@wxpay/wechat-sim/control-client";
import { createWx } from "@wxpay/wechat-sim/wx-shim";

import { SIZE_BUDGET_BYTES } from "../scripts/build-miniprogram";
import { loadConfig, validateConfig } from "../scripts/env";
import type { TBuiltShared } from "./helpers/load-built";
import { buildToTemp, TEST_CONFIG } from "./helpers/built";
import { MINI_APPID } from "./helpers/constants";

const builtDir = inject("builtDir");
const read = (file: string, dir = builtDir) => fs.readFileSync(path.join(dir, file), "utf8");
const control = createSimControl(inject("simUrl"));

/** Runs the built shared/index.js in a fresh realm whose only host objects are the ones given. */
function runInBareRealm(
  dir: string,
  globals: Record<string, unknown>,
): { shared: TBuiltShared; realm: vm.Context } {
  const realm = vm.createContext({ setTimeout, clearTimeout, console, ...globals });
  const module = { exports: {} as TBuiltShared };
  const wrapper = vm.runInContext(
    `(function (module, exports) {${read("shared/index.js", dir)}\n})`,
    realm,
  ) as (m: typeof module, e: unknown) => void;
  wrapper(module, module.exports);
  return { shared: module.exports, realm };
}

describe("the DevTools folder", () => {
  test("project.config.json carries the configured appid and keeps build files out of the upload", () => {
    const config = JSON.parse(read("project.config.json")) as Record<string, unknown>;
    expect(config).toMatchObject({
      appid: TEST_CONFIG.appid,
      compileType: "miniprogram",
      miniprogramRoot: "./",
    });
    // An http:// API is not a 服务器域名: DevTools must not check domains for local development.
    expect(config.setting).toMatchObject({ urlCheck: false });
    expect(config.packOptions).toMatchObject({
      ignore: expect.arrayContaining([
        { type: "file", value: "package.json" },
        { type: "file", value: "project.config.json" },
      ]),
    });
  });

  test("every page of app.json has its four files, and is a Component-built page (usingComponents)", () => {
    const app = JSON.parse(read("app.json")) as { pages: string[]; sitemapLocation: string };
    expect(app.pages).toEqual(["pages/index/index", "pages/order/index", "pages/result/index"]);
    expect(fs.existsSync(path.join(builtDir, app.sitemapLocation))).toBe(true);
    for (const page of app.pages) {
      for (const ext of [".js", ".json", ".wxml", ".wxss"])
        expect(fs.existsSync(path.join(builtDir, page + ext)), page + ext).toBe(true);
      expect(JSON.parse(read(`${page}.json`))).toHaveProperty("usingComponents");
      expect(read(`${page}.js`)).toContain("Component(");
    }
    expect(read("app.js")).toContain("App(");
  });

  test("the app and the pages require the one shared bundle, which requires nothing", () => {
    const requires = (file: string) =>
      [...read(file).matchAll(/require\(("[^"]*")\)/g)].map((m) => JSON.parse(m[1] ?? '""') as string);
    expect(requires("app.js")).toEqual(["./shared/index.js"]);
    for (const page of ["index", "order", "result"]) {
      expect(requires(`pages/${page}/index.js`)).toEqual(["../../shared/index.js"]);
      // Each page is its own logic only; the tRPC client lives once, in shared/index.js.
      expect(fs.statSync(path.join(builtDir, `pages/${page}/index.js`)).size).toBeLessThan(4096);
    }
    expect(requires("shared/index.js")).toEqual([]);
  });

  test("nothing of the server is bundled: no database, schema or WeChat Pay signing code", () => {
    const shared = read("shared/index.js");
    for (const marker of [
      "drizzle",
      "payment_attempts",
      "ZodError",
      "node:",
      "createPayClient",
      "192006250b4c09247ec02edce69f6a2d",
    ]) {
      expect(shared, marker).not.toContain(marker);
    }
    expect(shared).toContain(TEST_CONFIG.apiBaseUrl);
  });

  test(`the package without images stays under ${SIZE_BUDGET_BYTES / 1024} KB`, () => {
    const walk = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const uploaded = walk(builtDir).filter(
      (f) => !/(project\.config|package)\.json$/.test(f) && !/\.(png|jpe?g|gif|webp|svg)$/.test(f),
    );
    const total = uploaded.reduce((s, f) => s + fs.statSync(f).size, 0);
    expect(total).toBeLessThan(SIZE_BUDGET_BYTES);
  });
});

describe("the shared runtime in a bare realm", () => {
  test("has none of fetch, AbortController, FormData, Blob or URL there, and still lists products over wx.request", async () => {
    const userId = (await control.createUser()).userId;
    const wx = createWx({ simUrl: control.url, appId: MINI_APPID, userId });
    const { shared, realm } = runInBareRealm(builtDir, { wx });
    expect(
      vm.runInContext(
        "[typeof fetch, typeof AbortController, typeof FormData, typeof Blob, typeof URL].join()",
        realm,
      ),
    ).toBe("undefined,undefined,undefined,undefined,undefined");
    const shop = shared.createShop({ apiBaseUrl: inject("shopUrl"), wx });
    const products = await shop.products();
    expect(products.map((p) => p.sku)).toContain("TEA-LONGJING");
    const order = await shop.createOrder([{ sku: "TEA-LONGJING", qty: 1 }]);
    expect(order.amountFen).toBe(12800);
  });
});

describe("development against the simulator (the DevTools setup)", () => {
  let simBuild: Awaited<ReturnType<typeof buildToTemp>>;
  let userId: string;
  beforeAll(async () => {
    userId = (await control.createUser()).userId;
    simBuild = await buildToTemp({
      apiBaseUrl: inject("shopUrl"),
      simulator: { url: control.url, appId: MINI_APPID, userId },
    });
  });
  afterAll(() => simBuild?.remove());

  test("wx.login codes and the pay sheet come from the simulator; the whole flow ends PAID", async () => {
    // Only what a mini-program offers: wx.request and an action sheet (the shopper taps 支付（模拟器）).
    const real = createWx({ simUrl: control.url, appId: MINI_APPID });
    const sheets: string[][] = [];
    const wx = {
      request: real.request,
      showActionSheet: (o: { itemList: string[]; success: (r: { tapIndex: number }) => void }) => {
        sheets.push(o.itemList);
        o.success({ tapIndex: 0 });
      },
    };
    const { shared } = runInBareRealm(simBuild.outDir, { wx });
    const shop = shared.getShop();
    const order = await shop.createOrder([{ sku: "TEST-1FEN", qty: 1 }]);
    const outcome = await shop.pay(order.orderId);
    expect(outcome).toEqual({ hint: "ok", errMsg: "requestPayment:ok" });
    expect(sheets).toEqual([["支付（模拟器）", "失败（模拟器）"]]);
    expect((await shop.confirm(order.orderId, outcome.hint)).status).toBe("PAID");
    const user = (await control.users()).find((u) => u.userId === userId);
    const simOrders = (await control.orders()).filter((o) => o.openid === user?.openids[MINI_APPID]);
    expect(simOrders.map((o) => o.tradeState)).toEqual(["SUCCESS"]);
  });
});

describe("configuration", () => {
  test("rejects an appid WeChat would not issue and a non-http API origin", () => {
    expect(() => validateConfig({ appid: "wx123", apiBaseUrl: "http://x", simulator: null })).toThrow(
      /appid/,
    );
    expect(() => validateConfig({ appid: "touristappid", apiBaseUrl: "ftp://x", simulator: null })).toThrow(
      /apiBaseUrl/,
    );
    expect(
      validateConfig({
        appid: "wx2421b1c4370ec43b",
        apiBaseUrl: "https://shop.example.com/",
        simulator: null,
      }),
    ).toEqual({
      appid: "wx2421b1c4370ec43b",
      apiBaseUrl: "https://shop.example.com",
      simulator: null,
    });
  });

  test("MINI_* variables override the file; MINI_SIMULATOR_URL='' makes a release build", () => {
    const c = loadConfig(undefined, {
      MINI_APPID: "wx2421b1c4370ec43b",
      MINI_API_BASE_URL: "https://shop.example.com",
      MINI_SIMULATOR_URL: "",
    });
    expect(c).toEqual({
      appid: "wx2421b1c4370ec43b",
      apiBaseUrl: "https://shop.example.com",
      simulator: null,
    });
    const dev = loadConfig(undefined, {});
    expect(dev.simulator?.appId).toBe(MINI_APPID);
  });

  test("a release build refuses a simulator, DevTools' tourist appid and a plain-http API origin", () => {
    const release = { release: true };
    expect(() =>
      validateConfig(
        {
          appid: "wx2421b1c4370ec43b",
          apiBaseUrl: "https://shop.example.com",
          simulator: { url: "http://localhost:3100", appId: MINI_APPID, userId: "alice" },
        },
        release,
      ),
    ).toThrow(/simulator/);
    expect(() =>
      validateConfig(
        { appid: "touristappid", apiBaseUrl: "https://shop.example.com", simulator: null },
        release,
      ),
    ).toThrow(/appid/);
    expect(() =>
      validateConfig(
        { appid: "wx2421b1c4370ec43b", apiBaseUrl: "http://shop.example.com", simulator: null },
        release,
      ),
    ).toThrow(/https/);
    // The checked-in development file points at the simulator: releasing it as it is must fail.
    expect(() => loadConfig(undefined, {}, release)).toThrow(/simulator/);
    expect(
      loadConfig(
        undefined,
        {
          MINI_APPID: "wx2421b1c4370ec43b",
          MINI_API_BASE_URL: "https://shop.example.com",
          MINI_SIMULATOR_URL: "",
        },
        release,
      ).simulator,
    ).toBeNull();
  });
});
