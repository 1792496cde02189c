// The real thing for the end-to-end run, started once in vitest's main process: the WeChat simulator, the web
// app's production build (the production server through apps/web/e2e/serve.ts, on a fresh PostgreSQL database when the
// test harness provides a server or PostgreSQL is installed), and the built mini-program (dist/).
// The web app runs twice from the one build, side by side against the one simulator: with WeChat Pay API v2 and with
// API v3 (WECHATPAY_API_VERSION; the v3 credentials are the sandbox defaults). The tests run once per version.
// WXPAY_E2E_API_VERSIONS=v2 (or v3) starts and tests one of them only, as in apps/web's Playwright projects.
import type { ChildProcess } from "node:child_process";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import type { TestProject } from "vitest/node";

import { freePort, waitForHttp } from "@wxpay/testkit/ports";
import { startSimulator } from "@wxpay/wechat-sim";

import { buildMiniprogram, DEFAULT_OUT_DIR } from "../../scripts/build-miniprogram";
import { loadConfig } from "../../scripts/env";

export type TApiVersion = "v2" | "v3";

declare module "vitest" {
  export interface ProvidedContext {
    builtDir: string;
    /** The web app's origin per API version under test (only the versions this run covers). */
    shopUrls: Partial<Record<TApiVersion, string>>;
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
  const versions = (process.env.WXPAY_E2E_API_VERSIONS ?? "v2,v3")
    .split(",")
    .map((v) => v.trim())
    .filter((v): v is TApiVersion => v === "v2" || v === "v3");
  const webs: { version: TApiVersion; url: string; child: ChildProcess; output: () => string }[] = [];
  for (const version of versions) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let output = "";
    const child = spawn(path.join(WEB_DIR, "node_modules/.bin/tsx"), ["e2e/serve.ts"], {
      cwd: WEB_DIR,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        PORT: String(port),
        NODE_ENV: "production",
        APP_URL: url,
        WECHAT_PAY_BASE: sim.url,
        WECHAT_API_BASE: sim.url,
        WECHAT_OPEN_BASE: sim.url,
        TRUST_PROXY_HOPS: "0",
        WXPAY_E2E_DB_FILE: "",
        WECHATPAY_API_VERSION: version,
      },
    });
    child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
    webs.push({ version, url, child, output: () => output });
  }
  const teardown = async () => {
    await Promise.all(webs.map((w) => stopGroup(w.child)));
    await sim.close();
  };
  // Both servers start at once; each is waited for on its own.
  const started = await Promise.allSettled(webs.map((w) => waitForHttp(`${w.url}/api/health`, 120_000)));
  const failed = webs.filter((_, i) => started[i]?.status === "rejected");
  if (failed.length > 0) {
    await teardown();
    throw new Error(
      failed
        .map(
          (w) =>
            `web server (${w.version}) did not start: ${String((started[webs.indexOf(w)] as PromiseRejectedResult).reason)}\n${w.output().slice(-4000)}`,
        )
        .join("\n"),
    );
  }
  for (const w of webs) {
    console.log(
      `[e2e] web ${w.version} ${w.url} (${/database: (.*)/.exec(w.output())?.[1] ?? "?"}), simulator ${sim.url}`,
    );
  }
  project.provide("builtDir", DEFAULT_OUT_DIR);
  project.provide("shopUrls", Object.fromEntries(webs.map((w) => [w.version, w.url])));
  project.provide("simUrl", sim.url);
  return teardown;
}
