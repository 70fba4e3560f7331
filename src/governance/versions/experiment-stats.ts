import type { Executor } from '../../data/db.ts'
import { variantFigures, type Experiment } from '../../data/repositories/model-versions.ts'
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
  const list = await variantFigures(tx, experiment)
  const byVersion = new Map(list.map((r) => [r.version, r]))
  const stats = experiment.variants.map((v) => {
    const r = byVersion.get(v.versionId)
    const requests = r?.requests ?? 0
    const errors = r?.errors ?? 0
    const up = r?.up ?? 0
    const down = r?.down ?? 0
    const cost = r?.cost ?? 0
    return {
      versionId: v.versionId,
      weight: v.weight,
      requests,
      errors,
      errorRate: requests > 0 ? errors / requests : 0,
      validationFailures: r?.invalid ?? 0,
      p50LatencyMs: r?.p50 ?? null,
      p95LatencyMs: r?.p95 ?? null,
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
