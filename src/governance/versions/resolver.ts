import type { Database } from '../../data/db.ts'
import type { AiCaller, AiCandidate, VersionResolver } from '../../gateway/types.ts'
import { assignVariant } from './assignment.ts'
import { routingState, type ModelVersion } from '../../data/repositories/model-versions.ts'

/**
 * The gateway's `VersionResolver`: a running experiment assigns the caller (sticky by user hash)
 * to one variant, tried first, with the feature's active versions behind it as fallbacks; without
 * an experiment the active versions are the candidates; with neither, `undefined` (the gateway
 * keeps the feature's default route). State is read from PostgreSQL and cached `cacheMs` per
 * feature, so every process converges within that time; `invalidate` clears this process's copy.
 */
export type VersionResolverService = { resolve: VersionResolver; invalidate(feature?: string): void }

const toCandidate = (v: ModelVersion): AiCandidate => ({
  provider: v.provider,
  model: v.model,
  versionId: v.id,
  promptVersion: v.promptVersion,
  params: v.params,
})

/** Who is assigned: the user, else the API key, else the request (no stickiness to keep). */
export function subjectOf(caller: AiCaller): string {
  return caller.userId
    ? `user:${caller.userId}`
    : caller.apiKeyId
      ? `key:${caller.apiKeyId}`
      : `request:${caller.requestId ?? 'anonymous'}`
}

export function createVersionResolver(deps: {
  db: Database
  cacheMs?: number
  clock?: () => number
}): VersionResolverService {
  const cacheMs = deps.cacheMs ?? 5_000
  const now = deps.clock ?? Date.now
  const cache = new Map<string, { at: number; state: Promise<Awaited<ReturnType<typeof routingState>>> }>()

  function stateOf(feature: string) {
    const hit = cache.get(feature)
    if (hit && now() - hit.at < cacheMs) return hit.state
    const state = deps.db.transaction((tx) => routingState(tx, feature))
    // Keys come from callers too (`/v1`'s model): bounded, so unknown names cannot grow it.
    if (cache.size >= 10_000) cache.clear()
    cache.set(feature, { at: now(), state })
    state.catch(() => cache.delete(feature))
    return state
  }

  return {
    invalidate(feature) {
      if (feature) cache.delete(feature)
      else cache.clear()
    },
    async resolve(feature, caller) {
      const { active, experiment, variantVersions } = await stateOf(feature)
      const candidates: AiCandidate[] = []
      if (experiment) {
        const usable = experiment.variants.filter((v) =>
          variantVersions.some((m) => m.id === v.versionId && m.status !== 'retired'),
        )
        const chosen = assignVariant(experiment.id, subjectOf(caller), usable)
        const version = chosen && variantVersions.find((m) => m.id === chosen.versionId)
        if (version) candidates.push(toCandidate(version))
      }
      for (const v of active) if (!candidates.some((c) => c.versionId === v.id)) candidates.push(toCandidate(v))
      return candidates.length > 0 ? candidates : undefined
    },
  }
}
