// Runs once when the server starts. Next also compiles this file for the Edge runtime, so everything that
// needs Node.js lives in instrumentation-node.ts and is loaded only on the Node.js runtime.
export async function register() {
  // eslint-disable-next-line no-restricted-properties -- Next sets NEXT_RUNTIME; not configuration
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // `next build` loads this too: a build must not open (or lock) the database a running `pnpm dev` is using.
  // eslint-disable-next-line no-restricted-properties -- Next sets NEXT_PHASE; not configuration
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const { startServer } = await import("./instrumentation-node");
  await startServer();
}
