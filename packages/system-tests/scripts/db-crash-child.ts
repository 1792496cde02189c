// A postgres.js client that runs short transactions in a loop while its database is killed under it, the way the
// notify route does (BEGIN, UPDATE, INSERT, COMMIT through `sql.begin`). It reports on stdout, one JSON per line:
// {"ready":true} once connected, {"tx":"ok"|"error","w":<worker>} per transaction, and {"alive":true} when asked (any stdin
// line). If the driver throws where no caller can catch it, the process dies with that error on stderr.
import readline from "node:readline";

import postgres from "postgres";

const url = process.argv[2];
if (!url) throw new Error("usage: db-crash-child <postgres url>");

// A short reconnect back-off (the default grows to 10-20 s after a few refused connects) keeps the test short;
// the crash does not depend on it.
const sql = postgres(url, { max: 4, onnotice: () => {}, connect_timeout: 2, backoff: () => 0.1 });
await sql`create table if not exists crash_probe (id serial primary key, n int not null)`;
await sql`insert into crash_probe (n) values (0)`;
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
say({ ready: true });

readline.createInterface({ input: process.stdin }).on("line", () => say({ alive: true, pid: process.pid }));

let stop = false;
process.on("SIGTERM", () => {
  stop = true;
  void sql.end({ timeout: 1 }).finally(() => process.exit(0));
});

async function worker(w: number) {
  while (!stop) {
    try {
      await sql.begin(async (tx) => {
        await tx`update crash_probe set n = n + 1 where id = 1`;
        await tx`select pg_sleep(0.002)`;
        await tx`insert into crash_probe (n) values (1)`;
      });
      say({ tx: "ok", w });
    } catch (err) {
      say({ tx: "error", w, code: (err as { code?: string }).code ?? String(err) });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
await Promise.all([0, 1, 2, 3].map(worker));
