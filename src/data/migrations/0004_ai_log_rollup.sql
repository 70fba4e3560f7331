CREATE TABLE "ai_log_error_rollup" (
	"grain" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"provider" text,
	"error_class" text,
	"errors" integer NOT NULL,
	CONSTRAINT "ai_log_error_rollup_key" UNIQUE NULLS NOT DISTINCT("grain","period_start","provider","error_class"),
	CONSTRAINT "ai_log_error_rollup_grain_check" CHECK ("ai_log_error_rollup"."grain" in ('hour', 'day'))
);
--> statement-breakpoint
CREATE TABLE "ai_log_rollup" (
	"grain" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"provider" text,
	"model" text,
	"feature" text,
	"requests" integer NOT NULL,
	"ok" integer NOT NULL,
	"fallback" integer NOT NULL,
	"cached" integer NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"cost_usd" numeric NOT NULL,
	"latency_histogram" integer[] NOT NULL,
	CONSTRAINT "ai_log_rollup_key" UNIQUE NULLS NOT DISTINCT("grain","period_start","provider","model","feature"),
	CONSTRAINT "ai_log_rollup_grain_check" CHECK ("ai_log_rollup"."grain" in ('hour', 'day'))
);
--> statement-breakpoint
CREATE TABLE "ai_log_user_daily" (
	"day" timestamp with time zone NOT NULL,
	"user_id" uuid NOT NULL,
	"requests" integer NOT NULL,
	"cost_usd" numeric NOT NULL,
	CONSTRAINT "ai_log_user_daily_day_user_id_pk" PRIMARY KEY("day","user_id")
);
--> statement-breakpoint
ALTER TABLE "ai_log_user_daily" ADD CONSTRAINT "ai_log_user_daily_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ai_log_user_daily_user_idx" ON "ai_log_user_daily" USING btree ("user_id");--> statement-breakpoint

-- The monitoring rollups: ai_log summed per UTC hour and day (and per user per day), kept equal to
-- a GROUP BY over ai_log by statement-level triggers, so long monitoring windows read a few
-- thousand rollup rows instead of every request. See docs/governance.md, "Monitoring".

