import { z } from 'zod'
import { errorResponse, uuidParam } from '../../contracts/common.ts'
import {
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
  monitoringReport,
  promoteBody,
} from '../../contracts/governance.ts'
import { listAlertRules, updateAlertRule } from '../../governance/alerts/rules.ts'
import { listAlerts } from '../../governance/alerts/store.ts'
import { aiMonitoring } from '../../governance/monitoring/report.ts'
import { experimentStats } from '../../governance/versions/experiment-stats.ts'
import { promoteExperiment, rollbackExperiment } from '../../governance/versions/lifecycle.ts'
import {
  createExperiment,
  createVersion,
  getExperiment,
  getVersions,
  listExperiments,
  listVersions,
  updateVersion,
} from '../../governance/versions/repository.ts'
import { recordAdminAction } from '../../data/repositories/audit.ts'
import { NotFoundError, ValidationError } from '../../errors.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse }
const admin = { tags: ['admin'], security: [{ bearer: [] }] }

/** Model versions, experiments, AI monitoring and alerts: admins only, changes audited. */
export const adminGovernanceRoutes: RouteModule = (app, { db, hooks, governance }) => {
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
    async (request) => ({
      versions: await db.asUser(principalOf(request).claims, (tx) => listVersions(tx, request.query)),
    }),
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
    async (request, reply) => {
      const { claims, user } = principalOf(request)
      const version = await db.asUser(claims, async (tx) => {
        const v = await createVersion(tx, { ...request.body, createdBy: user.id })
        await recordAdminAction(tx, {
          actorId: user.id,
          action: 'model_version.create',
          target: v.id,
          details: request.body,
        })
        return v
      })
      governance.versions.invalidate(version.feature)
      return reply.code(201).send(version)
    },
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
    async (request) => {
      const { claims, user } = principalOf(request)
      const version = await db.asUser(claims, async (tx) => {
        const v = await updateVersion(tx, request.params.id, request.body)
        if (!v) throw new NotFoundError('Model version')
        await recordAdminAction(tx, {
          actorId: user.id,
          action: 'model_version.update',
          target: v.id,
          details: request.body,
        })
        return v
      })
      governance.versions.invalidate(version.feature)
      return version
    },
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
    async (request) =>
      db.asUser(principalOf(request).claims, async (tx) => {
        const list = await listExperiments(tx, request.query)
        const out = []
        for (const e of list) out.push({ ...e, metrics: await experimentStats(tx, e) })
        return { experiments: out }
      }),
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
    async (request) =>
      db.asUser(principalOf(request).claims, async (tx) => {
        const e = await getExperiment(tx, request.params.id)
        if (!e) throw new NotFoundError('Experiment')
        return { ...e, metrics: await experimentStats(tx, e) }
      }),
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
    async (request, reply) => {
      const { claims, user } = principalOf(request)
      const { feature, variants } = request.body
      const created = await db.asUser(claims, async (tx) => {
        const versions = await getVersions(
          tx,
          variants.map((v) => v.versionId),
        )
        const issues = variants.flatMap((v, i) => {
          const found = versions.find((m) => m.id === v.versionId)
          if (!found) return [{ field: `body.variants.${i}.versionId`, message: 'no such model version' }]
          if (found.feature !== feature)
            return [
              { field: `body.variants.${i}.versionId`, message: `belongs to feature ${found.feature}, not ${feature}` },
            ]
          if (found.status === 'retired') return [{ field: `body.variants.${i}.versionId`, message: 'is retired' }]
          return []
        })
        if (issues.length > 0) throw new ValidationError(issues)
        const running = await listExperiments(tx, { feature, status: 'running' })
        if (running.length > 0)
          throw new ValidationError([
            { field: 'body.feature', message: `experiment ${running[0]!.id} is already running for this feature` },
          ])
        const e = await createExperiment(tx, { feature, variants, createdBy: user.id })
        await recordAdminAction(tx, {
          actorId: user.id,
          action: 'experiment.create',
          target: e.id,
          details: request.body,
        })
        return e
      })
      governance.versions.invalidate(feature)
      return reply.code(201).send(created)
    },
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
    async (request) => {
      const { claims, user } = principalOf(request)
      const e = await db.asUser(claims, (tx) =>
        promoteExperiment(tx, { id: request.params.id, versionId: request.body?.versionId, actorId: user.id }),
      )
      governance.versions.invalidate(e.feature)
      return e
    },
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
    async (request) => {
      const { claims, user } = principalOf(request)
      const e = await db.asUser(claims, (tx) => rollbackExperiment(tx, { id: request.params.id, actorId: user.id }))
      governance.versions.invalidate(e.feature)
      return e
    },
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
    async (request) => ({
      alerts: await db.asUser(principalOf(request).claims, (tx) => listAlerts(tx, request.query)),
    }),
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
    async (request) => ({ rules: await db.asUser(principalOf(request).claims, (tx) => listAlertRules(tx)) }),
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
    async (request) => {
      const { claims, user } = principalOf(request)
      return db.asUser(claims, async (tx) => {
        const rule = await updateAlertRule(tx, request.params.id, request.body)
        if (!rule) throw new NotFoundError('Alert rule')
        await recordAdminAction(tx, {
          actorId: user.id,
          action: 'alert_rule.update',
          target: rule.id,
          details: request.body,
        })
        return rule
      })
    },
  )
}
