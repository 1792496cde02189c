CREATE TABLE "products" (
	"sku" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"price_fen" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_price_fen_positive" CHECK ("products"."price_fen" > 0),
	CONSTRAINT "products_sku_format" CHECK ("products"."sku" ~ '^[A-Z0-9-]{2,32}$')
);
