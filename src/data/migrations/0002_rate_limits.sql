CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" bigint
);
--> statement-breakpoint
-- Server-side only: no grants to the app role.
ALTER TABLE "rate_limits" ENABLE ROW LEVEL SECURITY;
