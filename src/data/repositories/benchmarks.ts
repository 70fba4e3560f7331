import { sql } from 'drizzle-orm'
import { SCORE_AREAS } from '../../domain/growth/scores.ts'
import { rows, type Executor } from '../db.ts'

/**
 * Peer benchmarks computed in SQL from every user's latest scores (the profile columns): count,
 * mean and quartiles per area, for the user's industry and for everyone, plus the user's
 * percentile rank (share of peers below them, ties counting half). Runs as the owner: it reads
 * all profiles but returns only aggregates.
 */
export type BenchmarkRow = {
  scope: 'industry' | 'global'
  area: string
  peers: number
  average: number
  p25: number
  median: number
  p75: number
  userScore: number | null
  percentile: number | null
}

export const BENCHMARK_AREAS = ['overall', ...SCORE_AREAS] as const

export async function computeBenchmarkRows(db: Executor, userId: string, industry: string | null | undefined): Promise<BenchmarkRow[]> {
  const normalized = (industry ?? '').trim().toLowerCase()
  // Column names come from the constant area list, never from input.
  const values = sql.raw(BENCHMARK_AREAS.map((area) => `('${area}', p.${area}_score)`).join(', '))
  const result = await rows<{ scope: 'industry' | 'global'; area: string; peers: number | string; average: number | string; p25: number | string; median: number | string; p75: number | string; user_score: number | string | null; percentile: number | string | null }>(
    db,
    sql`with s as (
          select p.user_id, lower(btrim(coalesce(p.industry, ''))) as industry, v.area, v.score::float8 as score
          from profiles p cross join lateral (values ${values}) as v(area, score)
          where v.score is not null
        ),
        me as (select area, score from s where user_id = ${userId}),
        scoped as (
          select 'industry'::text as scope, area, score from s where ${normalized} <> '' and industry = ${normalized}
          union all
          select 'global'::text as scope, area, score from s
        )
        select sc.scope, sc.area, count(*) as peers, avg(sc.score) as average,
          percentile_cont(0.25) within group (order by sc.score) as p25,
          percentile_cont(0.5) within group (order by sc.score) as median,
          percentile_cont(0.75) within group (order by sc.score) as p75,
          m.score as user_score,
          case when m.score is null then null
               else 100.0 * avg(case when sc.score < m.score then 1.0 when sc.score = m.score then 0.5 else 0.0 end) end as percentile
        from scoped sc left join me m on m.area = sc.area
        group by sc.scope, sc.area, m.score`,
  )
  const n = (v: number | string | null) => (v === null ? null : Number(v))
  return result.map((r) => ({ scope: r.scope, area: r.area, peers: Number(r.peers), average: Number(r.average), p25: Number(r.p25), median: Number(r.median), p75: Number(r.p75), userScore: n(r.user_score), percentile: n(r.percentile) }))
}
