// The shop's API in-process for the page tests: the API package's shop server (the real router and core on
// tRPC's fetch adapter over node:http, the notify and OAuth routes, a database of its own) and the WeChat
// simulator. The end-to-end suite (test/e2e) runs the same flows against the production Next build instead.
import type { Harness } from "@wxpay/api/testing";
import { startHarness } from "@wxpay/api/testing";

export type ShopServer = Harness;

export function startShopServer(label: string): Promise<ShopServer> {
  return startHarness({ label });
}
