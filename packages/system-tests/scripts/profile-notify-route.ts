// `tsx scripts/profile-notify-route.ts [notifies=3000]`: a V8 CPU profile of the production server (shop-server.mjs) serving fresh v2 payment
// notifies at 32 connections (NODE_OPTIONS=--cpu-prof), then the functions with the most self time, grouped by
// package — where the route's CPU goes beyond the core handler. Needs the web build. Writes to $TMPDIR/notify-prof.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { NOTIFY_PATH } from "@wxpay/core";

import { payableNotifies } from "../src/bench-fixtures";
import { runLoad } from "../src/load";
import { startSystem } from "../src/system";
import { startWeb } from "../src/web-process";

const N = Number(process.argv[2] ?? 3000);
const dir = path.join(os.tmpdir(), "notify-prof");
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(dir, { recursive: true });
const sys = await startSystem();
const web = await startWeb({
  databaseUrl: sys.databaseUrl,
  simUrl: sys.sim.url,
  // --cpu-prof is refused in NODE_OPTIONS: a preload starts the inspector's profiler and writes the profile at exit.
  env: {
    NODE_OPTIONS: `--import ${path.join(import.meta.dirname, "profile-preload.mjs")}`,
    WXPAY_PROFILE_DIR: dir,
  },
});
try {
  await runLoad({
    url: `${web.url}${NOTIFY_PATH}`,
    bodies: await payableNotifies(sys.sql, { prefix: "PROF", batch: 1, n: 500 }),
    concurrency: 32,
    expect: "SUCCESS",
  });
  const r = await runLoad({
    url: `${web.url}${NOTIFY_PATH}`,
    bodies: await payableNotifies(sys.sql, { prefix: "PROF", batch: 2, n: N }),
    concurrency: 32,
    expect: "SUCCESS",
  });
  console.log(`${N} notifies, ${r.failures} failures, ${((N / r.elapsedMs) * 1000).toFixed(0)}/s`);
} finally {
  await web.stop();
  await sys.close();
}

type TNode = { id: number; callFrame: { functionName: string; url: string }; hitCount: number };
const profiles = fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")));
// The server is the profile with the most samples (pnpm's launcher has few).
const prof = profiles.sort((a, b) => b.samples.length - a.samples.length)[0] as { nodes: TNode[] };
if (!prof) throw new Error(`no profile written to ${dir}`);
const total = prof.nodes.reduce((n, x) => n + x.hitCount, 0);
const byPkg = new Map<string, number>();
const byFn = new Map<string, number>();
for (const n of prof.nodes) {
  const url = n.callFrame.url;
  const pkg =
    /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
    (url.startsWith("node:")
      ? url
      : url.includes(".next/")
        ? "app chunks (.next)"
        : url
          ? "other"
          : "(native/gc/idle)");
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + n.hitCount);
  const fn = `${n.callFrame.functionName || "(anonymous)"} ${path.basename(url)}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + n.hitCount);
}
const top = (m: Map<string, number>, k: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, hits]) => `${((hits / total) * 100).toFixed(1).padStart(5)} %  ${name}`)
    .join("\n");
console.log(`self time by package:\n${top(byPkg, 15)}\n\nby function:\n${top(byFn, 25)}`);
