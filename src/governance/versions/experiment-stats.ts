import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../../data/db.ts'
import type { Experiment } from './repository.ts'
import { twoProportionZTest, type ProportionTest } from './significance.ts'

/** Per-variant figures of an experiment, from `ai_log` (and `ai_feedback`), computed in SQL. */
export type VariantStats = {
  versionId: string
  weight: number
  requests: number
  errors: number
  errorRate: number
  validationFailures: number
  p50LatencyMs: number | null
  p95LatencyMs: number | null
  costUsd: number
  avgCostUsd: number | null
  feedbackUp: number
  feedbackDown: number
  /** Share of thumbs-up among rated answers. */
  positiveRate: number | null
  /** Against the first variant (the control): error rate and feedback. */
  vsControl: { errorRate: ProportionTest; positiveRate: ProportionTest } | null
}

export async function experimentStats(tx: Executor, experiment: Experiment): Promise<VariantStats[]> {
  const ids = experiment.variants.map((v) => v.versionId)
  const list = await rows<{
    version: string
    requests: string
    errors: string
    invalid: string
    p50: number | null
    p95: number | null
    cost: string | null
    up: string
    down: string
  }>(
    tx,
    sql`select l.model_version as version,
          count(*) as requests,
          count(*) filter (where l.status = 'error') as errors,
          count(*) filter (where l.error_class = 'invalid_output'
            or (jsonb_typeof(l.attempts) = 'array' and exists (select 1 from jsonb_array_elements(l.attempts) a where a->>'errorClass' = 'invalid_output'))) as invalid,
          percentile_cont(0.5) within group (order by l.latency_ms) as p50,
          percentile_cont(0.95) within group (order by l.latency_ms) as p95,
          coalesce(sum(l.cost_usd), 0) as cost,
          count(*) filter (where f.rating = 'up') as up,
          count(*) filter (where f.rating = 'down') as down
        from ai_log l
        left join lateral (select rating from ai_feedback where request_id = l.request_id order by created_at desc limit 1) f on true
        where l.feature = ${experiment.feature} and l.created_at >= ${experiment.createdAt}
          ${experiment.endedAt ? sql`and l.created_at <= ${experiment.endedAt}` : sql``}
          and l.model_version in (${sql.join(
            ids.map((id) => sql`${id}`),
            sql`, `,
          )})
        group by l.model_version`,
  )
  const byVersion = new Map(list.map((r) => [r.version, r]))
  const stats = experiment.variants.map((v) => {
    const r = byVersion.get(v.versionId)
    const requests = Number(r?.requests ?? 0)
    const errors = Number(r?.errors ?? 0)
    const up = Number(r?.up ?? 0)
    const down = Number(r?.down ?? 0)
    const cost = Number(r?.cost ?? 0)
    return {
      versionId: v.versionId,
      weight: v.weight,
      requests,
      errors,
      errorRate: requests > 0 ? errors / requests : 0,
      validationFailures: Number(r?.invalid ?? 0),
      p50LatencyMs: r?.p50 === null || r?.p50 === undefined ? null : Number(r.p50),
      p95LatencyMs: r?.p95 === null || r?.p95 === undefined ? null : Number(r.p95),
      costUsd: cost,
      avgCostUsd: requests > 0 ? cost / requests : null,
      feedbackUp: up,
      feedbackDown: down,
      positiveRate: up + down > 0 ? up / (up + down) : null,
      vsControl: null as VariantStats['vsControl'],
    }
  })
  const control = stats[0]
  if (control) {
    for (const s of stats.slice(1)) {
      s.vsControl = {
        errorRate: twoProportionZTest(
          { successes: s.errors, trials: s.requests },
          { successes: control.errors, trials: control.requests },
        ),
        positiveRate: twoProportionZTest(
          { successes: s.feedbackUp, trials: s.feedbackUp + s.feedbackDown },
          { successes: control.feedbackUp, trials: control.feedbackUp + control.feedbackDown },
        ),
      }
    }
  }
  return stats
}
