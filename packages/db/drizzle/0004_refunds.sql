CREATE TYPE "public"."refund_status" AS ENUM('REQUESTED', 'SUCCESS', 'CHANGE', 'REFUNDCLOSE', 'FAILED');--> statement-breakpoint
CREATE TABLE "refunds" (
	"out_refund_no" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"attempt_id" text NOT NULL,
	"refund_fee_fen" integer NOT NULL,
	"status" "refund_status" DEFAULT 'REQUESTED' NOT NULL,
	"refund_id" text,
	"reason" text,
	"last_error" text,
	"succeeded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refunds_refund_fee_fen_positive" CHECK ("refunds"."refund_fee_fen" > 0),
	CONSTRAINT "refunds_out_refund_no_format" CHECK ("refunds"."out_refund_no" ~ '^[0-9A-Za-z_|*@-]{1,64}$')
);
--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_attempt_id_payment_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."payment_attempts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_one_live_per_attempt" ON "refunds" USING btree ("attempt_id") WHERE "refunds"."status" in ('REQUESTED', 'SUCCESS', 'CHANGE');