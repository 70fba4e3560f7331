import { z } from 'zod'
import { errorResponse, uuidParam } from '../../contracts/common.ts'
import {
  adminBudgetsResponse,
  alert,
  alertQuery,
  alertRule,
  alertRulePatch,
  experiment,
  experimentCreate,
  featureQuery,
  modelVersion,
  modelVersionCreate,
  modelVersionPatch,
  monitoringQuery,
  usageSeriesQuery,
  usageSeriesResponse,
  monitoringReport,
  promoteBody,
} from '../../contracts/governance.ts'
import { acknowledgeAlert, alertRulesFor, alertsFor, changeAlertRule } from '../../app/admin/alerts.ts'
import { globalBudgets } from '../../app/admin/budgets.ts'
import {
  changeModelVersion,
  createModelVersion,
  experimentWithMetrics,
  listExperimentsWithMetrics,
  listModelVersions,
  promote,
  rollback,
  startExperiment,
  type Actor,
} from '../../app/admin/model-versions.ts'
import { aiMonitoring } from '../../governance/monitoring/report.ts'
import { usageSeries } from '../../governance/monitoring/usage-series.ts'
import { principalOf } from '../plugins/auth.ts'
import type { FastifyRequest } from 'fastify'
import type { RouteModule } from '../types.ts'

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse }
const admin = { tags: ['admin'], security: [{ bearer: [] }] }

const actorOf = (request: FastifyRequest): Actor => {
  const { claims, user } = principalOf(request)
  return { claims, userId: user.id }
}

/** Model versions, experiments, AI monitoring and alerts: admins only, changes audited. */
export const adminGovernanceRoutes: RouteModule = (app, { db, hooks, governance }) => {
  const deps = { db, versions: governance.versions }
  app.get(
    '/api/admin/model-versions',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'List model versions',
        querystring: featureQuery,
        response: { 200: z.object({ versions: z.array(modelVersion) }), ...errors },
      },
    },
    async (request) => ({ versions: await listModelVersions(deps, actorOf(request), request.query) }),
  )

  app.post(
    '/api/admin/model-versions',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'Create a model version',
        body: modelVersionCreate,
        response: { 201: modelVersion, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await createModelVersion(deps, actorOf(request), request.body)),
  )

  app.patch(
    '/api/admin/model-versions/:id',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'Change a model version (status: candidate, active, retired)',
        params: uuidParam,
        body: modelVersionPatch,
        response: { 200: modelVersion, ...errors },
      },
    },
    async (request) => changeModelVersion(deps, actorOf(request), request.params.id, request.body),
  )

  app.get(
    '/api/admin/experiments',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'List experiments with per-variant metrics',
        querystring: featureQuery,
        response: { 200: z.object({ experiments: z.array(experiment) }), ...errors },
      },
    },
    async (request) => ({ experiments: await listExperimentsWithMetrics(deps, actorOf(request), request.query) }),
  )

  app.get(
    '/api/admin/experiments/:id',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'One experiment with per-variant metrics and significance',
        params: uuidParam,
        response: { 200: experiment, ...errors },
      },
    },
    async (request) => experimentWithMetrics(deps, actorOf(request), request.params.id),
  )

  app.post(
    '/api/admin/experiments',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: "Split a feature's traffic between model versions",
        body: experimentCreate,
        response: { 201: experiment, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await startExperiment(deps, actorOf(request), request.body)),
  )

  app.post(
    '/api/admin/experiments/:id/promote',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'Promote a variant (default: the one with the lowest error rate) to active',
        params: uuidParam,
        body: promoteBody.optional(),
        response: { 200: experiment, ...errors },
      },
    },
    async (request) => promote(deps, actorOf(request), request.params.id, request.body?.versionId),
  )

  app.post(
    '/api/admin/experiments/:id/rollback',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'Stop an experiment, or undo its promotion',
        params: uuidParam,
        response: { 200: experiment, ...errors },
      },
    },
    async (request) => rollback(deps, actorOf(request), request.params.id),
  )

  app.get(
    '/api/admin/ai-monitoring',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'AI requests, errors, latency, tokens, cost, uptime and series by provider, model and feature',
        querystring: monitoringQuery,
        response: { 200: monitoringReport, ...errors },
      },
    },
    async (request) => aiMonitoring(db, request.query.window),
  )

  app.get(
    '/api/admin/ai-monitoring/series',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'Tokens, cost and requests over time, one series per provider, model or feature',
        querystring: usageSeriesQuery,
        response: { 200: usageSeriesResponse, ...errors },
      },
    },
    async (request) => usageSeries(db, request.query),
  )

  app.get(
    '/api/admin/alerts',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'Alerts, newest first',
        querystring: alertQuery,
        response: { 200: z.object({ alerts: z.array(alert) }), ...errors },
      },
    },
    async (request) => ({ alerts: await alertsFor(db, actorOf(request), request.query) }),
  )

  app.get(
    '/api/admin/budgets',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'Install-wide AI budgets against their limits',
        response: { 200: adminBudgetsResponse, ...errors },
      },
    },
    async () => ({ budgets: await globalBudgets(governance) }),
  )

  app.post(
    '/api/admin/alerts/:id/acknowledge',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'Acknowledge an alert (once; it keeps firing until its condition clears)',
        params: uuidParam,
        response: { 200: alert, ...errors },
      },
    },
    async (request) => acknowledgeAlert(db, actorOf(request), request.params.id),
  )

  app.get(
    '/api/admin/alert-rules',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'Alert rules',
        response: { 200: z.object({ rules: z.array(alertRule) }), ...errors },
      },
    },
    async (request) => ({ rules: await alertRulesFor(db, actorOf(request)) }),
  )

  app.patch(
    '/api/admin/alert-rules/:id',
    {
      onRequest: hooks.requireAdmin,
      schema: {
        ...admin,
        summary: 'Change an alert rule',
        params: z.object({ id: z.string().min(1).max(100) }),
        body: alertRulePatch,
        response: { 200: alertRule, ...errors },
      },
    },
    async (request) => changeAlertRule(db, actorOf(request), request.params.id, request.body),
  )
}
