import { errorResponse } from '../../contracts/common.ts'
import {
  anomaliesQuery,
  anomaliesResponse,
  churnQuery,
  churnResponse,
  forecastQuery,
  forecastResponse,
  importKpiResponse,
  kpiListResponse,
  kpiMonthRequest,
  kpiNarrativeResponse,
  narrativeQuery,
  recordKpiResponse,
} from '../../contracts/kpis.ts'
import { MAX_CSV_BYTES } from '../../app/kpis/kpis.ts'
import { OptimaliqError } from '../../errors.ts'
import { callerOf } from '../../app/deps.ts'
import { principalOf } from '../plugins/auth.ts'
import type { RouteModule } from '../types.ts'

/** KPI tracking: record months (one or a CSV file), read them back, forecast, and scan for anomalies. */
export const kpiRoutes: RouteModule = async (app, { kpis, hooks }) => {
  const security = [{ bearer: [] }]

  app.post(
    '/api/kpis',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['kpis'],
        summary: 'Record one month of KPIs',
        description:
          'Inserts or replaces the month (metrics left out are stored as not recorded). Anomalies found for the first time are returned and announced as `kpi.anomaly` events.',
        security,
        body: kpiMonthRequest,
        response: { 200: recordKpiResponse, 400: errorResponse, 401: errorResponse },
      },
    },
    async (request) => kpis.recordMonth(principalOf(request).claims, request.body),
  )

  app.get(
    '/api/kpis',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['kpis'],
        summary: 'Recorded months with churn rate',
        security,
        response: { 200: kpiListResponse, 401: errorResponse },
      },
    },
    async (request) => ({ months: await kpis.list(principalOf(request).claims) }),
  )

  // CSV bodies only on this route: a scope with its own parser and size limit.
  await app.register(async (scope) => {
    scope.addContentTypeParser(
      ['text/csv', 'application/csv'],
      { parseAs: 'string', bodyLimit: MAX_CSV_BYTES },
      (_request, body, done) => done(null, body),
    )
    scope.post(
      '/api/kpis/import',
      {
        onRequest: hooks.requireUser,
        schema: {
          tags: ['kpis'],
          summary: 'Import months from a CSV file (Content-Type: text/csv)',
          description:
            'Header: month and any of revenue, costs, customers, new_customers, churned_customers, leads, cash. Every problem is reported with its line and column (`details`), and nothing is imported unless every row is valid (one transaction).',
          security,
          response: {
            200: importKpiResponse,
            400: errorResponse,
            401: errorResponse,
            413: errorResponse,
            415: errorResponse,
          },
        },
      },
      async (request) => {
        if (typeof request.body !== 'string') {
          throw new OptimaliqError(
            'unsupported_media_type',
            'Send the file as the request body with Content-Type: text/csv',
            { status: 415 },
          )
        }
        return kpis.importCsv(principalOf(request).claims, request.body)
      },
    )
  })

  app.get(
    '/api/kpis/forecast',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['kpis'],
        summary: 'Forecast one KPI',
        description:
          'Seasonal Holt–Winters from 24 consecutive months, damped-trend Holt from 6; 80 % and 95 % intervals and a backtest. With too little history it says what is missing.',
        security,
        querystring: forecastQuery,
        response: { 200: forecastResponse, 400: errorResponse, 401: errorResponse },
      },
    },
    async (request) => kpis.forecast(principalOf(request).claims, request.query.metric, request.query.months),
  )

  app.get(
    '/api/kpis/churn',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['kpis'],
        summary: 'Monthly churn rate and its forecast',
        security,
        querystring: churnQuery,
        response: { 200: churnResponse, 400: errorResponse, 401: errorResponse },
      },
    },
    async (request) => kpis.churn(principalOf(request).claims, request.query.months),
  )

  app.get(
    '/api/kpis/anomalies',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['kpis'],
        summary: 'Unusual months in every KPI (or one)',
        description:
          'Robust detection on seasonally adjusted residuals (median/MAD, Theil–Sen trend); each anomaly with its expected range and an explanation.',
        security,
        querystring: anomaliesQuery,
        response: { 200: anomaliesResponse, 400: errorResponse, 401: errorResponse },
      },
    },
    async (request) => kpis.anomalies(principalOf(request).claims, request.query.metric),
  )

  app.get(
    '/api/kpis/narrative',
    {
      onRequest: hooks.requireUser,
      schema: {
        tags: ['kpis'],
        summary: 'The KPI trends explained in words (kpi_narrative)',
        description:
          'Every number is computed in code (changes, forecasts, anomalies); the AI only explains them. Without a provider the rules engine writes it (`provider: "rules"`).',
        security,
        querystring: narrativeQuery,
        response: { 200: kpiNarrativeResponse, 400: errorResponse, 401: errorResponse },
      },
    },
    async (request) => {
      const { user, claims } = principalOf(request)
      return kpis.narrative(claims, callerOf(user, request.id), request.query.months)
    },
  )
}
