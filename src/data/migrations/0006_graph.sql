-- The peer graph's SQL backend (src/graph/sql/, docs/graph.md) and the sync's bookkeeping.
-- graph_businesses: one anonymous node per business (a user's profile, or a synthetic demo business);
-- graph_scores: its current score per assessment (history stays in assessment_submissions).
CREATE TABLE IF NOT EXISTS graph_businesses (
  id uuid PRIMARY KEY,
  industry text,
  size_band text,
  revenue_band text,
  region text,
  demo boolean NOT NULL DEFAULT false,
  overall double precision,
  updated_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS graph_businesses_cohort_idx ON graph_businesses (demo, industry, size_band);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS graph_scores (
  business_id uuid NOT NULL REFERENCES graph_businesses (id) ON DELETE CASCADE,
  assessment text NOT NULL,
  score double precision NOT NULL CHECK (score >= 1 AND score <= 5),
  taken_at timestamptz NOT NULL,
  PRIMARY KEY (business_id, assessment)
);
--> statement-breakpoint
-- Similarity joins every business that took one of the caller's assessments.
CREATE INDEX IF NOT EXISTS graph_scores_assessment_idx ON graph_scores (assessment) INCLUDE (business_id, score);
--> statement-breakpoint
-- Which version of a profile the graph (SQL or Neo4j) holds: sync lag and drift are read from here.
CREATE TABLE IF NOT EXISTS graph_sync (
  business_id uuid PRIMARY KEY,
  source_updated_at timestamptz NOT NULL,
  synced_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
-- Server-side tables: the app role reads them only as an admin (the API serves aggregates, run as the owner).
ALTER TABLE graph_businesses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE graph_scores ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE graph_sync ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON graph_businesses, graph_scores, graph_sync TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY graph_businesses_select ON graph_businesses FOR SELECT TO optimaliq_app USING (optimaliq_is_admin());
--> statement-breakpoint
CREATE POLICY graph_scores_select ON graph_scores FOR SELECT TO optimaliq_app USING (optimaliq_is_admin());
--> statement-breakpoint
CREATE POLICY graph_sync_select ON graph_sync FOR SELECT TO optimaliq_app USING (optimaliq_is_admin());
