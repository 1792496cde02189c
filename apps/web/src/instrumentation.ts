// Runs once when the server starts: open the database, apply committed migrations, start reconciliation.
export async function register() {
  // eslint-disable-next-line no-restricted-properties -- Next sets NEXT_RUNTIME; not configuration
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const [{ dbHandle, coreDeps }, { env }, { startReconciler }, os] = await Promise.all([
    import("./server/deps"),
    import("./env"),
    import("@wxpay/core"),
    import("node:os"),
  ]);
  const handle = await dbHandle();
  console.log(`[db] ${handle.driver} ready, migrations applied`);
  const intervalSeconds = env().RECONCILE_INTERVAL_SECONDS;
  if (intervalSeconds > 0) {
    startReconciler(await coreDeps(), { instance: `${os.hostname()}:${process.pid}`, intervalMs: intervalSeconds * 1000 });
  }
}
