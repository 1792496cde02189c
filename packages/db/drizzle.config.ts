import { defineConfig } from "drizzle-kit";

// `generate` needs no database: it diffs src/schema.ts against drizzle/meta. Migrations are applied by the app at start.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema.ts",
  out: "./drizzle",
  casing: "snake_case",
});
