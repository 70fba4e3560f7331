import type { Claims, Database, Executor } from '../../data/db.ts'
import { lastAdminActionDetails, recordAdminAction } from '../../data/repositories/audit.ts'
import {
  createExperiment as insertExperiment,
  createVersion as insertVersion,
  endExperiment,
  getExperiment,
  getVersions,
  listExperiments,
  listVersions,
  markRolledBack,
  updateVersion,
  type Experiment,
  type ModelVersion,
} from '../../data/repositories/model-versions.ts'
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts'
import { experimentStats, type VariantStats } from '../../governance/versions/experiment-stats.ts'

/**
 * Model versions and experiments for admins: every change audited in the same transaction, and
 * the version resolver told to reload the feature (`invalidate`).
 */
export type ModelVersionAdminDeps = {
  db: Database
  versions: { invalidate(feature: string): void }
}
export type Actor = { claims: Claims; userId: string }
type Filter = { feature?: string | undefined; status?: string | undefined }
type VersionFields = {
  feature: string
  provider: string
  model: string
  promptVersion: string
  params: Record<string, unknown>
  status: ModelVersion['status']
}
type VersionPatch = Parameters<typeof updateVersion>[2]

export async function listModelVersions(deps: ModelVersionAdminDeps, actor: Actor, q: Filter) {
  return deps.db.asUser(actor.claims, (tx) => listVersions(tx, q))
}

export async function createModelVersion(deps: ModelVersionAdminDeps, actor: Actor, body: VersionFields) {
  const version = await deps.db.asUser(actor.claims, async (tx) => {
    const v = await insertVersion(tx, { ...body, createdBy: actor.userId })
    await recordAdminAction(tx, { actorId: actor.userId, action: 'model_version.create', target: v.id, details: body })
    return v
  })
  deps.versions.invalidate(version.feature)
  return version
}

export async function changeModelVersion(deps: ModelVersionAdminDeps, actor: Actor, id: string, patch: VersionPatch) {
  const version = await deps.db.asUser(actor.claims, async (tx) => {
    const v = await updateVersion(tx, id, patch)
    if (!v) throw new NotFoundError('Model version')
    await recordAdminAction(tx, { actorId: actor.userId, action: 'model_version.update', target: v.id, details: patch })
    return v
  })
  deps.versions.invalidate(version.feature)
  return version
}

export type ExperimentWithMetrics = Experiment & { metrics: VariantStats[] }

export async function listExperimentsWithMetrics(
  deps: ModelVersionAdminDeps,
  actor: Actor,
  q: Filter,
): Promise<ExperimentWithMetrics[]> {
  return deps.db.asUser(actor.claims, async (tx) => {
    const out: ExperimentWithMetrics[] = []
    for (const e of await listExperiments(tx, q)) out.push({ ...e, metrics: await experimentStats(tx, e) })
    return out
  })
}

export async function experimentWithMetrics(
  deps: ModelVersionAdminDeps,
  actor: Actor,
  id: string,
): Promise<ExperimentWithMetrics> {
  return deps.db.asUser(actor.claims, async (tx) => {
    const e = await getExperiment(tx, id)
    if (!e) throw new NotFoundError('Experiment')
    return { ...e, metrics: await experimentStats(tx, e) }
  })
}

/** Split a feature's traffic between its versions; one running experiment per feature. */
export async function startExperiment(
  deps: ModelVersionAdminDeps,
  actor: Actor,
  body: { feature: string; variants: Experiment['variants'] },
): Promise<Experiment> {
  const { feature, variants } = body
  const created = await deps.db.asUser(actor.claims, async (tx) => {
    const versions = await getVersions(
      tx,
      variants.map((v) => v.versionId),
    )
    const issues = variants.flatMap((v, i) => {
      const field = `body.variants.${i}.versionId`
      const found = versions.find((m) => m.id === v.versionId)
      if (!found) return [{ field, message: 'no such model version' }]
      if (found.feature !== feature) return [{ field, message: `belongs to feature ${found.feature}, not ${feature}` }]
      if (found.status === 'retired') return [{ field, message: 'is retired' }]
      return []
    })
    if (issues.length > 0) throw new ValidationError(issues)
    const running = await listExperiments(tx, { feature, status: 'running' })
    if (running.length > 0)
      throw new ValidationError([
        { field: 'body.feature', message: `experiment ${running[0]!.id} is already running for this feature` },
      ])
    const e = await insertExperiment(tx, { feature, variants, createdBy: actor.userId })
    await recordAdminAction(tx, { actorId: actor.userId, action: 'experiment.create', target: e.id, details: body })
    return e
  })
  deps.versions.invalidate(feature)
  return created
}

