// Crashing and restarting our own throwaway PostgreSQL server, by its data directory (never anyone else's).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import type { ThrowawayPostgres } from "@wxpay/testkit/postgres";
import { findPostgresBinDir } from "@wxpay/testkit/postgres";

function pgCtl(args: string[]): string {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error("PostgreSQL server binaries not found");
  const bin = path.join(binDir, "pg_ctl");
  // initdb/pg_ctl refuse root: the throwaway cluster belongs to the postgres user.
  const [file, argv] =
    process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  return execFileSync(file, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The server's current postmaster pid, or undefined when it is down. */
export function postmasterPid(pg: ThrowawayPostgres): number | undefined {
  const file = path.join(pg.dataDir, "postmaster.pid");
  if (!fs.existsSync(file)) return undefined;
  const pid = Number(fs.readFileSync(file, "utf8").split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** A crash: every backend is killed at once, no checkpoint, open transactions are lost (crash recovery on restart). */
export function killPostgres(pg: ThrowawayPostgres): void {
  pgCtl(["-D", pg.dataDir, "-m", "immediate", "-w", "-t", "20", "stop"]);
}

/**
 * Starts the same server again on the same port with the same settings. `pg_ctl restart` reuses the command line
 * recorded in postmaster.opts, which survives a crash; it warns that no server was running and starts one.
 */
export function restartPostgres(pg: ThrowawayPostgres): void {
  const log = path.join(path.dirname(pg.dataDir), "server.log");
  pgCtl(["-D", pg.dataDir, "-l", log, "-w", "-t", "60", "restart"]);
}