-- Latency buckets, log-spaced four to a doubling: bucket 0 holds 0 ms; bucket i (1..80) holds
-- [2^((i-1)/4), 2^(i/4)) ms; bucket 81 everything from 2^20 ms (about 17.5 minutes) up.
-- (The epsilon keeps exact powers of two in their own bucket; checked for every integer to 2^20.)
CREATE FUNCTION ai_latency_bucket(ms integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  $f$ SELECT CASE WHEN ms IS NULL THEN NULL WHEN ms <= 0 THEN 0 ELSE least(81, 1 + floor(4 * ln(ms) / ln(2) + 1e-9)::integer) END $f$;
--> statement-breakpoint
-- The value a bucket stands for: its geometric midpoint, within 2^(1/8) - 1 (9.05 %) of any
-- latency in it (bucket 0 is exact; bucket 81 reports its lower bound).
CREATE FUNCTION ai_latency_bucket_ms(bucket integer) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  $f$ SELECT CASE WHEN bucket IS NULL THEN NULL WHEN bucket <= 0 THEN 0 WHEN bucket >= 81 THEN 1048576 ELSE power(2, (bucket - 0.5) / 4) END $f$;
--> statement-breakpoint
-- A histogram is an integer[] indexed by bucket, stored from its lowest occupied bucket
-- (array lower bound = that bucket), so a row holds only the span of latencies it saw.
CREATE FUNCTION ai_latency_histogram_step(h integer[], bucket integer, n bigint) RETURNS integer[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $f$
BEGIN
  IF bucket IS NOT NULL AND n <> 0 THEN
    h[bucket] := coalesce(h[bucket], 0) + n;
  END IF;
  RETURN h;
END $f$;
--> statement-breakpoint
CREATE FUNCTION ai_latency_histogram_final(h integer[]) RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
  $f$ SELECT array_replace(h, NULL, 0) $f$;
--> statement-breakpoint
-- ai_latency_histogram(bucket, count): the histogram of (bucket, count) pairs (counts may be negative).
CREATE AGGREGATE ai_latency_histogram(integer, bigint) (
  SFUNC = ai_latency_histogram_step, STYPE = integer[], INITCOND = '{}', FINALFUNC = ai_latency_histogram_final
);
--> statement-breakpoint
-- Element-wise sum of two histograms (any bounds).
CREATE FUNCTION ai_latency_histogram_add(a integer[], b integer[]) RETURNS integer[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $f$
DECLARE i integer;
BEGIN
  IF coalesce(cardinality(b), 0) = 0 THEN RETURN a; END IF;
  IF coalesce(cardinality(a), 0) = 0 THEN RETURN b; END IF;
  FOR i IN least(array_lower(a, 1), array_lower(b, 1)) .. greatest(array_upper(a, 1), array_upper(b, 1)) LOOP
    a[i] := coalesce(a[i], 0) + coalesce(b[i], 0);
  END LOOP;
  RETURN a;
END $f$;
--> statement-breakpoint

-- Apply the rows of one statement to the rollups: `changed_rows` is the statement's transition
-- table (inserted rows, deleted rows, or an UPDATE's old and new rows through two triggers) and
-- TG_ARGV[0] the sign (+1 adds, -1 takes away). One upsert per rollup table, rows in key order so
-- concurrent statements lock them in the same order (no deadlock between ledger batches).
-- SECURITY DEFINER: the rollups are server-side tables; a caller allowed to insert into ai_log
-- (the app role) need not be allowed to write them.
CREATE FUNCTION ai_log_rollup_apply() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
DECLARE sign integer := TG_ARGV[0]::integer;
BEGIN
  INSERT INTO ai_log_rollup AS r (grain, period_start, provider, model, feature, requests, ok, fallback, cached, input_tokens, output_tokens, cost_usd, latency_histogram)
  SELECT grain, period_start, provider, model, feature, sum(requests), sum(ok), sum(fallback), sum(cached), sum(input_tokens), sum(output_tokens), sum(cost_usd),
    ai_latency_histogram(bucket, requests)
  FROM (
    SELECT g.grain, date_bin(g.width, c.created_at, '2000-01-01 00:00:00+00') AS period_start, c.provider, c.model, c.feature, ai_latency_bucket(c.latency_ms) AS bucket,
      sign * count(*) AS requests, sign * count(*) FILTER (WHERE c.status = 'ok') AS ok,
      sign * count(*) FILTER (WHERE c.fallback_used) AS fallback, sign * count(*) FILTER (WHERE c.cache_hit) AS cached,
      sign * coalesce(sum(c.input_tokens), 0) AS input_tokens, sign * coalesce(sum(c.output_tokens), 0) AS output_tokens,
      sign * coalesce(sum(c.cost_usd), 0) AS cost_usd
    FROM changed_rows c CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) AS g(grain, width)
    GROUP BY 1, 2, 3, 4, 5, 6
  ) s
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (grain, period_start, provider, model, feature) DO UPDATE SET
    requests = r.requests + excluded.requests, ok = r.ok + excluded.ok, fallback = r.fallback + excluded.fallback, cached = r.cached + excluded.cached,
    input_tokens = r.input_tokens + excluded.input_tokens, output_tokens = r.output_tokens + excluded.output_tokens, cost_usd = r.cost_usd + excluded.cost_usd,
    latency_histogram = ai_latency_histogram_add(r.latency_histogram, excluded.latency_histogram);

  INSERT INTO ai_log_error_rollup AS r (grain, period_start, provider, error_class, errors)
  SELECT g.grain, date_bin(g.width, c.created_at, '2000-01-01 00:00:00+00'), c.provider, c.error_class, sign * count(*)
  FROM changed_rows c CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) AS g(grain, width)
  WHERE c.status = 'error'
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (grain, period_start, provider, error_class) DO UPDATE SET errors = r.errors + excluded.errors;

  -- Taking away skips users already gone: deleting a user removes their rows here (foreign key)
  -- and sets ai_log.user_id to null in the same statement.
  INSERT INTO ai_log_user_daily AS r (day, user_id, requests, cost_usd)
  SELECT date_bin(interval '1 day', c.created_at, '2000-01-01 00:00:00+00'), c.user_id, sign * count(*), sign * coalesce(sum(c.cost_usd), 0)
  FROM changed_rows c
  WHERE c.user_id IS NOT NULL AND (sign > 0 OR EXISTS (SELECT 1 FROM users u WHERE u.id = c.user_id))
  GROUP BY 1, 2
  ORDER BY 1, 2
  ON CONFLICT (day, user_id) DO UPDATE SET requests = r.requests + excluded.requests, cost_usd = r.cost_usd + excluded.cost_usd;
  RETURN NULL;
END $f$;
--> statement-breakpoint
CREATE TRIGGER ai_log_rollup_insert AFTER INSERT ON ai_log REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ai_log_rollup_apply('1');
--> statement-breakpoint
CREATE TRIGGER ai_log_rollup_delete AFTER DELETE ON ai_log REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ai_log_rollup_apply('-1');
--> statement-breakpoint
-- Nothing updates ai_log today but the users foreign key (user_id set to null): an UPDATE takes
-- its old rows away and adds its new ones, so the rollups stay right whatever changes.
CREATE TRIGGER ai_log_rollup_update_old AFTER UPDATE ON ai_log REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ai_log_rollup_apply('-1');
--> statement-breakpoint
CREATE TRIGGER ai_log_rollup_update_new AFTER UPDATE ON ai_log REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ai_log_rollup_apply('1');
--> statement-breakpoint
-- Recompute every rollup from ai_log: the backfill below, and the repair after ai_log was
-- written with triggers off (a restore with session_replication_role = replica). Blocks writers
-- to ai_log meanwhile.
CREATE FUNCTION ai_log_rollup_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
BEGIN
  LOCK TABLE ai_log IN SHARE MODE;
  TRUNCATE ai_log_rollup, ai_log_error_rollup, ai_log_user_daily;
  INSERT INTO ai_log_rollup (grain, period_start, provider, model, feature, requests, ok, fallback, cached, input_tokens, output_tokens, cost_usd, latency_histogram)
  SELECT grain, period_start, provider, model, feature, sum(requests), sum(ok), sum(fallback), sum(cached), sum(input_tokens), sum(output_tokens), sum(cost_usd),
    ai_latency_histogram(bucket, requests)
  FROM (
    SELECT g.grain, date_bin(g.width, c.created_at, '2000-01-01 00:00:00+00') AS period_start, c.provider, c.model, c.feature, ai_latency_bucket(c.latency_ms) AS bucket,
      count(*) AS requests, count(*) FILTER (WHERE c.status = 'ok') AS ok, count(*) FILTER (WHERE c.fallback_used) AS fallback, count(*) FILTER (WHERE c.cache_hit) AS cached,
      coalesce(sum(c.input_tokens), 0) AS input_tokens, coalesce(sum(c.output_tokens), 0) AS output_tokens, coalesce(sum(c.cost_usd), 0) AS cost_usd
    FROM ai_log c CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) AS g(grain, width)
    GROUP BY 1, 2, 3, 4, 5, 6
  ) s
  GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO ai_log_error_rollup (grain, period_start, provider, error_class, errors)
  SELECT g.grain, date_bin(g.width, c.created_at, '2000-01-01 00:00:00+00'), c.provider, c.error_class, count(*)
  FROM ai_log c CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) AS g(grain, width)
  WHERE c.status = 'error'
  GROUP BY 1, 2, 3, 4;
  INSERT INTO ai_log_user_daily (day, user_id, requests, cost_usd)
  SELECT date_bin(interval '1 day', c.created_at, '2000-01-01 00:00:00+00'), c.user_id, count(*), coalesce(sum(c.cost_usd), 0)
  FROM ai_log c WHERE c.user_id IS NOT NULL
  GROUP BY 1, 2;
END $f$;
--> statement-breakpoint
-- SECURITY DEFINER and heavy: not for PUBLIC (on Supabase, public functions are RPC endpoints).
REVOKE ALL ON FUNCTION ai_log_rollup_rebuild() FROM PUBLIC;
--> statement-breakpoint
-- TRUNCATE ai_log fires no row or DELETE trigger: empty the rollups with it.
CREATE FUNCTION ai_log_rollup_truncate() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
BEGIN
  TRUNCATE ai_log_rollup, ai_log_error_rollup, ai_log_user_daily;
  RETURN NULL;
END $f$;
--> statement-breakpoint
CREATE TRIGGER ai_log_rollup_truncate AFTER TRUNCATE ON ai_log FOR EACH STATEMENT EXECUTE FUNCTION ai_log_rollup_truncate();
--> statement-breakpoint
-- Server-side only, like rate_limits: RLS on, no grants to the app role (admins read the
-- monitoring report through the server).
ALTER TABLE ai_log_rollup ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE ai_log_error_rollup ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE ai_log_user_daily ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Backfill from the ai_log rows already there.
SELECT ai_log_rollup_rebuild();
