import { z } from 'zod'

/**
 * The peer graph's API (docs/graph.md). Peers are anonymous: industry, size band, similarity and
 * shared assessments — never a name, email or id. A figure from fewer than `minGroup` (5) peers is
 * never shown; the answer says "not enough peers yet" and how many are needed. `cohort: "demo"`
 * marks answers computed from the synthetic demo cohort (a fresh install), never mixed with real data.
 */

export const MAX_PEERS_LIMIT = 50

export const similarPeersQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(MAX_PEERS_LIMIT).default(10) })
  .strict()

export const emptyQuery = z.object({}).strict()

const cohort = z
  .enum(['real', 'demo'])
  .describe('real: businesses on this install; demo: the synthetic demo cohort (shown while real peers are too few)')
const explanation = z.string().optional().describe('Why the answer is empty or comes from the demo cohort')

export const similarPeersResponse = z
  .object({
    peers: z.array(
      z.object({
        industry: z.string().nullable(),
        sizeBand: z.string().nullable(),
        similarity: z.number().min(0).max(1),
        sharedAssessments: z.array(z.string()),
        demo: z.boolean(),
      }),
    ),
    cohort,
    explanation,
  })
  .meta({ id: 'SimilarPeers' })

const group = z.enum(['industry_size', 'industry', 'everyone'])

export const areaBenchmark = z.discriminatedUnion('status', [
  z.object({
    area: z.string(),
    status: z.literal('ok'),
    group: group.describe('The narrowest group with enough peers: industry and size band, industry, or everyone'),
    peers: z.number().int(),
    mean: z.number(),
    p10: z.number(),
    p25: z.number(),
    p50: z.number(),
    p75: z.number(),
    p90: z.number(),
    score: z.number().nullable(),
    percentile: z.number().min(0).max(100).nullable().describe('Share of the group below you (ties count half)'),
  }),
  z.object({
    area: z.string(),
    status: z.literal('insufficient_peers').describe('Not enough peers yet: nothing is shown'),
    group: group.nullable(),
    peers: z.number().int(),
    needed: z.number().int().describe('How many more peers the widest group needs'),
    score: z.number().nullable(),
  }),
])

export const benchmarksResponse = z
  .object({ benchmarks: z.array(areaBenchmark), minGroup: z.number().int(), cohort, explanation })
  .meta({ id: 'PeerBenchmarks' })

const areaCount = z.object({ area: z.string(), businesses: z.number().int(), share: z.number() })

export const peerAnalyticsResponse = z
  .object({
    industry: z.string().nullable(),
    status: z.enum(['ok', 'insufficient_peers', 'no_industry']),
    businesses: z.number().int(),
    needed: z.number().int().optional(),
    strengths: z.array(areaCount),
    weaknesses: z.array(areaCount),
    clusters: z.array(
      z.object({
        strongest: z.string(),
        weakest: z.string(),
        businesses: z.number().int(),
        strongestAverage: z.number(),
        weakestAverage: z.number(),
      }),
    ),
    cohort,
    explanation,
  })
  .meta({ id: 'PeerAnalytics' })

export const peerRecommendation = z.object({
  type: z.string(),
  support: z.number().int().describe('How many of your most similar businesses took it'),
  share: z.number(),
  expectedScore: z.number().nullable().describe('Their similarity-weighted mean score; null under 5 supporters'),
  demo: z.boolean(),
})

export const adminGraphResponse = z
  .object({
    backend: z.enum(['sql', 'neo4j']),
    counts: z.object({
      businesses: z.number().int(),
      demoBusinesses: z.number().int(),
      scores: z.number().int(),
      industries: z.number().int(),
    }),
    sync: z.object({
      pending: z.number().int().describe('Profiles changed since the graph last took them'),
      lagSeconds: z.number().nullable().describe('Age of the oldest pending change'),
      lastSyncedAt: z.string().nullable(),
    }),
    drift: z.object({
      checked: z.number().int(),
      inSync: z.number().int(),
      missing: z.number().int(),
      mismatched: z.number().int(),
      extra: z.number().int(),
    }),
    error: z.string().optional().describe('Set when the graph could not be reached'),
  })
  .meta({ id: 'AdminGraph' })

export type SimilarPeersResponse = z.infer<typeof similarPeersResponse>
export type BenchmarksResponse = z.infer<typeof benchmarksResponse>
export type PeerAnalyticsResponse = z.infer<typeof peerAnalyticsResponse>
export type PeerRecommendation = z.infer<typeof peerRecommendation>
export type AdminGraphResponse = z.infer<typeof adminGraphResponse>
