// The deploy step as an operator runs it: `pnpm --filter @wxpay/db migrate` against an empty PostgreSQL database.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { ThrowawayPostgres } from "@wxpay/testkit/postgres";
import { createTestDatabase, startThrowawayPostgres, withDatabase } from "@wxpay/testkit/postgres";

const DB_DIR = path.resolve(import.meta.dirname, "../..");
const JOURNAL = JSON.parse(fs.readFileSync(path.join(DB_DIR, "drizzle/meta/_journal.json"), "utf8")) as {
  entries: { tag: string }[];
};

function migrate(databaseUrl: string) {
  const res = spawnSync("pnpm", ["run", "--silent", "migrate"], {
    cwd: DB_DIR,
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: databaseUrl },
  });
  const last = res.stdout.trim().split("\n").at(-1) ?? "";
  return {
    code: res.status,
    out: res.stdout + res.stderr,
    report: JSON.parse(last || "{}") as Record<string, unknown>,
  };
}

/** Every table, column, type, default and constraint of the public schema, and the applied migrations. */
async function schemaOf(sql: postgres.Sql) {
  const columns = await sql`
    select table_name, column_name, data_type, is_nullable, column_default
    from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position`;
  const constraints = await sql`
    select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid) as def
    from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`;
  const indexes =
    await sql`select indexname, indexdef from pg_indexes where schemaname = 'public' order by 1`;
  const migrations = await sql`select hash, created_at from drizzle.__drizzle_migrations order by id`;
  return { columns, constraints, indexes, migrations };
}

describe("pnpm --filter @wxpay/db migrate", () => {
  let databaseUrl: string;
  let sql: postgres.Sql;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const target = await createTestDatabase("migrate_cmd");
    let pg: ThrowawayPostgres | undefined;
    if (target.url) databaseUrl = target.url;
    else {
      pg = await startThrowawayPostgres();
      databaseUrl = withDatabase(pg.url, "postgres");
    }
    sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    cleanup = async () => {
      await sql.end();
      await target.drop();
      pg?.stop();
    };
  });
  afterAll(() => cleanup?.());

  it("brings an empty database to the current schema, and a second run changes nothing", async () => {
    const before =
      await sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`;
    expect(before[0]?.n).toBe(0);

    const first = migrate(databaseUrl);
    expect(first.code, first.out).toBe(0);
    expect(first.report).toMatchObject({
      driver: "postgres",
      applied: JOURNAL.entries.length,
      migrations: { applied: JOURNAL.entries.length, expected: JOURNAL.entries.length },
      ok: true,
    });
    const tables = await sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public' order by 1`;
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["orders", "payment_attempts", "payment_notifications", "products", "refunds"]),
    );
    // The seed migration ran too: the catalog is there.
    expect((await sql`select count(*)::int as n from products`)[0]?.n).toBeGreaterThan(0);
    const schema = await schemaOf(sql);

    const second = migrate(databaseUrl);
    expect(second.code, second.out).toBe(0);
    expect(second.report).toMatchObject({ applied: 0, ok: true });
    expect(await schemaOf(sql)).toEqual(schema);
  });
});
