CREATE TYPE "public"."wechatpay_api_version" AS ENUM('v2', 'v3');--> statement-breakpoint
ALTER TYPE "public"."pay_channel" ADD VALUE 'native';--> statement-breakpoint
CREATE TABLE "wechat_platform_certificates" (
	"serial_no" text PRIMARY KEY NOT NULL,
	"mch_id" text NOT NULL,
	"pem" text NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD COLUMN "code_url" text;--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD COLUMN "api_version" "wechatpay_api_version" DEFAULT 'v2' NOT NULL;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "api_version" "wechatpay_api_version" DEFAULT 'v2' NOT NULL;