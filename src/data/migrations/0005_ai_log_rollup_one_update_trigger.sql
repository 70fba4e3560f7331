-- One trigger per statement kind, and an UPDATE applied as one net change. Before, an UPDATE ran
-- two triggers (new rows in, then old rows out), each upserting in key order but the two together
-- not: two UPDATEs moving rows between the same hours in opposite directions could lock the rollup
-- rows in opposite orders and deadlock. Now every statement's rows, signed (+1 added, -1 taken
-- away), go through one upsert per rollup table in key order. The transition tables are named per
-- trigger, so the function reads them through EXECUTE (planned per statement, not per row).
CREATE OR REPLACE FUNCTION ai_log_rollup_apply() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
DECLARE
  changed text := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.* FROM new_rows n'
    WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.* FROM old_rows o'
    ELSE 'SELECT -1 AS sign, o.* FROM old_rows o UNION ALL SELECT 1 AS sign, n.* FROM new_rows n'
  END;
BEGIN
  EXECUTE format($q$
  INSERT INTO ai_log_rollup AS r (grain, period_start, provider, model, feature, requests, ok, fallback, cached, input_tokens, output_tokens, cost_usd, latency_histogram)
  SELECT grain, period_start, provider, model, feature, sum(requests), sum(ok), sum(fallback), sum(cached), sum(input_tokens), sum(output_tokens), sum(cost_usd),
    ai_latency_histogram(bucket, requests)
  FROM (
    SELECT g.grain, date_bin(g.width, c.created_at, '2000-01-01 00:00:00+00') AS period_start, c.provider, c.model, c.feature, ai_latency_bucket(c.latency_ms) AS bucket,
      sum(c.sign) AS requests, coalesce(sum(c.sign) FILTER (WHERE c.status = 'ok'), 0) AS ok,
      coalesce(sum(c.sign) FILTER (WHERE c.fallback_used), 0) AS fallback, coalesce(sum(c.sign) FILTER (WHERE c.cache_hit), 0) AS cached,
      coalesce(sum(c.sign * c.input_tokens), 0) AS input_tokens, coalesce(sum(c.sign * c.output_tokens), 0) AS output_tokens,
      coalesce(sum(c.sign * c.cost_usd), 0) AS cost_usd
    FROM (%1$s) c CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) AS g(grain, width)
    GROUP BY 1, 2, 3, 4, 5, 6
  ) s
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (grain, period_start, provider, model, feature) DO UPDATE SET
    requests = r.requests + excluded.requests, ok = r.ok + excluded.ok, fallback = r.fallback + excluded.fallback, cached = r.cached + excluded.cached,
    input_tokens = r.input_tokens + excluded.input_tokens, output_tokens = r.output_tokens + excluded.output_tokens, cost_usd = r.cost_usd + excluded.cost_usd,
    latency_histogram = ai_latency_histogram_add(r.latency_histogram, excluded.latency_histogram)
  $q$, changed);

  EXECUTE format($q$
  INSERT INTO ai_log_error_rollup AS r (grain, period_start, provider, error_class, errors)
  SELECT g.grain, date_bin(g.width, c.created_at, '2000-01-01 00:00:00+00'), c.provider, c.error_class, sum(c.sign)
  FROM (%1$s) c CROSS JOIN (VALUES ('hour', interval '1 hour'), ('day', interval '1 day')) AS g(grain, width)
  WHERE c.status = 'error'
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (grain, period_start, provider, error_class) DO UPDATE SET errors = r.errors + excluded.errors
  $q$, changed);

  -- Taking away skips users already gone: deleting a user removes their rows here (foreign key)
  -- and sets ai_log.user_id to null in the same statement.
  EXECUTE format($q$
  INSERT INTO ai_log_user_daily AS r (day, user_id, requests, cost_usd)
  SELECT date_bin(interval '1 day', c.created_at, '2000-01-01 00:00:00+00'), c.user_id, sum(c.sign), coalesce(sum(c.sign * c.cost_usd), 0)
  FROM (%1$s) c
  WHERE c.user_id IS NOT NULL AND (c.sign > 0 OR EXISTS (SELECT 1 FROM users u WHERE u.id = c.user_id))
  GROUP BY 1, 2
  ORDER BY 1, 2
  ON CONFLICT (day, user_id) DO UPDATE SET requests = r.requests + excluded.requests, cost_usd = r.cost_usd + excluded.cost_usd
  $q$, changed);
  RETURN NULL;
END $f$;
--> statement-breakpoint
DROP TRIGGER ai_log_rollup_insert ON ai_log;
--> statement-breakpoint
DROP TRIGGER ai_log_rollup_delete ON ai_log;
--> statement-breakpoint
DROP TRIGGER ai_log_rollup_update_old ON ai_log;
--> statement-breakpoint
DROP TRIGGER ai_log_rollup_update_new ON ai_log;
--> statement-breakpoint
CREATE TRIGGER ai_log_rollup_insert AFTER INSERT ON ai_log REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ai_log_rollup_apply();
--> statement-breakpoint
CREATE TRIGGER ai_log_rollup_delete AFTER DELETE ON ai_log REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ai_log_rollup_apply();
--> statement-breakpoint
CREATE TRIGGER ai_log_rollup_update AFTER UPDATE ON ai_log REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ai_log_rollup_apply();
