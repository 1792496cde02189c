// Started once per unit run in vitest's main process (page tests run under jsdom, where neither esbuild nor the
// server side may run): the mini-program built into a folder of its own, and the shop API + simulator.
import type { TestProject } from "vitest/node";

import { buildToTemp } from "../helpers/built";
import { startShopServer } from "../helpers/shop-server";

declare module "vitest" {
  export interface ProvidedContext {
    /** The built mini-program folder (what WeChat DevTools would open). */
    builtDir: string;
    shopUrl: string;
    simUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const build = await buildToTemp();
  const server = await startShopServer("miniprogram");
  project.provide("builtDir", build.outDir);
  project.provide("shopUrl", server.url);
  project.provide("simUrl", server.sim.url);
  return async () => {
    await server.close();
    build.remove();
  };
}
