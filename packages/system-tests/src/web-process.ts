// The web app's production build as a real process: the production server (`node apps/web/shop-server.mjs`, Next
// plus the direct notify and tRPC paths) with the environment the app reads (apps/web/src/env.ts), its own free port
// and public origin, and WeChat pointed at the simulator.
import type { ChildProcess } from "node:child_process";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

import { freePort } from "@wxpay/testkit/ports";

export const WEB_DIR = path.dirname(createRequire(import.meta.url).resolve("@wxpay/web/package.json"));

export type WebProcess = {
  /** The instance's public origin (APP_URL): notify_url of the attempts it creates points here. */
  url: string;
  port: number;
  /** The pid of the process serving the port. */
  serverPid: number;
  /** The reconciler's instance name for this process, as recorded in reconciler_ticks. */
  instance: string;
  /** Everything the process printed, stdout and stderr interleaved. */
  output(): string;
  /** The server process is still running. */
  running(): boolean;
  stop(): Promise<void>;
};

export type StartWebOptions = {
  databaseUrl: string;
  simUrl: string;
  /** 0 turns the in-process reconciler off. */
  reconcileIntervalSeconds?: number;
  /** WECHATPAY_API_VERSION: the API new attempts use (default v2); the v3 credentials are the sandbox defaults. */
  apiVersion?: "v2" | "v3";
  /** Listen here instead of on a free port (a restart of a shop keeps its public origin and so its notify_url). */
  port?: number;
  env?: Record<string, string>;
  /** `next start` instead of the production server: every path through Next's router (the bench's comparison). */
  nextStart?: boolean;
};

/** Fails early, with the command to run, when the production build is missing. */
export function assertWebBuilt(): void {
  if (!fs.existsSync(path.join(WEB_DIR, ".next", "BUILD_ID"))) {
    throw new Error(
      `apps/web has no production build: run \`pnpm turbo run build --filter=@wxpay/web\` first`,
    );
  }
}

/** The pid listening on 127.0.0.1:port, from the kernel's socket table. */
export function listenerPid(port: number): number | undefined {
  const out = execFileSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" });
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForHealth(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `web exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output().slice(-3000)}`,
      );
    }
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`web at ${url} not healthy after ${timeoutMs} ms (${last}):\n${output().slice(-3000)}`);
}

// Process groups of web processes still running. If the test runner exits without stopping them (a failed hook,
// a crash), they die with it instead of living on, orphaned, against a database that is gone.
const liveGroups = new Set<number>();
process.on("exit", () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

export async function startWeb(opts: StartWebOptions): Promise<WebProcess> {
  assertWebBuilt();
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const command = opts.nextStart
    ? (["pnpm", ["exec", "next", "start", "--port", String(port), "--hostname", "127.0.0.1"]] as const)
    : ([process.execPath, ["shop-server.mjs"]] as const);
  const child = spawn(command[0], [...command[1]], {
    cwd: WEB_DIR,
    // Its own process group, so stopping it stops the server and anything it started (and nothing else).
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      // Every variable the app reads is set explicitly below.
      // eslint-disable-next-line no-restricted-properties -- a test harness passing its environment to a child
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: opts.databaseUrl,
      PGLITE_DATA_DIR: "",
      APP_URL: url,
      WECHAT_PAY_BASE: opts.simUrl,
      WECHAT_API_BASE: opts.simUrl,
      WECHAT_OPEN_BASE: opts.simUrl,
      RECONCILE_INTERVAL_SECONDS: String(opts.reconcileIntervalSeconds ?? 0),
      WECHATPAY_API_VERSION: opts.apiVersion ?? "v2",
      // The load and fault suites send hundreds of orders from 127.0.0.1: abuse limits are off unless a test
      // passes its own values ("" = the app's documented defaults).
      RATE_LIMIT_PER_IP_PER_MINUTE: "0",
      RATE_LIMIT_PER_CUSTOMER_PER_MINUTE: "0",
      MAX_OPEN_ORDERS_PER_CUSTOMER: "0",
      ...opts.env,
    },
  });
  let out = "";
  const append = (c: Buffer) => {
    out += c.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const output = () => out;
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const pgid = child.pid;
  if (pgid) liveGroups.add(pgid);
  // Known once the server listens; stop() may run before that.
  const server: { pid?: number } = {};

  /** SIGTERM to the group; SIGKILL for whatever is still there after 10 s. */
  const stop = async () => {
    if (!pgid || !liveGroups.has(pgid)) return;
    const gone = () =>
      (child.exitCode !== null || child.signalCode !== null) && (!server.pid || !processAlive(server.pid));
    try {
      process.kill(-pgid, "SIGTERM");
    } catch {
      // the group is already empty
    }
    const deadline = Date.now() + 10_000;
    while (!gone() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!gone()) {
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {
        // already gone
      }
      await exited;
    }
    liveGroups.delete(pgid);
  };

  try {
    await waitForHealth(url, child, output, 90_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const serverPid = listenerPid(port);
  server.pid = serverPid;
  if (!serverPid) {
    await stop();
    throw new Error(`nothing listens on ${url} although it answered`);
  }
  return {
    url,
    port,
    serverPid,
    instance: `${os.hostname()}:${serverPid}`,
    output,
    running: () => child.exitCode === null && child.signalCode === null && processAlive(serverPid),
    stop,
  };
}
