CREATE TYPE "public"."attempt_status" AS ENUM('CREATED', 'PREPAID', 'PAID', 'SUPERSEDED', 'CLOSED', 'FAILED');--> statement-breakpoint
CREATE TYPE "public"."notify_verdict" AS ENUM('APPLIED', 'DUPLICATE', 'PAID_NEEDS_REVIEW', 'NOT_SUCCESS', 'BAD_XML', 'BAD_SIGN', 'WRONG_SIGN_TYPE', 'WRONG_APPID', 'WRONG_MCH_ID', 'AMOUNT_MISMATCH', 'UNKNOWN_ORDER', 'ERROR');--> statement-breakpoint
CREATE TYPE "public"."order_status" AS ENUM('PENDING', 'PAID', 'CLOSED', 'PAID_NEEDS_REVIEW', 'REFUNDING', 'REFUNDED');--> statement-breakpoint
CREATE TYPE "public"."pay_channel" AS ENUM('h5', 'jsapi', 'mini');--> statement-breakpoint
CREATE TABLE "customers" (
	"id" text PRIMARY KEY NOT NULL,
	"mini_openid" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customers_miniOpenid_unique" UNIQUE("mini_openid")
);
--> statement-breakpoint
CREATE TABLE "order_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"attempt_id" text,
	"type" text NOT NULL,
	"source" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"items" jsonb NOT NULL,
	"amount_fen" integer NOT NULL,
	"fee_type" text DEFAULT 'CNY' NOT NULL,
	"status" "order_status" DEFAULT 'PENDING' NOT NULL,
	"paid_attempt_id" text,
	"transaction_id" text,
	"paid_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_transactionId_unique" UNIQUE("transaction_id"),
	CONSTRAINT "orders_amount_fen_positive" CHECK ("orders"."amount_fen" > 0),
	CONSTRAINT "orders_fee_type_cny" CHECK ("orders"."fee_type" = 'CNY')
);
--> statement-breakpoint
CREATE TABLE "payment_attempts" (
	"id" text PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"out_trade_no" text NOT NULL,
	"channel" "pay_channel" NOT NULL,
	"trade_type" text NOT NULL,
	"appid" text NOT NULL,
	"mch_id" text NOT NULL,
	"openid" text,
	"sign_type" text NOT NULL,
	"amount_fen" integer NOT NULL,
	"client_ip" text NOT NULL,
	"request_xml" text NOT NULL,
	"status" "attempt_status" DEFAULT 'CREATED' NOT NULL,
	"prepay_id" text,
	"prepay_expires_at" timestamp with time zone,
	"mweb_url" text,
	"mweb_expires_at" timestamp with time zone,
	"transaction_id" text,
	"paid_at" timestamp with time zone,
	"last_error" text,
	"last_queried_at" timestamp with time zone,
	"next_check_at" timestamp with time zone,
	"check_count" integer DEFAULT 0 NOT NULL,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_attempts_outTradeNo_unique" UNIQUE("out_trade_no"),
	CONSTRAINT "payment_attempts_transactionId_unique" UNIQUE("transaction_id"),
	CONSTRAINT "payment_attempts_amount_fen_positive" CHECK ("payment_attempts"."amount_fen" > 0),
	CONSTRAINT "payment_attempts_out_trade_no_format" CHECK ("payment_attempts"."out_trade_no" ~ '^[0-9A-Za-z_|*-]{6,32}$')
);
--> statement-breakpoint
CREATE TABLE "payment_notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"remote_addr" text,
	"body_sha256" text NOT NULL,
	"raw_xml" text NOT NULL,
	"out_trade_no" text,
	"transaction_id" text,
	"attempt_id" text,
	"verdict" "notify_verdict" NOT NULL,
	"detail" text,
	"reply" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wechat_credentials" (
	"appid" text NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wechat_credentials_appid_kind_pk" PRIMARY KEY("appid","kind")
);
--> statement-breakpoint
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_attempt_id_payment_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."payment_attempts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD CONSTRAINT "payment_attempts_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_notifications" ADD CONSTRAINT "payment_notifications_attempt_id_payment_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."payment_attempts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_events_order_idx" ON "order_events" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "order_events_one_paid_per_order" ON "order_events" USING btree ("order_id") WHERE "order_events"."type" = 'PAID';--> statement-breakpoint
CREATE INDEX "orders_customer_created_idx" ON "orders" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "payment_attempts_order_idx" ON "payment_attempts" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "payment_attempts_next_check_idx" ON "payment_attempts" USING btree ("next_check_at");--> statement-breakpoint
CREATE INDEX "payment_notifications_transaction_idx" ON "payment_notifications" USING btree ("transaction_id");--> statement-breakpoint
CREATE INDEX "payment_notifications_out_trade_no_idx" ON "payment_notifications" USING btree ("out_trade_no");