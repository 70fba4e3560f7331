CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" bigint
);
--> statement-breakpoint
-- Server-side only: no grants to the app role.
ALTER TABLE "rate_limits" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Counters need no WAL: a write commits without a disk flush, and after a crash the windows
-- simply restart (PostgreSQL empties unlogged tables on crash recovery).
ALTER TABLE "rate_limits" SET UNLOGGED;
