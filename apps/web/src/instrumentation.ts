// Runs once when the server starts: open the database and apply committed migrations before the first request.
export async function register() {
  // eslint-disable-next-line no-restricted-properties -- Next sets NEXT_RUNTIME; not configuration
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { dbHandle } = await import("./server/deps");
  const handle = await dbHandle();
  console.log(`[db] ${handle.driver} ready, migrations applied`);
}
