// What every use case receives: the database and the shop's configuration. Built once per process by the app.
import type { Db } from "@wxpay/db";

export type CoreDeps = {
  db: Db;
  /** The clock, injectable for tests of expiry rules. */
  now: () => Date;
};
