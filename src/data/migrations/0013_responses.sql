-- The Responses API's stored responses (`POST /v1/responses` with `store`, `GET /v1/responses/{id}`,
-- `previous_response_id`): one row per stored response, owned by the API key's user. `input` holds the
-- request's own input items (item references resolved), `output` its output items, so a chain of
-- `previous_response_id` rebuilds the conversation; `response` is the object `GET` returns.
-- Retention: AI_RESPONSES_RETENTION_DAYS (governance/privacy/retention.ts).
CREATE TABLE IF NOT EXISTS ai_responses (
  id text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  api_key_id uuid,
  previous_response_id text,
  model text NOT NULL,
  input jsonb NOT NULL,
  output jsonb NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS ai_responses_created_idx ON ai_responses (created_at);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS ai_responses_user_created_idx ON ai_responses (user_id, created_at);
--> statement-breakpoint
-- `item_reference` inputs name output items by id: `output @> '[{"id": …}]'`.
CREATE INDEX IF NOT EXISTS ai_responses_output_idx ON ai_responses USING gin (output jsonb_path_ops);
--> statement-breakpoint
ALTER TABLE ai_responses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON ai_responses TO optimaliq_app;
--> statement-breakpoint
-- A user reads, writes and deletes their own responses only; admins read all (the /v1 API itself
-- always runs under the key owner's user claims, so an admin's key sees its own responses too).
CREATE POLICY ai_responses_own ON ai_responses FOR ALL TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin()) WITH CHECK (user_id = auth.uid());
