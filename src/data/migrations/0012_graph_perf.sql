-- Similarity's bounded candidate search (docs/graph.md "Similarity", src/graph/similar.ts): each business
-- carries its score key (the mean of its scores in units of 1/10,000, integer arithmetic: graph/store.ts
-- `scoreKeyOf`), and candidates are read nearest-first from these indexes, tier by tier (same industry
-- and size band, same industry, everyone), so a query reads a bounded number of rows at any cohort size.
-- The score vector ({assessment: score}, a copy of the business's graph_scores rows kept by the same writes)
-- lets one index scan return candidates with their scores.
ALTER TABLE graph_businesses ADD COLUMN IF NOT EXISTS score_key integer;
--> statement-breakpoint
ALTER TABLE graph_businesses ADD COLUMN IF NOT EXISTS score_vector jsonb;
--> statement-breakpoint
UPDATE graph_businesses b SET score_key = k.key, score_vector = k.vector
FROM (
  SELECT business_id, (sum(floor(score * 100 + 0.5))::bigint * 100 / count(*))::int AS key,
    jsonb_object_agg(assessment, score) AS vector
  FROM graph_scores GROUP BY business_id
) k
WHERE b.id = k.business_id;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS graph_businesses_band_key_idx ON graph_businesses (demo, industry, size_band, score_key, id);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS graph_businesses_industry_key_idx ON graph_businesses (demo, industry, score_key, id);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS graph_businesses_key_idx ON graph_businesses (demo, score_key, id);
