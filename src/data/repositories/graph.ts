import { asc, gt, inArray, sql } from 'drizzle-orm'
import { rows, type Executor } from '../db.ts'
import { profiles } from '../schema.ts'
import { numOrNull as num } from '../row-values.ts'
import { refreshScoreKeys } from './graph-similar.ts'

/**
 * The peer graph's SQL (the SQL GraphStore in src/graph/sql/ calls these; docs/graph.md). Tables from
 * migrations 0006 and 0012: graph_businesses, graph_scores, graph_sync. Every query stays inside one cohort
 * (`demo` equal to the caller's). Runs as the owner: the API shows only anonymous peers and aggregates.
 */

export type GraphBusinessRow = {
  id: string
  industry: string | null
  sizeBand: string | null
  revenueBand: string | null
  region: string | null
  demo: boolean
  overall: number | null
}
export type GraphScoreRow = { assessment: string; score: number; takenAt: Date }

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`

export async function upsertGraphBusinesses(db: Executor, businesses: GraphBusinessRow[]): Promise<void> {
  if (businesses.length === 0) return
  await db.execute(sql`
    insert into graph_businesses (id, industry, size_band, revenue_band, region, demo, overall, updated_at)
    select id, industry, size_band, revenue_band, region, demo, overall, now()
    from jsonb_to_recordset(${json(businesses.map((b) => ({ id: b.id, industry: b.industry, size_band: b.sizeBand, revenue_band: b.revenueBand, region: b.region, demo: b.demo, overall: b.overall })))})
      as x(id uuid, industry text, size_band text, revenue_band text, region text, demo boolean, overall float8)
    order by id
    on conflict (id) do update set industry = excluded.industry, size_band = excluded.size_band,
      revenue_band = excluded.revenue_band, region = excluded.region, demo = excluded.demo,
      overall = excluded.overall, updated_at = now()`)
}

/** Sets one current score unless a newer one is stored; creates a bare business when missing. */
export async function recordGraphScore(
  db: Executor,
  input: { businessId: string; assessment: string; score: number; takenAt: Date },
): Promise<void> {
  await db.execute(sql`insert into graph_businesses (id) values (${input.businessId}) on conflict (id) do nothing`)
  await db.execute(sql`
    insert into graph_scores (business_id, assessment, score, taken_at)
    values (${input.businessId}, ${input.assessment}, ${input.score}, ${input.takenAt.toISOString()})
    on conflict (business_id, assessment) do update set score = excluded.score, taken_at = excluded.taken_at
    where graph_scores.taken_at <= excluded.taken_at`)
  await refreshScoreKeys(db, [input.businessId])
}

/** Replaces the scores of these businesses with exactly the ones listed (in one statement pair), then their score keys. */
export async function replaceGraphScores(
  db: Executor,
  ids: string[],
  scores: Array<{ businessId: string; assessment: string; score: number; takenAt: Date }>,
): Promise<void> {
  if (ids.length === 0) return
  await db.execute(sql`
    delete from graph_scores g
    where g.business_id = any(array(select x::uuid from jsonb_array_elements_text(${json(ids)}) as x))
      and not exists (
        select 1 from jsonb_to_recordset(${json(scores.map((s) => ({ b: s.businessId, a: s.assessment })))}) as k(b uuid, a text)
        where k.b = g.business_id and k.a = g.assessment)`)
  if (scores.length > 0)
    await db.execute(sql`
    insert into graph_scores (business_id, assessment, score, taken_at)
    select b, a, s, t
    from jsonb_to_recordset(${json(scores.map((s) => ({ b: s.businessId, a: s.assessment, s: s.score, t: s.takenAt.toISOString() })))})
      as x(b uuid, a text, s float8, t timestamptz)
    order by b, a
    on conflict (business_id, assessment) do update set score = excluded.score, taken_at = excluded.taken_at`)
  await refreshScoreKeys(db, ids)
}

export async function deleteGraphBusiness(db: Executor, id: string): Promise<void> {
  await db.execute(sql`delete from graph_businesses where id = ${id}`)
}

export async function deleteGraphBusinesses(db: Executor, demo: boolean | undefined): Promise<void> {
  if (demo === undefined) await db.execute(sql`delete from graph_businesses`)
  else await db.execute(sql`delete from graph_businesses where demo = ${demo}`)
}

export async function getGraphBusiness(
  db: Executor,
  id: string,
): Promise<(GraphBusinessRow & { scores: GraphScoreRow[] }) | undefined> {
  const [b] = await listGraphBusinesses(db, [id])
  return b
}

/** Businesses with their scores, by id (missing ones absent), ordered by id. */
export async function listGraphBusinesses(
  db: Executor,
  ids: readonly string[],
): Promise<Array<GraphBusinessRow & { scores: GraphScoreRow[] }>> {
  if (ids.length === 0) return []
  const result = await rows<{
    id: string
    industry: string | null
    size_band: string | null
    revenue_band: string | null
    region: string | null
    demo: boolean
    overall: number | string | null
    scores: Array<{ a: string; s: number; t: string }> | null
  }>(
    db,
    sql`select b.id::text as id, b.industry, b.size_band, b.revenue_band, b.region, b.demo, b.overall,
          (select jsonb_agg(jsonb_build_object('a', s.assessment, 's', s.score, 't', s.taken_at) order by s.assessment)
             from graph_scores s where s.business_id = b.id) as scores
        from graph_businesses b
        where b.id = any(array(select x::uuid from jsonb_array_elements_text(${json(ids)}) as x))
        order by b.id`,
  )
  return result.map((r) => ({
    id: r.id,
    industry: r.industry,
    sizeBand: r.size_band,
    revenueBand: r.revenue_band,
    region: r.region,
    demo: r.demo,
    overall: num(r.overall),
    scores: (r.scores ?? []).map((s) => ({ assessment: s.a, score: Number(s.s), takenAt: new Date(s.t) })),
  }))
}

export async function listGraphBusinessIds(db: Executor, after: string | undefined, limit: number): Promise<string[]> {
  const result = await rows<{ id: string }>(
    db,
    after
      ? sql`select id::text as id from graph_businesses where id > ${after} order by id limit ${limit}`
      : sql`select id::text as id from graph_businesses order by id limit ${limit}`,
  )
  return result.map((r) => r.id)
}

export type GroupStatsRow = {
  area: string
  peers: number
  mean: number
  p10: number
  p25: number
  p50: number
  p75: number
  p90: number
  below: number
  equal: number
}

/**
 * Per area, the distribution of the caller's peers (same cohort, the caller excluded) in one group:
 * `everyone`, the caller's `industry`, or its `industry_size` (industry and size band). The area
 * `overall` reads the businesses' overall score. Percentiles are continuous (linear interpolation).
 */
export async function groupScoreStats(
  db: Executor,
  id: string,
  group: 'industry_size' | 'industry' | 'everyone',
  areas: readonly string[],
  demo: boolean | null = null,
): Promise<GroupStatsRow[]> {
  if (areas.length === 0) return []
  const result = await rows<Record<string, string | number>>(
    db,
    sql`with me as (select id, demo, industry, size_band, overall from graph_businesses where id = ${id}),
      wanted as (select x as area from jsonb_array_elements_text(${json(areas)}) as x),
      peers as (
        select b.id, b.overall, b.score_vector from graph_businesses b join me on b.demo = coalesce(${demo}::boolean, me.demo) and b.id <> me.id
        where (${group} = 'everyone' or b.industry = me.industry)
          and (${group} <> 'industry_size' or b.size_band = me.size_band)
      ),
      vals as (
        -- the peers' score vectors (kept beside graph_scores, migration 0012): no lookup per peer
        select v.key as area, v.value::float8 as score from peers p cross join jsonb_each(p.score_vector) v
        where v.key in (select area from wanted)
        union all
        select 'overall', p.overall from peers p where p.overall is not null and 'overall' in (select area from wanted)
      ),
      my as (
        select assessment as area, score from graph_scores where business_id = ${id}
        union all
        select 'overall', overall from me where overall is not null
      )
      select v.area, count(*)::int as peers, avg(v.score) as mean,
        percentile_cont(0.1) within group (order by v.score) as p10,
        percentile_cont(0.25) within group (order by v.score) as p25,
        percentile_cont(0.5) within group (order by v.score) as p50,
        percentile_cont(0.75) within group (order by v.score) as p75,
        percentile_cont(0.9) within group (order by v.score) as p90,
        count(*) filter (where v.score < m.score)::int as below,
        count(*) filter (where v.score = m.score)::int as equal
      from vals v left join my m on m.area = v.area
      group by v.area, m.score`,
  )
  return result.map((r) => ({
    area: String(r.area),
    peers: Number(r.peers),
    mean: Number(r.mean),
    p10: Number(r.p10),
    p25: Number(r.p25),
    p50: Number(r.p50),
    p75: Number(r.p75),
    p90: Number(r.p90),
    below: Number(r.below),
    equal: Number(r.equal),
  }))
}

export type IndustryStatsRow = {
  businesses: number
  strengths: Array<{ area: string; businesses: number }>
  weaknesses: Array<{ area: string; businesses: number }>
  clusters: Array<{
    strongest: string
    weakest: string
    businesses: number
    strongestAverage: number
    weakestAverage: number
  }>
}

/** Strength/weakness counts and strongest×weakest clusters of one industry's scored businesses in a cohort. */
export async function industryStats(
  db: Executor,
  industry: string,
  demo: boolean,
  thresholds: { strengthAt: number; weaknessAt: number; minGroup: number },
): Promise<IndustryStatsRow> {
  const scored = sql`select s.business_id, s.assessment, s.score from graph_businesses b
      join graph_scores s on s.business_id = b.id where b.industry = ${industry} and b.demo = ${demo}`
  const [head] = await rows<{ businesses: number }>(
    db,
    sql`select count(distinct business_id)::int as businesses from (${scored}) x`,
  )
  const counts = await rows<{ kind: 'strength' | 'weakness'; area: string; businesses: number }>(
    db,
    sql`select case when score >= ${thresholds.strengthAt} then 'strength' else 'weakness' end as kind, assessment as area, count(*)::int as businesses
        from (${scored}) x where score >= ${thresholds.strengthAt} or score <= ${thresholds.weaknessAt}
        group by 1, 2 order by 1, 3 desc, 2`,
  )
  const clusters = await rows<{
    strongest: string
    weakest: string
    businesses: number
    sa: number | string
    wa: number | string
  }>(
    db,
    sql`with x as (${scored}),
      hi as (select distinct on (business_id) business_id, assessment, score from x order by business_id, score desc, assessment collate "C"),
      lo as (select distinct on (business_id) business_id, assessment, score from x order by business_id, score asc, assessment collate "C")
      select hi.assessment as strongest, lo.assessment as weakest, count(*)::int as businesses, avg(hi.score) as sa, avg(lo.score) as wa
      from hi join lo using (business_id) where hi.assessment <> lo.assessment
      group by 1, 2 having count(*) >= ${thresholds.minGroup}
      order by 3 desc, 1, 2`,
  )
  return {
    businesses: head?.businesses ?? 0,
    strengths: counts.filter((c) => c.kind === 'strength').map((c) => ({ area: c.area, businesses: c.businesses })),
    weaknesses: counts.filter((c) => c.kind === 'weakness').map((c) => ({ area: c.area, businesses: c.businesses })),
    clusters: clusters.map((c) => ({
      strongest: c.strongest,
      weakest: c.weakest,
      businesses: c.businesses,
      strongestAverage: Number(c.sa),
      weakestAverage: Number(c.wa),
    })),
  }
}

export async function graphCounts(
  db: Executor,
): Promise<{ businesses: number; demoBusinesses: number; scores: number; industries: number }> {
  const [r] = await rows<{ businesses: number; demo: number; scores: number; industries: number }>(
    db,
    sql`select (select count(*)::int from graph_businesses) as businesses,
      (select count(*)::int from graph_businesses where demo) as demo,
      (select count(*)::int from graph_scores) as scores,
      (select count(distinct industry)::int from graph_businesses where industry is not null) as industries`,
  )
  return {
    businesses: r?.businesses ?? 0,
    demoBusinesses: r?.demo ?? 0,
    scores: r?.scores ?? 0,
    industries: r?.industries ?? 0,
  }
}

export type GraphSourceRow = typeof profiles.$inferSelect

/** The profiles (business fields and current scores) the graph is built from, by user id. */
export async function loadGraphSources(db: Executor, ids: readonly string[]): Promise<GraphSourceRow[]> {
  if (ids.length === 0) return []
  return db
    .select()
    .from(profiles)
    .where(inArray(profiles.userId, [...ids]))
    .orderBy(asc(profiles.userId))
}

/** Profile ids in order, a page at a time (backfill and drift checks). */
export async function listProfileIds(db: Executor, after: string | undefined, limit: number): Promise<string[]> {
  const list = await db
    .select({ id: profiles.userId })
    .from(profiles)
    .where(after ? gt(profiles.userId, after) : undefined)
    .orderBy(asc(profiles.userId))
    .limit(limit)
  return list.map((r) => r.id)
}

/** Records which version of each profile the graph now holds. */
export async function markGraphSynced(
  db: Executor,
  synced: Array<{ id: string; sourceUpdatedAt: Date }>,
): Promise<void> {
  if (synced.length === 0) return
  await db.execute(sql`
    insert into graph_sync (business_id, source_updated_at, synced_at)
    select id, t, now() from jsonb_to_recordset(${json(synced.map((s) => ({ id: s.id, t: s.sourceUpdatedAt.toISOString() })))}) as x(id uuid, t timestamptz)
    order by id
    on conflict (business_id) do update set source_updated_at = greatest(graph_sync.source_updated_at, excluded.source_updated_at), synced_at = now()`)
}

export async function forgetGraphSynced(db: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return
  await db.execute(
    sql`delete from graph_sync where business_id = any(array(select x::uuid from jsonb_array_elements_text(${json(ids)}) as x))`,
  )
}

/** Profiles whose latest change the graph does not hold yet, and how long the oldest has waited (versions compared to the millisecond, as JS dates carry them). */
export async function graphSyncLag(
  db: Executor,
): Promise<{ pending: number; oldestPendingAt: Date | null; lastSyncedAt: Date | null }> {
  const [r] = await rows<{ pending: number; oldest: string | Date | null; last: string | Date | null }>(
    db,
    sql`select count(*)::int as pending, min(p.updated_at) as oldest, (select max(synced_at) from graph_sync) as last
        from profiles p left join graph_sync g on g.business_id = p.user_id
        where g.business_id is null or g.source_updated_at < date_trunc('milliseconds', p.updated_at)`,
  )
  const date = (v: string | Date | null | undefined) => (v === null || v === undefined ? null : new Date(v))
  return { pending: r?.pending ?? 0, oldestPendingAt: date(r?.oldest), lastSyncedAt: date(r?.last) }
}

/** True when this profile changed after the graph last took it (or the graph never did). */
export async function isGraphBehind(db: Executor, userId: string): Promise<boolean> {
  const [r] = await rows<{ behind: boolean }>(
    db,
    sql`select exists (
          select 1 from profiles p left join graph_sync g on g.business_id = p.user_id
          where p.user_id = ${userId} and (g.business_id is null or g.source_updated_at < date_trunc('milliseconds', p.updated_at))
        ) as behind`,
  )
  return r?.behind ?? false
}
