-- Issue 13: gateway routes and their strategies, editable by admins at run time. Each process polls
-- this table (AI_ROUTES_POLL_MS) and lays these routes over the OPTIMALIQ_CONFIG file's; the
-- definition is the JSON the admin API validated (contracts/routing.ts). Admins only under RLS; the
-- gateway reads as the owner.
CREATE TABLE IF NOT EXISTS ai_routes (
  name text PRIMARY KEY,
  definition jsonb NOT NULL,
  updated_by uuid REFERENCES users(id) ON DELETE SET NULL,
  updated_at timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT ai_routes_definition_object CHECK (jsonb_typeof(definition) = 'object')
);
--> statement-breakpoint
ALTER TABLE ai_routes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ai_routes TO optimaliq_app;
--> statement-breakpoint
DROP POLICY IF EXISTS ai_routes_admin ON ai_routes;
--> statement-breakpoint
CREATE POLICY ai_routes_admin ON ai_routes FOR ALL TO optimaliq_app USING (optimaliq_is_admin()) WITH CHECK (optimaliq_is_admin());
