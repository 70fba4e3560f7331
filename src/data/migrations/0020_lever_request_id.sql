-- Issue 16. Thumbs per growth lever: the request id of the AI answer (ai_log.request_id) that
-- produced each stored set of levers, so a lever can be rated (POST /api/ai/answers/:requestId/
-- feedback, item "levers.<id>") while the set outlives the answer. Null for sets stored before.
ALTER TABLE growth_levers ADD COLUMN IF NOT EXISTS request_id text;
