import { errorResponse } from '../../contracts/common.ts'
import {
  adminGraphResponse,
  benchmarksResponse,
  emptyQuery,
  peerAnalyticsResponse,
  similarPeersQuery,
  similarPeersResponse,
} from '../../contracts/peers.ts'
import { adminGraph, peerAnalytics, peerBenchmarks, similarPeers, type PeersDeps } from '../../app/peers/peers.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const security = [{ bearer: [] }]
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse }

/** Anonymous peers, benchmarks and industry analytics from the peer graph; the admin's view of the graph. */
export const peerRoutes: RouteModule = (app, deps) => {
  const peers: PeersDeps = {
    db: deps.db,
    graph: deps.graph,
    logger: deps.logger,
    minGroup: deps.config.features.benchmarkMinPeers,
  }

  app.get(
    '/api/peers/similar',
    {
      onRequest: deps.hooks.requireUser,
      schema: {
        tags: ['peers'],
        summary: 'Anonymous businesses most similar to yours (industry, size band, similarity, shared assessments)',
        security,
        querystring: similarPeersQuery,
        response: { 200: similarPeersResponse, ...errors },
      },
    },
    async (request) => similarPeers(peers, principalOf(request).user.id, request.query.limit),
  )

  app.get(
    '/api/benchmarks',
    {
      onRequest: deps.hooks.requireUser,
      schema: {
        tags: ['peers'],
        summary: 'Per area: your score, peer percentiles (p10–p90), your percentile, the peer group and its size',
        security,
        querystring: emptyQuery,
        response: { 200: benchmarksResponse, ...errors },
      },
    },
    async (request) => peerBenchmarks(peers, principalOf(request).user.id),
  )

  app.get(
    '/api/peers/analytics',
    {
      onRequest: deps.hooks.requireUser,
      schema: {
        tags: ['peers'],
        summary: "Your industry's most common strengths and weaknesses, and clusters of similar profiles",
        security,
        querystring: emptyQuery,
        response: { 200: peerAnalyticsResponse, ...errors },
      },
    },
    async (request) => peerAnalytics(peers, principalOf(request).user.id),
  )

  app.get(
    '/api/admin/graph',
    {
      onRequest: deps.hooks.requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'The peer graph: counts, sync lag and drift against the database',
        security,
        querystring: emptyQuery,
        response: { 200: adminGraphResponse, ...errors },
      },
    },
    async () => adminGraph(peers),
  )
}
