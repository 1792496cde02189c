// The real thing for the end-to-end run, started once in vitest's main process: the WeChat simulator, the web
// app's production build (`next start` through apps/web/e2e/serve.ts, on a fresh PostgreSQL database when the
// test harness provides a server or PostgreSQL is installed), and the built mini-program (dist/).
import type { ChildProcess } from "node:child_process";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import type { TestProject } from "vitest/node";

import { freePort, waitForHttp } from "@wxpay/testkit/ports";
import { startSimulator } from "@wxpay/wechat-sim";

import { buildMiniprogram, DEFAULT_OUT_DIR } from "../../scripts/build-miniprogram";
import { loadConfig } from "../../scripts/env";

declare module "vitest" {
  export interface ProvidedContext {
    builtDir: string;
    shopUrl: string;
    simUrl: string;
  }
}

const WEB_DIR = path.resolve(import.meta.dirname, "../../../web");

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (!child.pid || child.exitCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        // already gone
      }
      resolve();
    }, 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-(child.pid as number), "SIGTERM");
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

export default async function setup(project: TestProject) {
  // turbo builds both first (see turbo.json); run on its own, build what is missing.
  if (!fs.existsSync(path.join(DEFAULT_OUT_DIR, "shared/index.js"))) await buildMiniprogram(loadConfig());
  if (!fs.existsSync(path.join(WEB_DIR, ".next/BUILD_ID"))) {
    console.log("[e2e] building the web app (pnpm --filter @wxpay/web build)…");
    execFileSync("pnpm", ["--filter", "@wxpay/web", "build"], { stdio: "inherit" });
  }

  const sim = await startSimulator({ port: 0, host: "127.0.0.1", log: false });
  const port = await freePort();
  const web = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(path.join(WEB_DIR, "node_modules/.bin/tsx"), ["e2e/serve.ts"], {
    cwd: WEB_DIR,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(port),
      NODE_ENV: "production",
      APP_URL: web,
      WECHAT_PAY_BASE: sim.url,
      WECHAT_API_BASE: sim.url,
      WECHAT_OPEN_BASE: sim.url,
      TRUST_PROXY_HOPS: "0",
      WXPAY_E2E_DB_FILE: "",
    },
  });
  child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const teardown = async () => {
    await stopGroup(child);
    await sim.close();
  };
  try {
    await waitForHttp(`${web}/api/health`, 120_000);
  } catch (err) {
    await teardown();
    throw new Error(`web server did not start: ${(err as Error).message}\n${output.slice(-4000)}`, {
      cause: err,
    });
  }
  console.log(`[e2e] web ${web} (${/database: (.*)/.exec(output)?.[1] ?? "?"}), simulator ${sim.url}`);
  project.provide("builtDir", DEFAULT_OUT_DIR);
  project.provide("shopUrl", web);
  project.provide("simUrl", sim.url);
  return teardown;
}
