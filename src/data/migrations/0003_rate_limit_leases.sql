ALTER TABLE "rate_limits" ADD COLUMN "leased" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Take points from several counters at once, all or nothing (src/ai/limits/counters.ts). Per key:
-- `need` points for this request, up to `extra` more as a lease for the calling process (only while
-- the window keeps `min_room` spare after this request, and never more than 1/`share` of what is
-- spare, so leases shrink to nothing near the limit), `back`/`unleased` for what the caller gives
-- back of its previous lease and corrections (applied only to the window `pexp` they belong to).
-- A missing or expired counter starts a new window of `duration` ms. Rows are locked in key order
-- (callers pass keys sorted and distinct), so two callers never deadlock.
CREATE OR REPLACE FUNCTION rate_limit_take(
  p_keys text[], p_need integer[], p_extra integer[], p_max integer[], p_duration bigint[],
  p_back integer[], p_unleased integer[], p_pexp bigint[],
  p_now bigint, p_min_room integer, p_share integer)
RETURNS TABLE (o_key text, o_points integer, o_expire bigint, o_leased integer, o_granted integer, o_fits boolean)
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rate_limits AS r (key, points, expire, leased)
    SELECT t.k, 0, p_now + t.d, 0 FROM unnest(p_keys, p_duration) AS t(k, d) ORDER BY t.k
  ON CONFLICT (key) DO UPDATE SET points = 0, leased = 0, expire = EXCLUDED.expire
    WHERE r.expire IS NULL OR r.expire <= p_now;

  RETURN QUERY
  WITH t AS (
    SELECT * FROM unnest(p_keys, p_need, p_extra, p_max, p_back, p_unleased, p_pexp) AS t(k, need, extra, mx, back, unleased, pexp)
  ), c AS (
    SELECT t.k, greatest(0, r.points - CASE WHEN r.expire = t.pexp THEN t.back ELSE 0 END) AS base,
           CASE WHEN r.expire = t.pexp THEN t.unleased ELSE 0 END AS unleased, t.need, t.extra, t.mx
      FROM rate_limits r JOIN t ON r.key = t.k
  ), verdict AS (
    SELECT bool_and(c.base + c.need <= c.mx) AS all_fit FROM c
  ), g AS (
    SELECT c.k, c.base, c.unleased, c.base + c.need <= c.mx AS fits,
           CASE WHEN v.all_fit THEN c.need ELSE 0 END AS take,
           CASE WHEN v.all_fit AND c.mx - c.base - c.need >= p_min_room
                THEN greatest(0, least(c.extra, (c.mx - c.base - c.need) / p_share)) ELSE 0 END AS lease
      FROM c CROSS JOIN verdict v
  )
  UPDATE rate_limits r
     SET points = g.base + g.take + g.lease, leased = greatest(0, r.leased - g.unleased) + g.lease
    FROM g WHERE r.key = g.k
  RETURNING r.key, r.points, r.expire, r.leased, g.lease, g.fits;
END $$;
--> statement-breakpoint
-- Give back unused leased points and apply corrections (settled token counts) on live windows:
-- `points` and `leased` deltas per key, each only on the window `pexp` it belongs to.
CREATE OR REPLACE FUNCTION rate_limit_give(p_keys text[], p_points integer[], p_leased integer[], p_pexp bigint[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM rate_limits r WHERE r.key = ANY(p_keys) ORDER BY r.key FOR UPDATE;
  UPDATE rate_limits r
     SET points = greatest(0, r.points + t.dp), leased = greatest(0, r.leased + t.dl)
    FROM unnest(p_keys, p_points, p_leased, p_pexp) AS t(k, dp, dl, pexp)
   WHERE r.key = t.k AND r.expire = t.pexp;
END $$;
--> statement-breakpoint
-- Server-side only, like the table.
REVOKE ALL ON FUNCTION rate_limit_take(text[], integer[], integer[], integer[], bigint[], integer[], integer[], bigint[], bigint, integer, integer) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION rate_limit_give(text[], integer[], integer[], bigint[]) FROM PUBLIC;
