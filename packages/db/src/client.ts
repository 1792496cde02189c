// One database handle for both drivers: postgres.js against a real server when DATABASE_URL is set,
// embedded PGlite (a WASM Postgres in this process) otherwise.
import fs from "node:fs";
import path from "node:path";

import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Sql } from "postgres";

import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DbConfig = {
  /** postgres:// URL; empty means embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data directory (or "memory://"); used only when databaseUrl is empty. */
  pgliteDataDir?: string | undefined;
  /** Pool size for postgres.js. */
  maxConnections?: number;
  /** sharedDbHandle applies committed migrations when it opens the database (default true). */
  migrateOnStart?: boolean;
};

export type DbHandle = {
  db: Db;
  driver: "postgres" | "pglite";
  /** Applies committed migrations; idempotent. */
  migrate(): Promise<void>;
  /** Round trip to the database and checks that every committed migration is applied. */
  health(): Promise<{ ok: boolean; migrations: { applied: number; expected: number } }>;
  close(): Promise<void>;
};

const MIGRATIONS_JOURNAL = path.join("meta", "_journal.json");
/** Advisory lock key held while migrating (any constant shared by every instance). */
const MIGRATION_LOCK_KEY = 726_100_001;

type TPostgresClient = Sql;

/**
 * drizzle's postgres-js driver sends every query with `prepare: false`, which makes postgres.js describe each
 * parameterised statement in an extra round trip. Queries here are static text, so let postgres.js prepare and
 * cache them per connection: half the round trips on every request (measured on the notify path: ≈ 1.8× the rate).
 * Transactions and savepoints hand drizzle a scoped client, wrapped the same way.
 */
export function preparedByDefault<T extends TPostgresClient>(client: T): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop === "unsafe") {
        return (query: string, params?: unknown[], options?: { prepare?: boolean }) =>
          (value as TPostgresClient["unsafe"]).call(target, query, params as never, {
            ...options,
            prepare: true,
          });
      }
      if (prop === "begin" || prop === "savepoint") {
        return (...args: unknown[]) => {
          const cb = args[args.length - 1] as (tx: TPostgresClient) => unknown;
          const rest = args.slice(0, -1);
          return (value as (...a: unknown[]) => unknown).call(target, ...rest, (tx: TPostgresClient) =>
            cb(preparedByDefault(tx)),
          );
        };
      }
      return value;
    },
  });
}

/**
 * Finds the committed migrations by walking up from the working directory to the workspace's packages/db/drizzle.
 * (Under Next's bundler `import.meta.url` points at a server chunk, so it cannot locate them.)
 */
