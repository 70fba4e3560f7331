import { sql } from 'drizzle-orm'
import { rows, type Executor } from '../../data/db.ts'
import { recordAdminAction } from '../../data/repositories/audit.ts'
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts'
import { experimentStats } from './experiment-stats.ts'
import { endExperiment, getExperiment, listVersions, updateVersion, type Experiment } from './repository.ts'

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
  const [entry] = await rows<{ details: { previousActive?: string[] } | null }>(
    tx,
    sql`select details from admin_audit_log where action = 'experiment.promote' and target = ${e.id} order by id desc limit 1`,
  )
  const previousActive = entry?.details?.previousActive ?? []
  await updateVersion(tx, e.winnerVersionId, { status: 'candidate' })
  for (const id of previousActive) await updateVersion(tx, id, { status: 'active' })
  const [r] = await rows<{ id: string }>(
    tx,
    sql`update experiments set status = 'rolled_back', ended_at = now() where id = ${e.id} returning id`,
  )
  await recordAdminAction(tx, {
    actorId: input.actorId,
    action: 'experiment.rollback',
    target: e.id,
    details: { feature: e.feature, restored: previousActive, demoted: e.winnerVersionId },
  })
  return (await getExperiment(tx, r!.id))!
}
