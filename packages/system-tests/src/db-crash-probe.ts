// Runs scripts/db-crash-child.ts (postgres.js inside transactions in a loop) in its own process, crashes the
// database under it, and reports whether the process survived and whether it works again after the restart.
import { spawn } from "node:child_process";
import path from "node:path";
import readline from "node:readline";

import type { ThrowawayPostgres } from "@wxpay/testkit/postgres";

import { killPostgres, restartPostgres } from "./pg-control";

export type TCrashProbeResult = {
  survived: boolean;
  /** Every one of the client's concurrent workers committed again after the database came back. */
  recovered: boolean;
  /** Transactions that failed while the database was down (each with a catchable error). */
  failedTransactions: number;
  exitCode: number | null;
  stderr: string;
  summary: string;
};

const PACKAGE_DIR = path.resolve(import.meta.dirname, "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDbCrashProbe(pg: ThrowawayPostgres): Promise<TCrashProbeResult> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/db-crash-child.ts", pg.url], {
    cwd: PACKAGE_DIR,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  let exitCode: number | null = null;
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on("exit", (code) => {
      exited = true;
      exitCode = code;
      resolve();
    }),
  );
  const seen = { ready: false, ok: 0, errors: 0, alive: 0, okBy: [0, 0, 0, 0] };
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    try {
      const m = JSON.parse(line) as { ready?: boolean; tx?: string; w?: number; alive?: boolean };
      if (m.ready) seen.ready = true;
      if (m.tx === "ok") {
        seen.ok += 1;
        seen.okBy[m.w ?? 0] = (seen.okBy[m.w ?? 0] ?? 0) + 1;
      }
      if (m.tx === "error") seen.errors += 1;
      if (m.alive) seen.alive += 1;
    } catch {
      // not a report line
    }
  });
  const until = async (cond: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!cond() && !exited && Date.now() < deadline) await sleep(20);
    return cond();
  };

  let recovered = false;
  let failedTransactions: number;
  try {
    if (!(await until(() => seen.ready && seen.ok >= 20, 30_000)))
      throw new Error(`probe never got going: ${stderr}`);
    killPostgres(pg);
    // Give the driver time to notice the dead sockets, fail the open transactions and reconnect in vain.
    await until(() => false, 1500);
    failedTransactions = seen.errors;
    child.stdin.write("alive?\n");
    await until(() => seen.alive > 0, 2000);
  } finally {
    restartPostgres(pg);
  }
  const survived = !exited && seen.alive > 0;
  if (survived) {
    const before = [...seen.okBy];
    recovered = await until(() => seen.okBy.every((n, w) => n > (before[w] ?? 0)), 20_000);
    child.kill("SIGTERM");
  }
  await Promise.race([exit, sleep(5000)]);
  if (!exited) child.kill("SIGKILL");
  return {
    survived,
    recovered,
    failedTransactions,
    exitCode,
    stderr,
    summary: `${failedTransactions} transactions failed while the database was down; exit code ${String(exitCode)}${survived ? `; recovered: ${recovered}` : ""}`,
  };
}
