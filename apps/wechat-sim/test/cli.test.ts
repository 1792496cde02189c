// The CLI (`pnpm --filter @wxpay/wechat-sim start`) prints the sandbox credentials as .env lines and serves.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

import { expect, it } from "vitest";

import { SANDBOX } from "../src/defaults";

it("starts on SIM_PORT, prints the sandbox merchant and apps as .env lines, and stops on SIGTERM", async () => {
  const cwd = fileURLToPath(new URL("..", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", "src/bin/start.ts"], {
    cwd,
    env: { ...process.env, SIM_PORT: "0", SIM_PUBLIC_URL: "", SIM_TIME_SCALE: "60" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (out += c.toString("utf8")));
  try {
    const deadline = Date.now() + 20_000;
    while (!out.includes("WECHAT_OPEN_BASE=")) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`CLI did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const line of [
      `WECHATPAY_MCH_ID=${SANDBOX.mchId}`,
      `WECHATPAY_KEY=${SANDBOX.key}`,
      "WECHATPAY_SIGN_TYPE=MD5",
      `WECHAT_APPID=${SANDBOX.officialAppId}`,
      `WECHAT_APPSECRET=${SANDBOX.officialSecret}`,
      `WECHAT_MINI_APPID=${SANDBOX.miniAppId}`,
      `WECHAT_MINI_SECRET=${SANDBOX.miniSecret}`,
    ]) {
      expect(out.split("\n")).toContain(line);
    }
    const base = /^WECHAT_PAY_BASE=(http:\/\/localhost:(\d+))$/m.exec(out);
    expect(base).not.toBeNull();
    expect(out).toContain("time scale 60");
    const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? "";
    const clock = (await (await fetch(`${listening}/__sim/clock`)).json()) as { timeScale: number };
    expect(clock.timeScale).toBe(60);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  expect(child.exitCode).toBe(0);
});
