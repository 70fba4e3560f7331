-- Row-level security as Supabase does it. Each request runs in a transaction that does
-- set_config('role', 'optimaliq_app', true) and set_config('request.jwt.claims', <json>, true);
-- policies read the claims through auth.uid() / auth.role(). Server-side writes of computed
-- values (scores, ledger batches) run as the owner, outside these policies.

-- Roles are cluster-wide: create idempotently, and tolerate a concurrent creator.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'optimaliq_app') THEN
    CREATE ROLE optimaliq_app NOLOGIN NOINHERIT;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END $$;
--> statement-breakpoint
CREATE SCHEMA IF NOT EXISTS auth;
--> statement-breakpoint
-- On Supabase these functions exist already (same claims, same meaning): keep theirs.
DO $$
BEGIN
  IF to_regprocedure('auth.jwt()') IS NULL THEN
    CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS
      $f$ SELECT coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb) $f$;
  END IF;
  IF to_regprocedure('auth.uid()') IS NULL THEN
    CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS
      $f$ SELECT nullif(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', '')::uuid $f$;
  END IF;
  IF to_regprocedure('auth.role()') IS NULL THEN
    CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS
      $f$ SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role' $f$;
  END IF;
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO optimaliq_app;
--> statement-breakpoint
GRANT USAGE ON SCHEMA auth TO optimaliq_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.jwt() TO optimaliq_app;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO optimaliq_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.optimaliq_is_admin() RETURNS boolean LANGUAGE sql STABLE AS
  $f$ SELECT coalesce(auth.role() = 'admin', false) $f$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.optimaliq_is_admin() TO optimaliq_app;
--> statement-breakpoint

-- users: own row or admin; only an admin may change role or tier; sign-up runs as the owner.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, DELETE ON users TO optimaliq_app;
--> statement-breakpoint
GRANT UPDATE (email, name, password_hash, role, tier, updated_at) ON users TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY users_select ON users FOR SELECT TO optimaliq_app
  USING (id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint
CREATE POLICY users_update ON users FOR UPDATE TO optimaliq_app
  USING (id = auth.uid() OR optimaliq_is_admin()) WITH CHECK (id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint
CREATE POLICY users_delete ON users FOR DELETE TO optimaliq_app
  USING (id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.optimaliq_guard_user_privileges() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF current_user = 'optimaliq_app' AND NOT optimaliq_is_admin()
     AND (NEW.role IS DISTINCT FROM OLD.role OR NEW.tier IS DISTINCT FROM OLD.tier) THEN
    RAISE EXCEPTION 'only an admin can change a role or tier' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $f$;
--> statement-breakpoint
CREATE TRIGGER users_guard_privileges BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION optimaliq_guard_user_privileges();
--> statement-breakpoint

-- profiles: own row or admin; every *_score and *_last_taken column is written by the server only.
ALTER TABLE profiles ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON profiles TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY profiles_all ON profiles FOR ALL TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin()) WITH CHECK (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.optimaliq_guard_computed_columns() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  new_row jsonb := to_jsonb(NEW);
  old_row jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) ELSE '{}'::jsonb END;
  col text;
BEGIN
  IF current_user <> 'optimaliq_app' THEN
    RETURN NEW;
  END IF;
  FOR col IN SELECT key FROM jsonb_each(new_row) WHERE key LIKE '%\_score' OR key LIKE '%\_last\_taken' LOOP
    IF (new_row -> col) IS DISTINCT FROM coalesce(old_row -> col, 'null'::jsonb) THEN
      RAISE EXCEPTION 'column % is computed by the server and cannot be changed', col USING ERRCODE = '42501';
    END IF;
  END LOOP;
  IF TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id THEN
    RAISE EXCEPTION 'a profile cannot change owner' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $f$;
--> statement-breakpoint
CREATE TRIGGER profiles_guard_computed BEFORE INSERT OR UPDATE ON profiles
  FOR EACH ROW EXECUTE FUNCTION optimaliq_guard_computed_columns();
--> statement-breakpoint

-- Assessment history and growth assessments: read own (admins all); written by the server.
ALTER TABLE assessment_submissions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON assessment_submissions TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY assessment_submissions_select ON assessment_submissions FOR SELECT TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint
ALTER TABLE growth_assessments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON growth_assessments TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY growth_assessments_select ON growth_assessments FOR SELECT TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint

-- ai_log: append-only for users (their own rows), readable by admins only.
ALTER TABLE ai_log ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT ON ai_log TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY ai_log_insert ON ai_log FOR INSERT TO optimaliq_app
  WITH CHECK (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint
CREATE POLICY ai_log_select ON ai_log FOR SELECT TO optimaliq_app USING (optimaliq_is_admin());
--> statement-breakpoint

-- ai_cache: server only (no grants).
ALTER TABLE ai_cache ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint

-- api_keys: own keys (admins all); the hash never changes after creation.
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT ON api_keys TO optimaliq_app;
--> statement-breakpoint
GRANT UPDATE (name, last_used_at, revoked_at) ON api_keys TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY api_keys_all ON api_keys FOR ALL TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin()) WITH CHECK (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint

-- events: a user reads their own user-audience events; admins read everything.
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT ON events TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY events_select ON events FOR SELECT TO optimaliq_app
  USING ((user_id = auth.uid() AND audience = 'user') OR optimaliq_is_admin());
--> statement-breakpoint
CREATE POLICY events_insert ON events FOR INSERT TO optimaliq_app
  WITH CHECK ((user_id = auth.uid() AND audience = 'user') OR optimaliq_is_admin());
--> statement-breakpoint

-- revoked_tokens and admin_audit_log: server writes; admins read the audit log.
ALTER TABLE revoked_tokens ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE admin_audit_log ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT ON admin_audit_log TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY admin_audit_log_select ON admin_audit_log FOR SELECT TO optimaliq_app USING (optimaliq_is_admin());
--> statement-breakpoint
CREATE POLICY admin_audit_log_insert ON admin_audit_log FOR INSERT TO optimaliq_app WITH CHECK (optimaliq_is_admin());
--> statement-breakpoint

-- ai_tasks: the owner (and admins) read their tasks; the server writes status.
ALTER TABLE ai_tasks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON ai_tasks TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY ai_tasks_select ON ai_tasks FOR SELECT TO optimaliq_app USING (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint

-- Governance tables: admins only.
ALTER TABLE model_versions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE experiments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alert_rules ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE provider_status_history ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON model_versions, experiments, alert_rules, alerts TO optimaliq_app;
--> statement-breakpoint
GRANT SELECT ON provider_status_history TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY model_versions_admin ON model_versions FOR ALL TO optimaliq_app USING (optimaliq_is_admin()) WITH CHECK (optimaliq_is_admin());
--> statement-breakpoint
CREATE POLICY experiments_admin ON experiments FOR ALL TO optimaliq_app USING (optimaliq_is_admin()) WITH CHECK (optimaliq_is_admin());
--> statement-breakpoint
CREATE POLICY alert_rules_admin ON alert_rules FOR ALL TO optimaliq_app USING (optimaliq_is_admin()) WITH CHECK (optimaliq_is_admin());
--> statement-breakpoint
CREATE POLICY alerts_admin ON alerts FOR ALL TO optimaliq_app USING (optimaliq_is_admin()) WITH CHECK (optimaliq_is_admin());
--> statement-breakpoint
CREATE POLICY provider_status_history_admin ON provider_status_history FOR SELECT TO optimaliq_app USING (optimaliq_is_admin());
--> statement-breakpoint

-- ai_feedback: a user rates their own answers; admins read all.
ALTER TABLE ai_feedback ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE (rating, comment) ON ai_feedback TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY ai_feedback_own ON ai_feedback FOR ALL TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin()) WITH CHECK (user_id = auth.uid());
--> statement-breakpoint

-- Per-user AI products: read own (admins all); levers' progress and simulations are the user's to write.
ALTER TABLE growth_levers ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, UPDATE (progress) ON growth_levers TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY growth_levers_own ON growth_levers FOR ALL TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin()) WITH CHECK (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint
ALTER TABLE simulations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE (commentary) ON simulations TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY simulations_own ON simulations FOR ALL TO optimaliq_app
  USING (user_id = auth.uid() OR optimaliq_is_admin()) WITH CHECK (user_id = auth.uid());
--> statement-breakpoint
ALTER TABLE dashboards ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON dashboards TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY dashboards_own ON dashboards FOR SELECT TO optimaliq_app USING (user_id = auth.uid() OR optimaliq_is_admin());
--> statement-breakpoint
ALTER TABLE assessment_analyses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON assessment_analyses TO optimaliq_app;
--> statement-breakpoint
CREATE POLICY assessment_analyses_own ON assessment_analyses FOR SELECT TO optimaliq_app USING (user_id = auth.uid() OR optimaliq_is_admin());
