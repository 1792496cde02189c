DROP INDEX "orders_created_id_idx";--> statement-breakpoint
CREATE INDEX "payment_attempts_paid_at_idx" ON "payment_attempts" USING btree ("paid_at","amount_fen") WHERE "payment_attempts"."status" = 'PAID';--> statement-breakpoint
CREATE INDEX "payment_notifications_received_at_idx" ON "payment_notifications" USING btree ("received_at","verdict");--> statement-breakpoint
CREATE INDEX "refunds_succeeded_at_idx" ON "refunds" USING btree ("succeeded_at","refund_fee_fen") WHERE "refunds"."status" = 'SUCCESS';--> statement-breakpoint
CREATE INDEX "orders_created_id_idx" ON "orders" USING btree ("created_at","id","channel","status");