-- Issue 16. A password change ends the user's other sessions: tokens issued before
-- tokens_valid_after (seconds, as a token's iat) are refused (src/auth/service.ts); the session
-- that changed it is issued a new token. Written by the server (as the owner) only.
ALTER TABLE users ADD COLUMN IF NOT EXISTS tokens_valid_after timestamp with time zone;
--> statement-breakpoint
-- Thumbs per item of an answer ("roadmap.2", "strengths.0", "levers.<id>"); '' rates the whole
-- answer. One rating per user, answer and item.
ALTER TABLE ai_feedback ADD COLUMN IF NOT EXISTS item text DEFAULT '' NOT NULL;
--> statement-breakpoint
DROP INDEX IF EXISTS ai_feedback_request_user_key;
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS ai_feedback_request_user_item_key ON ai_feedback (request_id, user_id, item);
