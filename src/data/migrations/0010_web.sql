-- Web app (issue 16): saved strategy plans (the planner modal), and alert acknowledgement.
CREATE TABLE "strategy_plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
	"title" text NOT NULL,
	"items" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "strategy_plans_user_idx" ON "strategy_plans" USING btree ("user_id", "updated_at");
--> statement-breakpoint
ALTER TABLE strategy_plans ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON strategy_plans TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY strategy_plans_own ON strategy_plans FOR ALL TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin()) WITH CHECK (user_id = auth.uid());
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "acknowledged_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "acknowledged_by" uuid REFERENCES "users"("id") ON DELETE SET NULL;
