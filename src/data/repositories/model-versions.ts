import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../db.ts'
import { iso } from '../row-values.ts'

export type ModelVersion = {
  id: string
  feature: string
  provider: string
  model: string
  promptVersion: string
  params: Record<string, unknown>
  status: 'candidate' | 'active' | 'retired'
  createdAt: string
  updatedAt: string
}

export type Experiment = {
  id: string
  feature: string
  status: 'running' | 'promoted' | 'rolled_back' | 'stopped'
  variants: Array<{ versionId: string; weight: number }>
  winnerVersionId: string | null
  createdAt: string
  endedAt: string | null
}

type RawVersion = {
  id: string
  feature: string
  provider: string
  model: string
  prompt_version: string
  params: Record<string, unknown>
  status: ModelVersion['status']
  created_at: string | Date
  updated_at: string | Date
}
type RawExperiment = {
  id: string
  feature: string
  status: Experiment['status']
  variants: Experiment['variants']
  winner_version_id: string | null
  created_at: string | Date
  ended_at: string | Date | null
}

function toVersion(r: RawVersion): ModelVersion {
  return {
    id: r.id,
    feature: r.feature,
    provider: r.provider,
    model: r.model,
    promptVersion: r.prompt_version,
    params: r.params ?? {},
    status: r.status,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  }
}

function toExperiment(r: RawExperiment): Experiment {
  return {
    id: r.id,
    feature: r.feature,
    status: r.status,
    variants: r.variants,
    winnerVersionId: r.winner_version_id,
    createdAt: iso(r.created_at),
    endedAt: r.ended_at === null ? null : iso(r.ended_at),
  }
}

export async function listVersions(
  tx: Executor,
  q: { feature?: string | undefined; status?: string | undefined } = {},
): Promise<ModelVersion[]> {
  const list = await rows<RawVersion>(
    tx,
    sql`select * from model_versions where (${q.feature ?? null}::text is null or feature = ${q.feature ?? null}) and (${q.status ?? null}::text is null or status = ${q.status ?? null}) order by feature, created_at`,
  )
  return list.map(toVersion)
}

export async function getVersions(tx: Executor, ids: string[]): Promise<ModelVersion[]> {
  if (ids.length === 0) return []
  const list = await rows<RawVersion>(
    tx,
    sql`select * from model_versions where id in (${sql.join(
      ids.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`,
  )
  return list.map(toVersion)
}

export async function createVersion(
  tx: Executor,
  v: {
    feature: string
    provider: string
    model: string
    promptVersion: string
    params: Record<string, unknown>
    status: ModelVersion['status']
    createdBy: string | null
  },
): Promise<ModelVersion> {
  const [r] = await rows<RawVersion>(
    tx,
    sql`insert into model_versions (feature, provider, model, prompt_version, params, status, created_by)
        values (${v.feature}, ${v.provider}, ${v.model}, ${v.promptVersion}, ${JSON.stringify(v.params)}::jsonb, ${v.status}, ${v.createdBy}) returning *`,
  )
  return toVersion(r!)
}

export async function updateVersion(
  tx: Executor,
  id: string,
  patch: {
    status?: ModelVersion['status'] | undefined
    params?: Record<string, unknown> | undefined
    promptVersion?: string | undefined
  },
): Promise<ModelVersion | undefined> {
  const [r] = await rows<RawVersion>(
    tx,
    sql`update model_versions set status = coalesce(${patch.status ?? null}::text, status), params = coalesce(${patch.params ? JSON.stringify(patch.params) : null}::jsonb, params),
        prompt_version = coalesce(${patch.promptVersion ?? null}::text, prompt_version), updated_at = now() where id = ${id} returning *`,
  )
  return r ? toVersion(r) : undefined
}

export async function listExperiments(
  tx: Executor,
  q: { feature?: string | undefined; status?: string | undefined } = {},
): Promise<Experiment[]> {
  const list = await rows<RawExperiment>(
    tx,
    sql`select * from experiments where (${q.feature ?? null}::text is null or feature = ${q.feature ?? null}) and (${q.status ?? null}::text is null or status = ${q.status ?? null}) order by created_at desc`,
  )
  return list.map(toExperiment)
}

export async function getExperiment(tx: Executor, id: string): Promise<Experiment | undefined> {
  const [r] = await rows<RawExperiment>(tx, sql`select * from experiments where id = ${id}`)
  return r ? toExperiment(r) : undefined
}

export async function createExperiment(
  tx: Executor,
  e: { feature: string; variants: Experiment['variants']; createdBy: string | null },
): Promise<Experiment> {
  const [r] = await rows<RawExperiment>(
    tx,
    sql`insert into experiments (feature, variants, created_by) values (${e.feature}, ${JSON.stringify(e.variants)}::jsonb, ${e.createdBy}) returning *`,
  )
  return toExperiment(r!)
}

export async function endExperiment(
  tx: Executor,
  id: string,
  status: 'promoted' | 'rolled_back' | 'stopped',
  winnerVersionId: string | null,
): Promise<Experiment | undefined> {
  const [r] = await rows<RawExperiment>(
    tx,
    sql`update experiments set status = ${status}, winner_version_id = ${winnerVersionId}, ended_at = now() where id = ${id} and status = 'running' returning *`,
  )
  return r ? toExperiment(r) : undefined
}

/** Marks a promoted experiment rolled back (its winner keeps its id for the record). */
export async function markRolledBack(tx: Executor, id: string): Promise<Experiment | undefined> {
  const [r] = await rows<RawExperiment>(
    tx,
    sql`update experiments set status = 'rolled_back', ended_at = now() where id = ${id} returning *`,
  )
  return r ? toExperiment(r) : undefined
}

/** Per-variant ledger figures of an experiment (requests, errors, invalid outputs, latency, cost, feedback). */
export type VariantRow = {
  version: string
  requests: number
  errors: number
  invalid: number
  p50: number | null
  p95: number | null
  cost: number
  up: number
  down: number
}

export async function variantFigures(tx: Executor, experiment: Experiment): Promise<VariantRow[]> {
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
  return list.map((r) => ({
    version: r.version,
    requests: Number(r.requests),
    errors: Number(r.errors),
    invalid: Number(r.invalid),
    p50: r.p50 === null ? null : Number(r.p50),
    p95: r.p95 === null ? null : Number(r.p95),
    cost: Number(r.cost ?? 0),
    up: Number(r.up),
    down: Number(r.down),
  }))
}

/** Active versions and running experiments of one feature: what the resolver needs. */
export async function routingState(
  tx: Executor,
  feature: string,
): Promise<{ active: ModelVersion[]; experiment: Experiment | undefined; variantVersions: ModelVersion[] }> {
  const active = (
    await rows<RawVersion>(
      tx,
      sql`select * from model_versions where feature = ${feature} and status = 'active' order by updated_at desc, created_at desc`,
    )
  ).map(toVersion)
  const [exp] = await rows<RawExperiment>(
    tx,
    sql`select * from experiments where feature = ${feature} and status = 'running' order by created_at desc limit 1`,
  )
  const experiment = exp ? toExperiment(exp) : undefined
  const variantVersions = experiment
    ? await getVersions(
        tx,
        experiment.variants.map((v) => v.versionId),
      )
    : []
  return { active, experiment, variantVersions }
}
