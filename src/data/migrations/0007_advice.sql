-- Issue 15 (advice): levers keep their identity across regenerations; the assessment funnel.

-- A lever's stable key (area + title slug), the lever whose progress it carried over, and when a
-- newer set replaced it (archived levers with progress stay visible as such).
ALTER TABLE growth_levers ADD COLUMN IF NOT EXISTS lever_key text;
--> statement-breakpoint
ALTER TABLE growth_levers ADD COLUMN IF NOT EXISTS carried_from uuid;
--> statement-breakpoint
ALTER TABLE growth_levers ADD COLUMN IF NOT EXISTS archived_at timestamptz;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS growth_levers_user_key_idx ON growth_levers (user_id, lever_key);
--> statement-breakpoint

-- One row per attempt at a deep assessment: opened when the user first fetches its questions,
-- completed by the submission. At most one open attempt per user and assessment.
CREATE TABLE IF NOT EXISTS assessment_attempts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  submission_id uuid,
  CHECK (completed_at IS NULL OR completed_at >= started_at)
);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS assessment_attempts_one_open_key ON assessment_attempts (user_id, type) WHERE completed_at IS NULL;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS assessment_attempts_type_idx ON assessment_attempts (type, started_at);
--> statement-breakpoint
-- Written by the server (as the owner) when questions are served and answers recorded; users read their own.
ALTER TABLE assessment_attempts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON assessment_attempts TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY assessment_attempts_own ON assessment_attempts FOR SELECT TO optimaliq_app USING (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint
-- ai_feedback is read per feature by admins joined to ai_log.
CREATE INDEX IF NOT EXISTS ai_feedback_created_idx ON ai_feedback (created_at);
