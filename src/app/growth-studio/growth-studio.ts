import {
  getSimulation,
  insertLevers,
  insertSimulation,
  listCurrentLevers,
  listSimulations,
  setSimulationCommentary,
  updateLeverProgress,
  type LeverRow,
  type SimulationRow,
} from '../../data/repositories/ai-products.ts'
import { archiveLevers, listActiveLevers, listArchivedLevers } from '../../data/repositories/advice.ts'
import { getScoreSnapshot } from '../../data/repositories/feature-scores.ts'
import { carryOverProgress, leverKey } from '../../domain/advice/levers.ts'
import type { Claims, Database } from '../../data/db.ts'
import { scoresHash } from '../scores-hash.ts'
import {
  simulateGrowth,
  simulationWarnings,
  type SimulationInput,
  type SimulationResult,
  type SimulationWarning,
} from '../../domain/growth/simulation.ts'
import { NotFoundError } from '../../errors.ts'
import { publish } from '../../events/publish.ts'
import { growthLevers } from '../../features/growth-levers.ts'
import { runFeature } from '../../features/run.ts'
import { simulationCommentary } from '../../features/simulation-commentary.ts'
import type { AiCaller } from '../../gateway/types.ts'
import type { FeatureDeps } from '../deps.ts'

export type Lever = {
  id: string
  /** What the lever is (area + title slug): its identity across regenerations. */
  key: string
  position: number
  title: string
  description: string
  targetArea: string
  expectedImpact: string
  effort: string
  progress: number
  /** Progress carried over from the same lever in the set this one replaced. */
  carriedOver: boolean
  archivedAt: string | null
}
export type LeversResult = {
  levers: Lever[]
  /** Levers with progress that a newer set no longer contains, newest first. */
  archived: Lever[]
  cached: boolean
  provider: string
  /** The AI answer that produced the set (rate a lever with item `levers.<id>`); null for sets stored before migration 0020. */
  requestId: string | null
  generatedAt: string
  expiresAt: string
  scoresHash: string
}

export function toLever(row: LeverRow): Lever {
  return {
    id: row.id,
    position: row.position,
    title: row.title,
    description: row.description,
    targetArea: row.targetArea,
    expectedImpact: row.expectedImpact,
    effort: row.effort,
    progress: row.progress,
    key: leverKey({ key: row.leverKey, title: row.title, targetArea: row.targetArea }),
    carriedOver: row.carriedFrom !== null,
    archivedAt: row.archivedAt ? row.archivedAt.toISOString() : null,
  }
}

function toLeversResult(rows: LeverRow[], archived: LeverRow[], cached: boolean): LeversResult {
  const first = rows[0]!
  return {
    levers: rows.map(toLever),
    archived: archived.map(toLever),
    cached,
    provider: first.provider ?? 'unknown',
    requestId: first.requestId,
    generatedAt: first.createdAt.toISOString(),
    expiresAt: first.expiresAt.toISOString(),
    scoresHash: first.scoresHash,
  }
}

/**
 * The user's five growth levers: the stored batch while it is younger than the feature's TTL
 * (31 days) and their scores are unchanged; else five new ones, stored with an `ai.processed`
 * event in one transaction.
 */
export async function getGrowthLevers(
  deps: FeatureDeps,
  claims: Claims,
  caller: AiCaller,
  options: { refresh?: boolean } = {},
): Promise<LeversResult> {
  const { snapshot, current, archived } = await deps.db.asUser(claims, async (tx) => {
    const snapshot = await getScoreSnapshot(tx, claims.sub)
    const current =
      snapshot && !options.refresh ? await listCurrentLevers(tx, claims.sub, scoresHash(snapshot.scores)) : []
    const archived = current.length === 5 ? await listArchivedLevers(tx, claims.sub, current.map(keyOf)) : []
    return { snapshot, current, archived }
  })
  if (!snapshot) throw new NotFoundError('Profile')
  if (current.length === 5) return toLeversResult(current, archived, true)
  const hash = scoresHash(snapshot.scores)
  const { object, meta } = await runFeature(
    deps.ai,
    growthLevers,
    { scores: snapshot.scores, context: snapshot.context },
    caller,
    { cacheScope: options.refresh ? `${hash}:${Date.now()}` : hash },
  )
  const expiresAt = new Date(Date.now() + growthLevers.cacheTtlSeconds * 1000)
  const { rows, archivedRows } = await deps.db.transaction(async (tx) => {
    // The new set replaces the active one: a lever that is the same (by key) keeps its progress,
    // the others are archived with theirs (listed, never reset).
    const previous = await listActiveLevers(tx, claims.sub)
    const { levers } = carryOverProgress(
      previous.map((row) => ({
        id: row.id,
        key: keyOf(row),
        title: row.title,
        targetArea: row.targetArea,
        progress: row.progress,
      })),
      object.levers,
    )
    const inserted = await insertLevers(
      tx,
      claims.sub,
      levers.map(({ key, carriedFrom, ...lever }) => ({ ...lever, leverKey: key, carriedFrom })),
      { scoresHash: hash, provider: meta.provider, expiresAt, requestId: meta.requestId },
    )
    await archiveLevers(tx, claims.sub, inserted[0]!.createdAt)
    const archivedRows = await listArchivedLevers(tx, claims.sub, inserted.map(keyOf))
    await publish(tx, {
      type: 'ai.processed',
      userId: claims.sub,
      payload: { feature: growthLevers.name, requestId: meta.requestId, provider: meta.provider },
    })
    return { rows: inserted, archivedRows }
  })
  return toLeversResult(rows, archivedRows, false)
}

