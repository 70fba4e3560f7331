-- The gateway's semantic cache (docs/gateway.md "Semantic cache", src/gateway/semantic-cache/): a prompt's
-- embedding and the answer it got, per tenant (the API key's owner, or the key; '' for routes that share
-- their cache) and scope (a hash of the route and every parameter but the messages: only prompts asked
-- the same way can stand in for each other). The embedding is little-endian float32, unit length, so
-- cosine similarity is a dot product. Lookups run in an in-process nearest-neighbour index per tenant and
-- scope, built from these rows at start and kept up to date by reading rows with a newer id.
CREATE TABLE IF NOT EXISTS ai_semantic_cache (
  id bigserial PRIMARY KEY,
  tenant text NOT NULL,
  scope text NOT NULL,
  embedding_model text NOT NULL,
  dimensions integer NOT NULL CHECK (dimensions > 0),
  embedding bytea NOT NULL CHECK (octet_length(embedding) = dimensions * 4),
  value jsonb NOT NULL,
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS ai_semantic_cache_model_idx ON ai_semantic_cache (embedding_model, dimensions, id);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS ai_semantic_cache_expires_idx ON ai_semantic_cache (expires_at);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS ai_semantic_cache_user_idx ON ai_semantic_cache (user_id);
--> statement-breakpoint
-- Server only, like ai_cache: no grants to the app role, so RLS (enabled, no policy) hides every row from it.
ALTER TABLE ai_semantic_cache ENABLE ROW LEVEL SECURITY;
