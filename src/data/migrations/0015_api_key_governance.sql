-- Issue 13 item 4: per-key governance. Each API key carries its owner's settings (scopes, a model
-- allowlist, request/token limits, USD budgets), an expiry, and a rotation (the previous secret's
-- hash with the end of its grace period). Admins override settings per key (admin_settings) and
-- per user (api_key_user_overrides); the owner cannot change either.
ALTER TABLE api_keys ADD COLUMN settings jsonb NOT NULL DEFAULT '{}'::jsonb;
--> statement-breakpoint
ALTER TABLE api_keys ADD COLUMN admin_settings jsonb NOT NULL DEFAULT '{}'::jsonb;
--> statement-breakpoint
ALTER TABLE api_keys ADD COLUMN expires_at timestamp with time zone;
--> statement-breakpoint
ALTER TABLE api_keys ADD COLUMN rotated_at timestamp with time zone;
--> statement-breakpoint
ALTER TABLE api_keys ADD COLUMN previous_key_hash text;
--> statement-breakpoint
ALTER TABLE api_keys ADD COLUMN previous_key_expires_at timestamp with time zone;
--> statement-breakpoint
CREATE UNIQUE INDEX api_keys_previous_hash_key ON api_keys USING btree (previous_key_hash) WHERE previous_key_hash IS NOT NULL;
--> statement-breakpoint
-- A rotation replaces the hash (the old one moves to previous_key_hash for its grace period).
GRANT UPDATE (key_hash, prefix, settings, admin_settings, expires_at, rotated_at, previous_key_hash, previous_key_expires_at) ON api_keys TO optimaliq_app;
--> statement-breakpoint
-- Only an admin changes admin_settings under RLS (the owner may change the rest of their key).
CREATE OR REPLACE FUNCTION public.optimaliq_guard_api_key_admin_settings() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF NOT optimaliq_is_admin() AND NEW.admin_settings IS DISTINCT FROM OLD.admin_settings THEN
    RAISE EXCEPTION 'only an admin can change an API key''s overrides' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $f$;
--> statement-breakpoint
-- Server-side writes (as the owner) skip the check entirely.
CREATE TRIGGER api_keys_guard_admin_settings BEFORE UPDATE ON api_keys
  FOR EACH ROW WHEN (current_user = 'optimaliq_app') EXECUTE FUNCTION optimaliq_guard_api_key_admin_settings();
--> statement-breakpoint
-- An admin's overrides for every key of one user.
CREATE TABLE api_key_user_overrides (
  user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_by uuid,
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
--> statement-breakpoint
ALTER TABLE api_key_user_overrides ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON api_key_user_overrides TO optimaliq_app;
--> statement-breakpoint
-- The user reads their own (GET /api/keys shows why a key is limited); only admins write.
CREATE POLICY api_key_user_overrides_select ON api_key_user_overrides FOR SELECT TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint
CREATE POLICY api_key_user_overrides_write ON api_key_user_overrides FOR ALL TO optimaliq_app
  USING (optimaliq_is_admin()) WITH CHECK (optimaliq_is_admin());
--> statement-breakpoint
-- Requests, tokens and cost per API key per UTC day (per-key budgets and GET /api/keys), kept equal
-- to a GROUP BY over ai_log by its own statement-level triggers (beside the 0004/0005 rollups,
-- which stay as they are). Server-side only: RLS on, no grants.
CREATE TABLE ai_log_key_daily (
  day timestamp with time zone NOT NULL,
  api_key_id uuid NOT NULL,
  requests integer NOT NULL,
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  cost_usd numeric NOT NULL,
  CONSTRAINT ai_log_key_daily_pk PRIMARY KEY (api_key_id, day)
);
--> statement-breakpoint
ALTER TABLE ai_log_key_daily ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE FUNCTION ai_log_key_daily_apply() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
DECLARE
  changed text := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.* FROM new_rows n'
    WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.* FROM old_rows o'
    ELSE 'SELECT -1 AS sign, o.* FROM old_rows o UNION ALL SELECT 1 AS sign, n.* FROM new_rows n'
  END;
BEGIN
  EXECUTE format($q$
  INSERT INTO ai_log_key_daily AS r (api_key_id, day, requests, input_tokens, output_tokens, cost_usd)
  SELECT c.api_key_id, date_bin(interval '1 day', c.created_at, '2000-01-01 00:00:00+00'), sum(c.sign),
    coalesce(sum(c.sign * c.input_tokens), 0), coalesce(sum(c.sign * c.output_tokens), 0), coalesce(sum(c.sign * c.cost_usd), 0)
  FROM (%1$s) c
  WHERE c.api_key_id IS NOT NULL
  GROUP BY 1, 2
  ORDER BY 1, 2
  ON CONFLICT (api_key_id, day) DO UPDATE SET requests = r.requests + excluded.requests,
    input_tokens = r.input_tokens + excluded.input_tokens, output_tokens = r.output_tokens + excluded.output_tokens,
    cost_usd = r.cost_usd + excluded.cost_usd
  $q$, changed);
  RETURN NULL;
END $f$;
--> statement-breakpoint
CREATE TRIGGER ai_log_key_daily_insert AFTER INSERT ON ai_log REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ai_log_key_daily_apply();
--> statement-breakpoint
CREATE TRIGGER ai_log_key_daily_delete AFTER DELETE ON ai_log REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ai_log_key_daily_apply();
--> statement-breakpoint
CREATE TRIGGER ai_log_key_daily_update AFTER UPDATE ON ai_log REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ai_log_key_daily_apply();
--> statement-breakpoint
-- TRUNCATE ai_log fires no row or DELETE trigger: empty this rollup with it.
CREATE FUNCTION ai_log_key_daily_truncate() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
BEGIN
  TRUNCATE ai_log_key_daily;
  RETURN NULL;
END $f$;
--> statement-breakpoint
CREATE TRIGGER ai_log_key_daily_truncate AFTER TRUNCATE ON ai_log FOR EACH STATEMENT EXECUTE FUNCTION ai_log_key_daily_truncate();
--> statement-breakpoint
-- Recompute from ai_log (the backfill below, and the repair after a restore with triggers off).
CREATE FUNCTION ai_log_key_daily_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
BEGIN
  LOCK TABLE ai_log IN SHARE MODE;
  TRUNCATE ai_log_key_daily;
  INSERT INTO ai_log_key_daily (api_key_id, day, requests, input_tokens, output_tokens, cost_usd)
  SELECT c.api_key_id, date_bin(interval '1 day', c.created_at, '2000-01-01 00:00:00+00'), count(*),
    coalesce(sum(c.input_tokens), 0), coalesce(sum(c.output_tokens), 0), coalesce(sum(c.cost_usd), 0)
  FROM ai_log c WHERE c.api_key_id IS NOT NULL
  GROUP BY 1, 2;
END $f$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION ai_log_key_daily_rebuild() FROM PUBLIC;
--> statement-breakpoint
SELECT ai_log_key_daily_rebuild();