const keyOf = (row: LeverRow) => leverKey({ key: row.leverKey, title: row.title, targetArea: row.targetArea })

export async function setLeverProgress(
  deps: FeatureDeps,
  claims: Claims,
  id: string,
  progress: number,
): Promise<Lever> {
  const row = await deps.db.asUser(claims, (tx) => updateLeverProgress(tx, id, progress))
  if (!row) throw new NotFoundError('Growth lever')
  return toLever(row)
}

export type StoredSimulation = {
  id: string
  input: SimulationInput
  result: SimulationResult
  commentary: string | null
  createdAt: string
  /** What to double-check in the inputs (costs above revenue, no revenue, no change). */
  warnings: SimulationWarning[]
}

export function toStoredSimulation(row: SimulationRow): StoredSimulation {
  return {
    id: row.id,
    input: row.input as SimulationInput,
    result: row.result as SimulationResult,
    commentary: row.commentary,
    createdAt: row.createdAt.toISOString(),
    warnings: simulationWarnings(row.input as SimulationInput),
  }
}

/** Run the deterministic simulation against the user's current area scores and keep it in history. */
export async function runSimulation(
  deps: FeatureDeps,
  claims: Claims,
  input: SimulationInput,
): Promise<StoredSimulation> {
  const row = await deps.db.asUser(claims, async (tx) => {
    const snapshot = await getScoreSnapshot(tx, claims.sub)
    const areas = snapshot?.scores.areas ?? {}
    const result = simulateGrowth(input, {
      strategy: areas.strategy,
      process: areas.process,
      technology: areas.technology,
    })
    return insertSimulation(tx, { userId: claims.sub, input: { ...input }, result: { ...result } })
  })
  return toStoredSimulation(row)
}

/** An executive commentary on a stored simulation, saved on it with an `ai.processed` event. */
export async function commentOnSimulation(deps: FeatureDeps, claims: Claims, caller: AiCaller, simulationId: string) {
  const { simulation, snapshot } = await deps.db.asUser(claims, async (tx) => ({
    simulation: await getSimulation(tx, simulationId),
    snapshot: await getScoreSnapshot(tx, claims.sub),
  }))
  if (!simulation) throw new NotFoundError('Simulation')
  const stored = toStoredSimulation(simulation)
  const { object, meta } = await runFeature(
    deps.ai,
    simulationCommentary,
    { input: stored.input, result: stored.result, context: snapshot?.context ?? {} },
    caller,
    { cacheScope: simulation.id },
  )
  await deps.db.transaction(async (tx) => {
    await setSimulationCommentary(tx, simulation.id, claims.sub, object.commentary)
    await publish(tx, {
      type: 'ai.processed',
      userId: claims.sub,
      payload: { feature: simulationCommentary.name, requestId: meta.requestId, provider: meta.provider },
    })
  })
  return {
    simulationId: simulation.id,
    commentary: object.commentary,
    provider: meta.provider,
    requestId: meta.requestId,
    result: stored.result,
  }
}

/** The caller's recent simulations, newest first. */
export async function simulationHistory(db: Database, claims: Claims, limit: number): Promise<StoredSimulation[]> {
  const list = await db.asUser(claims, (tx) => listSimulations(tx, claims.sub, limit))
  return list.map(toStoredSimulation)
}
