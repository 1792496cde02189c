// The shop's state. Column names are snake_case in SQL (drizzle `casing: "snake_case"`), camelCase in code.
import { sql } from "drizzle-orm";
import { boolean, check, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** The catalog. Prices are read from here, never from a client. */
export const products = pgTable(
  "products",
  {
    sku: text().primaryKey(),
    title: text().notNull(),
    description: text().notNull().default(""),
    /** Integer fen (1 yuan = 100 fen). */
    priceFen: integer().notNull(),
    active: boolean().notNull().default(true),
    sortOrder: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("products_price_fen_positive", sql`${t.priceFen} > 0`),
    check("products_sku_format", sql`${t.sku} ~ '^[A-Z0-9-]{2,32}$'`),
  ],
);

export type TProductRow = typeof products.$inferSelect;
