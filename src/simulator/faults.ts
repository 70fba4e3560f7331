import { z } from 'zod'

/**
 * Scripted faults. Set per server (`POST /_control/faults`, `setFaults()`), optionally scoped to
 * one provider prefix, or per request with the `x-sim-fault` header, e.g.
 * `x-sim-fault: latency=200,status=429,retry-after=1` or `x-sim-fault: malformed`.
 *
 * Latency (and chunk delay) applies to every matching request. The failure modes (status, hang,
 * stall, streamError, malformed, truncate, invalidSchema) apply to every matching request, or — with `failureRate` —
 * to a deterministic share of them: the n-th request of a provider fails when
 * floor(n·rate) > floor((n−1)·rate), so rate 0.5 fails requests 2, 4, 6, … . `failureRate` with no
 * failure mode means status 500. `times` (server faults only) removes the fault set after it has
 * failed that many requests.
 */
export const faultsSchema = z
  .object({
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    chunkDelayMs: z.number().int().min(0).max(60_000).optional(),
    failureRate: z.number().min(0).max(1).optional(),
    status: z.number().int().min(400).max(599).optional(),
    retryAfter: z.number().min(0).max(86_400).optional(),
    hang: z.boolean().optional(),
    /** Streams only: send half the events, then go silent with the connection open. */
    stall: z.boolean().optional(),
    /** Streams: half the events, then the provider's in-stream error event (non-streams: a 500). */
    streamError: z.boolean().optional(),
    malformed: z.boolean().optional(),
    truncate: z.boolean().optional(),
    invalidSchema: z.boolean().optional(),
    times: z.number().int().min(1).optional(),
    provider: z.string().min(1).optional(),
  })
  .strict()

export type Faults = z.infer<typeof faultsSchema>

/** What happens to one request. */
export type FaultPlan = {
  latencyMs: number
  chunkDelayMs: number
  failure:
    | { kind: 'none' }
    | { kind: 'status'; status: number; retryAfter: number | undefined }
    | { kind: 'hang' }
    | { kind: 'stall' }
    | { kind: 'streamError' }
    | { kind: 'malformed' }
    | { kind: 'truncate' }
    | { kind: 'invalidSchema' }
}

const HEADER_KEYS: Record<string, keyof Faults> = {
  latency: 'latencyMs',
  'latency-ms': 'latencyMs',
  latencyms: 'latencyMs',
  'chunk-delay': 'chunkDelayMs',
  'chunk-delay-ms': 'chunkDelayMs',
  'failure-rate': 'failureRate',
  failurerate: 'failureRate',
  rate: 'failureRate',
  status: 'status',
  'retry-after': 'retryAfter',
  retryafter: 'retryAfter',
  hang: 'hang',
  stall: 'stall',
  'stream-error': 'streamError',
  streamerror: 'streamError',
  malformed: 'malformed',
  truncate: 'truncate',
  'invalid-schema': 'invalidSchema',
  invalidschema: 'invalidSchema',
}

const BOOLEAN_KEYS = new Set<keyof Faults>(['hang', 'stall', 'streamError', 'malformed', 'truncate', 'invalidSchema'])

/** Parse `x-sim-fault`: comma-separated `key=value` pairs or bare flags. Throws on unknown keys. */
export function parseFaultHeader(header: string | undefined): Faults | undefined {
  if (header === undefined || header.trim() === '') return undefined
  const raw: Record<string, unknown> = {}
  for (const part of header.split(/[,;]/)) {
    const item = part.trim()
    if (!item) continue
    const eq = item.indexOf('=')
    const name = (eq === -1 ? item : item.slice(0, eq)).trim().toLowerCase()
    const value = eq === -1 ? undefined : item.slice(eq + 1).trim()
    const key = HEADER_KEYS[name]
    if (key === undefined) throw new Error(`unknown fault "${name}"`)
    if (BOOLEAN_KEYS.has(key))
      raw[key] = value === undefined ? true : !['false', '0', 'no', 'off'].includes(value.toLowerCase())
    else raw[key] = Number(value)
  }
  const parsed = faultsSchema.safeParse(raw)
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
  return parsed.data
}

function hasFailureMode(f: Faults): boolean {
  return (
    f.status !== undefined ||
    f.hang === true ||
    f.stall === true ||
    f.streamError === true ||
    f.malformed === true ||
    f.truncate === true ||
    f.invalidSchema === true
  )
}

/** Server-side fault state: one set for all providers and one per provider, with counters. */
export function createFaultState() {
  let sets = new Map<string, Faults>()
  const counters = new Map<string, number>()

  return {
    /** Replace the faults for one provider (or all, `provider` unset). `undefined`/`{}` clears. */
    set(faults: Faults | undefined, provider?: string) {
      const key = provider ?? faults?.provider ?? '*'
      if (faults === undefined || Object.keys(faults).filter((k) => k !== 'provider').length === 0) sets.delete(key)
      else sets.set(key, { ...faults })
    },
    clear() {
      sets = new Map()
      counters.clear()
    },
    resetCounters() {
      counters.clear()
    },
    current(): Record<string, Faults> {
      return Object.fromEntries(sets)
    },
    /** Decide the plan for the next request of `provider`, given its header faults. */
    plan(provider: string, header: Faults | undefined): FaultPlan {
      const scoped = sets.get(provider)
      const global = sets.get('*')
      const server: Faults = { ...global, ...scoped }
      const effective: Faults = { ...server, ...header }
      const n = (counters.get(provider) ?? 0) + 1
      counters.set(provider, n)
      let fails: boolean
      if (effective.failureRate !== undefined) {
        const rate = effective.failureRate
        fails = Math.floor(n * rate + 1e-9) > Math.floor((n - 1) * rate + 1e-9)
      } else {
        fails = hasFailureMode(effective)
      }
      const plan: FaultPlan = {
        latencyMs: effective.latencyMs ?? 0,
        chunkDelayMs: effective.chunkDelayMs ?? 0,
        failure: { kind: 'none' },
      }
      if (!fails) return plan
      if (effective.hang) plan.failure = { kind: 'hang' }
      else if (effective.status !== undefined || !hasFailureMode(effective)) {
        plan.failure = { kind: 'status', status: effective.status ?? 500, retryAfter: effective.retryAfter }
      } else if (effective.stall) plan.failure = { kind: 'stall' }
      else if (effective.streamError) plan.failure = { kind: 'streamError' }
      else if (effective.malformed) plan.failure = { kind: 'malformed' }
      else if (effective.truncate) plan.failure = { kind: 'truncate' }
      else plan.failure = { kind: 'invalidSchema' }
      // `times` counts down only for server faults that were not overridden by the header.
      for (const [key, set] of [
        [provider, scoped],
        ['*', global],
      ] as const) {
        if (set?.times === undefined) continue
        if (set.times <= 1) sets.delete(key)
        else sets.set(key, { ...set, times: set.times - 1 })
      }
      return plan
    },
  }
}

export type FaultState = ReturnType<typeof createFaultState>
