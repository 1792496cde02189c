import { dbHandle } from "~/server/deps";

/** Readiness: the database answers and every committed migration is applied. */
export async function GET() {
  try {
    const handle = await dbHandle();
    const health = await handle.health();
    return Response.json(
      {
        status: health.ok ? "ok" : "migrations-pending",
        database: handle.driver,
        migrations: health.migrations,
      },
      { status: health.ok ? 200 : 503, headers: { "cache-control": "no-store" } },
    );
  } catch (err) {
    console.error("[health]", err);
    return Response.json(
      { status: "database-unavailable" },
      { status: 503, headers: { "cache-control": "no-store" } },
    );
  }
}