export function resolveMigrationsFolder(): string {
  const candidates: string[] = [];
  let dir = process.cwd();
  for (;;) {
    candidates.push(
      path.join(/*turbopackIgnore: true*/ dir, "packages", "db", "drizzle"),
      path.join(/*turbopackIgnore: true*/ dir, "drizzle"),
    );
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const found = candidates.find((c) => fs.existsSync(path.join(c, MIGRATIONS_JOURNAL)));
  if (!found)
    throw new Error(`Committed migrations not found (looked for packages/db/drizzle from ${process.cwd()})`);
  return found;
}

function expectedMigrationCount(folder: string): number {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, MIGRATIONS_JOURNAL), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

export async function createDbHandle(config: DbConfig): Promise<DbHandle> {
  const migrationsFolder = resolveMigrationsFolder();
  const expected = expectedMigrationCount(migrationsFolder);
  const url = config.databaseUrl?.trim();

  if (url) {
    const [{ default: postgres }, { drizzle }, { migrate }] = await Promise.all([
      import("postgres"),
      import("drizzle-orm/postgres-js"),
      import("drizzle-orm/postgres-js/migrator"),
    ]);
    const client = postgres(url, {
      max: config.maxConnections ?? 10,
      onnotice: () => {},
      // Integers stay integers; bigint columns (counts, sums) come back as strings unless parsed.
      types: { bigint: postgres.BigInt },
      // The default back-off is shared by the pool and grows to 10-20 s after a database restart; cap it at 1 s
      // so the first requests after recovery are served at once (measured: 1.4-5.7 s → 11 ms).
      backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
      // On each new connection postgres.js would first query pg_type for array types, from a promise nobody
      // awaits: when the database dies in that moment the rejection is unhandled. No query here binds a JS array
      // as a parameter (drizzle expands lists), so the lookup is not needed — and each connection saves a round trip.
      fetch_types: false,
    });
    const db = drizzle({ client: preparedByDefault(client), schema, casing: "snake_case" }) as unknown as Db;
    return {
      db,
      driver: "postgres",
      async migrate() {
        const one = postgres(url, { max: 1, onnotice: () => {} });
        try {
          // Instances starting together on an empty database must not both run the same migration: the
          // loser would fail its startup on a duplicate CREATE. One session-level lock serialises them.
          await one`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
          await migrate(drizzle({ client: one }), { migrationsFolder });
        } finally {
          await one`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => {});
          await one.end();
        }
      },
      async health() {
        const rows = await client<{ n: number }[]>`
          select count(*)::int as n from drizzle.__drizzle_migrations`.catch(() => [{ n: 0 }]);
        const applied = rows[0]?.n ?? 0;
        return { ok: applied >= expected, migrations: { applied, expected } };
      },
      close: () => client.end({ timeout: 5 }),
    };
  }

  const [{ PGlite }, { drizzle }, { migrate }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
    import("drizzle-orm/pglite/migrator"),
  ]);
  const dataDir = config.pgliteDataDir?.trim() || "memory://";
  let releaseLock = () => {};
  if (!dataDir.startsWith("memory://")) {
    // PGlite creates the leaf directory but not its parents.
    fs.mkdirSync(path.dirname(path.resolve(/*turbopackIgnore: true*/ dataDir)), { recursive: true });
    releaseLock = lockPgliteDir(path.resolve(/*turbopackIgnore: true*/ dataDir));
  }
  const client = new PGlite(dataDir);
  const db = drizzle({ client, schema, casing: "snake_case" }) as unknown as Db;
  return {
    db,
    driver: "pglite",
    migrate: () => migrate(drizzle({ client, casing: "snake_case" }), { migrationsFolder }),
    async health() {
      const res = await client
        .query<{ n: number }>("select count(*)::int as n from drizzle.__drizzle_migrations")
        .catch(() => ({ rows: [{ n: 0 }] }));
      const applied = res.rows[0]?.n ?? 0;
      return { ok: applied >= expected, migrations: { applied, expected } };
    },
    async close() {
      await client.close();
      releaseLock();
    },
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * PGlite has no cross-process lock: two processes on one data directory lose writes without any error. So the
 * first process holds `<dir>.lock` (its pid); another one — `pnpm dev` running while a script opens the same
 * directory — gets a clear error instead. A lock left by a process that no longer runs is taken over.
 */
function lockPgliteDir(dir: string): () => void {
  const lockFile = `${dir}.lock`;
  const take = () => fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
  try {
    take();
  } catch {
    const holder = Number(fs.readFileSync(lockFile, "utf8").trim());
    const alive = holder > 0 && holder !== process.pid && isRunning(holder);
    if (alive) {
      throw new Error(
        `The PGlite database ${dir} is in use by process ${holder} (e.g. \`pnpm dev\`). PGlite allows one process per ` +
          "data directory: stop that process first, or point DATABASE_URL at a PostgreSQL server.",
      );
    }
    fs.rmSync(lockFile, { force: true });
    take();
  }
  const release = () => {
    try {
      if (fs.readFileSync(lockFile, "utf8").trim() === String(process.pid))
        fs.rmSync(lockFile, { force: true });
    } catch {
      // already gone
    }
  };
  process.once("exit", release);
  return release;
}

const GLOBAL_KEY = Symbol.for("wxpay.db.handle");
type GlobalWithDb = typeof globalThis & { [GLOBAL_KEY]?: Promise<DbHandle> };

/**
 * The process-wide handle, migrated once (unless `migrateOnStart` is false: production migrates as a deploy step).
 * Cached on globalThis because Next's dev server re-evaluates modules, and PGlite must hold its data directory
 * exactly once per process.
 */
export function sharedDbHandle(config: DbConfig): Promise<DbHandle> {
  const g = globalThis as GlobalWithDb;
  g[GLOBAL_KEY] ??= (async () => {
    const handle = await createDbHandle(config);
    if (config.migrateOnStart !== false) await handle.migrate();
    return handle;
  })().catch((err: unknown) => {
    delete g[GLOBAL_KEY];
    throw err;
  });
  return g[GLOBAL_KEY];
}

/**
 * The rows of a raw `db.execute(sql…)`: postgres.js answers with the row array itself, PGlite with `{ rows }`.
 */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

/**
 * A value built once per database handle — for drizzle's prepared queries (`.prepare()`), whose SQL text is built
 * once instead of on every call (the query builder costs ≈ 0.2 ms of CPU per statement) and which postgres.js then
 * prepares once per connection. Keyed weakly by the handle, so test databases come and go.
 */
export function onePerDb<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let value = built.get(db);
    if (value === undefined) {
      value = build(db);
      built.set(db, value);
    }
    return value;
  };
}
