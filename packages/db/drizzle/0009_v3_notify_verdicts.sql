ALTER TYPE "public"."notify_verdict" ADD VALUE 'BAD_BODY';--> statement-breakpoint
ALTER TYPE "public"."notify_verdict" ADD VALUE 'BODY_TOO_LARGE';--> statement-breakpoint
ALTER TYPE "public"."notify_verdict" ADD VALUE 'BAD_SIGNATURE';--> statement-breakpoint
ALTER TYPE "public"."notify_verdict" ADD VALUE 'UNKNOWN_SERIAL';--> statement-breakpoint
ALTER TYPE "public"."notify_verdict" ADD VALUE 'STALE_TIMESTAMP';--> statement-breakpoint
ALTER TYPE "public"."notify_verdict" ADD VALUE 'SIGNTEST_PROBE';--> statement-breakpoint
ALTER TYPE "public"."notify_verdict" ADD VALUE 'DECRYPT_FAILED';