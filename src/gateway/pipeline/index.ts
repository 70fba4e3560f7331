import { routed } from './with-router.ts'
import { withCache } from './with-cache.ts'
import { withGuardrails } from './with-guardrails.ts'
import { withSemanticCache } from './with-semantic-cache.ts'
import { withGuards } from './with-guards.ts'
import { withLedger } from './with-ledger.ts'
import { withPacing } from './with-pacing.ts'
import { withRules } from './with-rules.ts'
import { withTracing } from './with-tracing.ts'
import { withVersions } from './with-versions.ts'
import { compose, type Answer, type PipelineDeps, type PipelineRequest } from './types.ts'

export type Pipeline = <T>(request: PipelineRequest<T>) => Promise<Answer<T>>

/**
 * The gateway's one pipeline (DESIGN §6): `tracing → ledger → guardrails → guards → rules → versions → cache → semantic cache → pacing →
 * router → call`. In-code `generateObject`/`generateText`/`stream` and `/v1` JSON and streams all
 * run it; they differ only in the innermost call they hand it.
 */
export function createPipeline(deps: PipelineDeps): Pipeline {
  const tracing = deps.tracer ? [withTracing({ ...deps, tracer: deps.tracer })] : []
  return compose(
    [
      ...tracing,
      withLedger(deps),
      withGuardrails(deps),
      withGuards(deps),
      withRules(deps),
      withVersions(deps),
      withCache(deps),
      withSemanticCache(deps),
      withPacing(deps),
    ],
    routed(deps),
  )
}

/**
 * The semantic cache's own embedding calls: ledger (their cost is real), versions (candidates),
 * exact cache, pacing, router — no guards (the request they serve was guarded), no semantic cache.
 */
export function createEmbeddingPipeline(deps: PipelineDeps): Pipeline {
  return compose([withLedger(deps), withVersions(deps), withCache(deps), withPacing(deps)], routed(deps))
}

export { metaOf } from './meta.ts'
export type { Answer, PipelineDeps, PipelineRequest, Settlement } from './types.ts'
