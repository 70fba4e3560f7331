-- Issue 13: what the gateway's guardrails did for a request (redaction counts, prompt-injection
-- rules that fired, output checks; each with its action), null when none were configured.
ALTER TABLE ai_log ADD COLUMN IF NOT EXISTS guardrails jsonb;
