DROP INDEX "refunds_one_live_per_attempt";--> statement-breakpoint
ALTER TABLE "payment_notifications" ALTER COLUMN "raw_xml" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_notifications" ADD COLUMN "body_bytes" integer;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "origin" text DEFAULT 'SHOP' NOT NULL;--> statement-breakpoint
-- Older duplicates of a live attempt (same order and channel) are retired first: reconciliation closes them at WeChat.
UPDATE "payment_attempts" p SET "status" = 'SUPERSEDED', "next_check_at" = now(), "updated_at" = now()
 WHERE p."status" in ('CREATED', 'PREPAID') AND EXISTS (
   SELECT 1 FROM "payment_attempts" q
    WHERE q."order_id" = p."order_id" AND q."channel" = p."channel" AND q."status" in ('CREATED', 'PREPAID')
      AND (q."created_at", q."id") > (p."created_at", p."id"));--> statement-breakpoint
CREATE UNIQUE INDEX "payment_attempts_one_live_per_channel" ON "payment_attempts" USING btree ("order_id","channel") WHERE "payment_attempts"."status" in ('CREATED', 'PREPAID');--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_one_live_per_attempt" ON "refunds" USING btree ("attempt_id") WHERE "refunds"."status" in ('REQUESTED', 'SUCCESS', 'CHANGE') and "refunds"."origin" = 'SHOP';