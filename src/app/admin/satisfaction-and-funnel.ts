import type { Database } from '../../data/db.ts'
import { funnelByAssessment, satisfactionByFeature } from '../../data/repositories/advice.ts'

const DAY_MS = 86_400_000
/** An attempt still open after this long counts as abandoned. */
export const ABANDON_AFTER_HOURS = 24

const rate = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 1000)

/** Thumbs on AI answers per feature, and within it per provider, model and model version. */
export async function satisfactionReport(db: Database, options: { days: number; now?: Date }) {
  const since = new Date((options.now ?? new Date()).getTime() - options.days * DAY_MS)
  const rows = await satisfactionByFeature(db.orm, since)
  const features = new Map<
    string,
    {
      feature: string
      up: number
      down: number
      byModel: Array<(typeof rows)[number] & { satisfaction: number | null }>
    }
  >()
  for (const row of rows) {
    const entry = features.get(row.feature) ?? { feature: row.feature, up: 0, down: 0, byModel: [] }
    entry.up += row.up
    entry.down += row.down
    entry.byModel.push({ ...row, satisfaction: rate(row.up, row.up + row.down) })
    features.set(row.feature, entry)
  }
  return {
    since: since.toISOString(),
    features: [...features.values()].map((f) => ({
      feature: f.feature,
      up: f.up,
      down: f.down,
      satisfaction: rate(f.up, f.up + f.down),
      byModel: f.byModel.map(({ feature: _feature, ...m }) => m),
    })),
  }
}

/** The assessment funnel per assessment over attempts started in the window. */
export async function assessmentFunnel(
  db: Database,
  options: { days: number; now?: Date; abandonAfterHours?: number },
) {
  const now = options.now ?? new Date()
  const abandonAfterHours = options.abandonAfterHours ?? ABANDON_AFTER_HOURS
  const since = new Date(now.getTime() - options.days * DAY_MS)
  const rows = await funnelByAssessment(db.orm, { since, now, abandonAfterMs: abandonAfterHours * 3_600_000 })
  const total = rows.reduce(
    (t, r) => ({
      started: t.started + r.started,
      completed: t.completed + r.completed,
      abandoned: t.abandoned + r.abandoned,
      inProgress: t.inProgress + r.inProgress,
    }),
    { started: 0, completed: 0, abandoned: 0, inProgress: 0 },
  )
  return {
    since: since.toISOString(),
    abandonAfterHours,
    assessments: rows.map((r) => ({ ...r, completionRate: rate(r.completed, r.started) })),
    total: { ...total, completionRate: rate(total.completed, total.started) },
  }
}
