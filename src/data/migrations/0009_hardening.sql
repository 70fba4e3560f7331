-- Issue 17: the AI ledger is written only by the server's own role (the gateway's ledger writes as
-- the owner); users under RLS may no longer insert ai_log rows, not even their own: a row with a
-- negative cost would lower their own and the global budget.
DROP POLICY IF EXISTS ai_log_insert ON ai_log;
--> statement-breakpoint
REVOKE INSERT ON ai_log FROM optimaliq_app;
--> statement-breakpoint
-- Costs, token counts and latencies are never negative. NOT VALID: enforced for every new row
-- without failing the migration on a database that already holds a forged one (find them with
-- `select * from ai_log where cost_usd < 0`, delete, then VALIDATE CONSTRAINT).
ALTER TABLE ai_log ADD CONSTRAINT ai_log_cost_usd_nonnegative CHECK (cost_usd IS NULL OR cost_usd >= 0) NOT VALID;
--> statement-breakpoint
ALTER TABLE ai_log ADD CONSTRAINT ai_log_tokens_nonnegative CHECK ((input_tokens IS NULL OR input_tokens >= 0) AND (output_tokens IS NULL OR output_tokens >= 0)) NOT VALID;
--> statement-breakpoint
ALTER TABLE ai_log ADD CONSTRAINT ai_log_latency_nonnegative CHECK (latency_ms IS NULL OR latency_ms >= 0) NOT VALID;
