// A throwaway PostgreSQL server for tests, and one fresh database per test suite inside it.
import { execFileSync, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import postgres from "postgres";

import { freePort } from "./ports";

/** Finds PostgreSQL server binaries (pg_ctl, initdb) on PATH or in Debian's /usr/lib/postgresql/<v>/bin. */
export function findPostgresBinDir(): string | undefined {
  const fromPath = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" }).stdout.trim();
  if (fromPath) {
    const real = fs.realpathSync(fromPath);
    if (fs.existsSync(path.join(path.dirname(real), "initdb"))) return path.dirname(real);
  }
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], "bin") : undefined;
}

export const POSTGRES_INSTALL_COMMAND = "apt-get update && apt-get install -y postgresql";

/** What a run does about PostgreSQL: use the binaries, install Debian's, fall back to PGlite, or stop (CI). */
export function postgresPlan(s: {
  binDir: string | undefined;
  canInstall: boolean;
  ci: boolean;
}): "use" | "install" | "pglite" | "fail" {
  if (s.binDir) return "use";
  if (s.canInstall) return "install";
  // In CI a missing server must not quietly turn the two-instance and crash suites into skips.
  return s.ci ? "fail" : "pglite";
}

const isCi = (env: NodeJS.ProcessEnv = process.env) => env.CI === "true" || env.CI === "1";

/** Root with apt-get: Debian's postgresql can be installed (initdb then runs as the `postgres` user it creates). */
const canInstallPostgres = () => process.getuid?.() === 0 && fs.existsSync("/usr/bin/apt-get");

/**
 * Returns the PostgreSQL binaries, installing Debian's `postgresql` when missing and the runner is root (as for
 * Chromium); undefined when neither is possible outside CI; throws under CI=true.
 */
export function ensurePostgres(log: (line: string) => void = console.log): string | undefined {
  const plan = postgresPlan({ binDir: findPostgresBinDir(), canInstall: canInstallPostgres(), ci: isCi() });
  if (plan === "use") return findPostgresBinDir();
  if (plan === "pglite") return undefined;
  if (plan === "fail") {
    throw new Error(
      `PostgreSQL is not installed and CI=true forbids skipping its suites. Install it with:\n  sudo sh -c '${POSTGRES_INSTALL_COMMAND}'`,
    );
  }
  log(`PostgreSQL not found; installing Debian's postgresql (${POSTGRES_INSTALL_COMMAND}) …`);
  const res = spawnSync("sh", ["-c", POSTGRES_INSTALL_COMMAND], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  const installed = findPostgresBinDir();
  if (res.status !== 0 || !installed) {
    if (isCi())
      throw new Error(`Installing PostgreSQL failed. Run it yourself:\n  ${POSTGRES_INSTALL_COMMAND}`);
    log("installing PostgreSQL failed; suites that need it are skipped, the rest use PGlite");
    return undefined;
  }
  return installed;
}

/**
 * For `describe.runIf(requirePostgres(…))` in suites that only make sense on a real server (several processes on
 * one database, crashing it): true when the binaries exist; false (skip) outside CI; under CI=true it throws, so
 * the suite fails instead of being skipped.
 */
export function requirePostgres(suite: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (findPostgresBinDir()) return true;
  if (isCi(env)) {
    throw new Error(
      `${suite}: needs PostgreSQL server binaries and CI=true forbids skipping. Install: ${POSTGRES_INSTALL_COMMAND}`,
    );
  }
  return false;
}

export type ThrowawayPostgres = {
  /** Superuser URL to the `postgres` database. */
  url: string;
  port: number;
  dataDir: string;
  /** The postmaster's pid, read from its own postmaster.pid. */
  pid: number;
  stop(): void;
};

/**
 * initdb + start a private cluster: loopback only, its own port and socket dir, fsync off.
 * initdb refuses to run as root, so as root everything runs as the `postgres` user.
 */
export async function startThrowawayPostgres(opts: { binDir?: string } = {}): Promise<ThrowawayPostgres> {
  const binDir = opts.binDir ?? findPostgresBinDir();
  if (!binDir) throw new Error("PostgreSQL server binaries not found");
  const isRoot = process.getuid?.() === 0;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "wxpay-pg-"));
  const dataDir = path.join(base, "data");
  const sockDir = path.join(base, "sock");
  fs.mkdirSync(sockDir);
  if (isRoot) fs.chmodSync(base, 0o755);
  if (isRoot) execFileSync("chown", ["-R", "postgres:postgres", base]);
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = isRoot
      ? ["runuser", ["-u", "postgres", "--", path.join(binDir, cmd), ...args]]
      : [path.join(binDir, cmd), args];
    execFileSync(file as string, argv as string[], { stdio: ["ignore", "pipe", "pipe"] });
  };
  run("initdb", [
    "-D",
    dataDir,
    "-U",
    "postgres",
    "--auth=trust",
    "-E",
    "UTF8",
    "--locale=C.UTF-8",
    "--no-sync",
  ]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${sockDir}`,
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=300",
    "-c shared_buffers=128MB",
  ].join(" ");
  run("pg_ctl", [
    "-D",
    dataDir,
    "-o",
    options,
    "-l",
    path.join(base, "server.log"),
    "-w",
    "-t",
    "60",
    "start",
  ]);
  const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  let stopped = false;
  // A server must not outlive the process that started it, even when that process forgets to stop it.
  const onExit = () => stop();
  process.once("exit", onExit);
  function stop() {
    if (stopped) return;
    stopped = true;
    process.off("exit", onExit);
    try {
      run("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "-t", "20", "stop"]);
    } catch {
      // Fall back to our own postmaster by its pid.
      try {
        process.kill(pid, "SIGQUIT");
      } catch {
        // already gone
      }
    }
    fs.rmSync(base, { recursive: true, force: true });
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, dataDir, pid, stop };
}

/** Replaces the database name of a postgres:// URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export type TestDatabase = {
  /** postgres:// URL of a fresh, empty database; undefined when no server is available (use PGlite). */
  url: string | undefined;
  drop(): Promise<void>;
};

/**
 * A fresh database for one test suite on the server the test runner started (WXPAY_TEST_PG_URL), so suites
 * running in parallel never see each other's rows. Without a server, returns no URL: callers use PGlite.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const admin = process.env.WXPAY_TEST_PG_URL;
  if (!admin) return { url: undefined, drop: async () => {} };
  const name = `t_${label.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${crypto.randomBytes(4).toString("hex")}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end();
  }
  return {
    url: withDatabase(admin, name),
    async drop() {
      const s = postgres(admin, { max: 1, onnotice: () => {} });
      try {
        await s.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await s.end();
      }
    },
  };
}