export async function promote(
  deps: ModelVersionAdminDeps,
  actor: Actor,
  id: string,
  versionId: string | undefined,
): Promise<Experiment> {
  const e = await deps.db.asUser(actor.claims, (tx) => promoteExperiment(tx, { id, versionId, actorId: actor.userId }))
  deps.versions.invalidate(e.feature)
  return e
}

export async function rollback(deps: ModelVersionAdminDeps, actor: Actor, id: string): Promise<Experiment> {
  const e = await deps.db.asUser(actor.claims, (tx) => rollbackExperiment(tx, { id, actorId: actor.userId }))
  deps.versions.invalidate(e.feature)
  return e
}

/**
 * Promote: the winner becomes the feature's only active version (the versions active before are
 * retired and remembered in the audit entry), the experiment ends. Rollback: a running experiment
 * just ends; a promoted one is undone (previous versions active again, the winner a candidate).
 */
export async function promoteExperiment(
  tx: Executor,
  input: { id: string; versionId?: string | undefined; actorId: string },
): Promise<Experiment> {
  const e = await getExperiment(tx, input.id)
  if (!e) throw new NotFoundError('Experiment')
  if (e.status !== 'running') throw new ConflictError('experiment_not_running', `Experiment is ${e.status}`)
  let winner = input.versionId
  if (winner === undefined) {
    // Lowest error rate; on a tie the challenger (a later variant) wins over the control.
    const stats = await experimentStats(tx, e)
    winner = [...stats].sort((a, b) => a.errorRate - b.errorRate || stats.indexOf(b) - stats.indexOf(a))[0]!.versionId
  }
  if (!e.variants.some((v) => v.versionId === winner))
    throw new ValidationError([{ field: 'body.versionId', message: 'is not a variant of this experiment' }])
  const previousActive = (await listVersions(tx, { feature: e.feature, status: 'active' }))
    .map((v) => v.id)
    .filter((id) => id !== winner)
  for (const id of previousActive) await updateVersion(tx, id, { status: 'retired' })
  await updateVersion(tx, winner, { status: 'active' })
  const ended = await endExperiment(tx, e.id, 'promoted', winner)
  await recordAdminAction(tx, {
    actorId: input.actorId,
    action: 'experiment.promote',
    target: e.id,
    details: { feature: e.feature, winnerVersionId: winner, previousActive },
  })
  return ended!
}

export async function rollbackExperiment(tx: Executor, input: { id: string; actorId: string }): Promise<Experiment> {
  const e = await getExperiment(tx, input.id)
  if (!e) throw new NotFoundError('Experiment')
  if (e.status === 'running') {
    const ended = await endExperiment(tx, e.id, 'rolled_back', null)
    await recordAdminAction(tx, {
      actorId: input.actorId,
      action: 'experiment.rollback',
      target: e.id,
      details: { feature: e.feature, wasRunning: true },
    })
    return ended!
  }
  if (e.status !== 'promoted' || !e.winnerVersionId)
    throw new ConflictError('experiment_not_rollbackable', `Experiment is ${e.status}`)
  const entry = await lastAdminActionDetails<{ previousActive?: string[] }>(tx, 'experiment.promote', e.id)
  const previousActive = entry?.previousActive ?? []
  await updateVersion(tx, e.winnerVersionId, { status: 'candidate' })
  for (const id of previousActive) await updateVersion(tx, id, { status: 'active' })
  const rolledBack = await markRolledBack(tx, e.id)
  await recordAdminAction(tx, {
    actorId: input.actorId,
    action: 'experiment.rollback',
    target: e.id,
    details: { feature: e.feature, restored: previousActive, demoted: e.winnerVersionId },
  })
  return rolledBack!
}
