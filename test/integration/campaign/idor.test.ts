import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertAiLog } from '../../helpers/ai-log.ts'
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { BACKENDS } from '../../helpers/backends.ts'
import { growthAnswers } from '../../helpers/growth.ts'

/**
 * The IDOR part of the reliability campaign (issue 17, docs/RELIABILITY.md): every operation of the
 * app's own /openapi.json that takes an id in its path is called by user B with user A's real ids.
 * Promise: 404 (or 403 on admin routes), never A's data in the body, A's rows unchanged — and the
 * same request by A succeeds, so the ids and bodies were real. A new `:id` route without an entry
 * in RESOURCES fails the suite.
 */
const FIXTURES = new URL('../../fixtures/assessments/', import.meta.url).pathname
const MARK = 'A-SECRET-7f3c'
const SALES = {
  crm_usage: 'basic_crm',
  practices: ['playbook', 'forecasting'],
  priority_rank: ['referrals', 'retention', 'discounting'],
  biggest_blocker: `${MARK} leads go cold`,
}
const GROWTH = growthAnswers()

const ITEM = {
  title: 'Document the sales process',
  source: 'roadmap',
  owner: 'Sales lead',
  due: '2027-03-31',
  progress: 20,
  status: 'doing',
}
type Ids = {
  key: string
  submission: string
  task: string
  lever: string
  document: string
  answer: string
  plan: string
  user: string
  response: string
}
/** `v1`: an OpenAI-compatible route, called with each user's API key instead of the session. */
type Resource = { params: (ids: Ids) => Record<string, string>; body?: unknown; admin?: boolean; v1?: boolean }

/** Every path with an id, how to fill it with A's ids, and a body the owner's request would accept. */
const RESOURCES: Record<string, Resource> = {
  'delete /api/keys/{id}': { params: (i) => ({ id: i.key }) },
  'post /api/keys/{id}/rotate': { params: (i) => ({ id: i.key }), body: { graceSeconds: 60 } },
  'get /api/admin/users/{id}/keys': { params: (i) => ({ id: i.user }), admin: true },
  'put /api/admin/keys/{id}/overrides': {
    params: (i) => ({ id: i.key }),
    body: { limits: { requestsPerMinute: 1 } },
    admin: true,
  },
  'delete /api/admin/keys/{id}/overrides': { params: (i) => ({ id: i.key }), admin: true },
  'put /api/admin/users/{id}/key-overrides': {
    params: (i) => ({ id: i.user }),
    body: { allowedModels: ['none'] },
    admin: true,
  },
  'delete /api/admin/users/{id}/key-overrides': { params: (i) => ({ id: i.user }), admin: true },
  'get /v1/responses/{id}': { params: (i) => ({ id: i.response }), v1: true },
  'delete /v1/responses/{id}': { params: (i) => ({ id: i.response }), v1: true },
  'get /api/assessments/{type}/submissions/{id}': { params: (i) => ({ type: 'sales', id: i.submission }) },
  'get /api/ai/tasks/{id}': { params: (i) => ({ id: i.task }) },
  'patch /api/growth_studio/levers/{id}/progress': { params: (i) => ({ id: i.lever }), body: { progress: 77 } },
  'get /api/documents/{id}': { params: (i) => ({ id: i.document }) },
  'delete /api/documents/{id}': { params: (i) => ({ id: i.document }) },
  'post /api/ai/answers/{requestId}/feedback': { params: (i) => ({ requestId: i.answer }), body: { rating: 'down' } },
  'post /api/insights/{requestId}/feedback': { params: (i) => ({ requestId: i.answer }), body: { rating: 'down' } },
  'patch /api/plans/{id}': { params: (i) => ({ id: i.plan }), body: { title: 'pwned', items: [ITEM] } },
  'delete /api/plans/{id}': { params: (i) => ({ id: i.plan }) },
  'patch /api/admin/users/{id}': { params: (i) => ({ id: i.user }), body: { tier: 'enterprise' }, admin: true },
  'patch /api/admin/model-versions/{id}': {
    params: () => ({ id: randomUUID() }),
    body: { status: 'retired' },
    admin: true,
  },
  'get /api/admin/experiments/{id}': { params: () => ({ id: randomUUID() }), admin: true },
  'post /api/admin/experiments/{id}/promote': { params: () => ({ id: randomUUID() }), body: {}, admin: true },
  'post /api/admin/experiments/{id}/rollback': { params: () => ({ id: randomUUID() }), body: {}, admin: true },
  'post /api/admin/alerts/{id}/acknowledge': { params: () => ({ id: randomUUID() }), body: {}, admin: true },
  'patch /api/admin/alert-rules/{id}': {
    params: () => ({ id: 'high_error_rate' }),
    body: { threshold: 0.5 },
    admin: true,
  },
}
/** A's rows, as the owner sees them: B's requests must not change one. */
const OWNED = [
  'api_keys',
  'assessment_submissions',
  'ai_tasks',
  'growth_levers',
  'documents',
  'ai_feedback',
  'ai_responses',
  'strategy_plans',
  'users',
]

describe.skipIf(BACKENDS.length === 0)('IDOR on every route with an id', () => {
  const backend = BACKENDS.includes('postgres') ? 'postgres' : 'pglite'
  let t: TestApp
  let a: Awaited<ReturnType<typeof signUp>>
  let b: Awaited<ReturnType<typeof signUp>>
  /** API-key headers for /v1 routes (A's is not the key A deletes through /api/keys). */
  let aV1: Record<string, string>
  let bV1: Record<string, string>
  let ids: Ids
  let operations: Array<{ key: string; method: string; path: string }>
  let adminOperations: Array<{ key: string; method: string; path: string }>
  const tally = { requests: 0, refused: 0 }

  const call = (auth: Record<string, string>, method: string, url: string, payload?: unknown) =>
    t.app.inject({
      method: method.toUpperCase() as 'GET',
      url,
      headers: auth,
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    })
  const ok = async (auth: Record<string, string>, method: string, url: string, payload?: unknown) => {
    const response = await call(auth, method, url, payload)
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
    return response.json() as Record<string, unknown>
  }

  beforeAll(async () => {
    t = await startTestApp(backend, {
      ASSESSMENT_CONFIG_DIR: FIXTURES,
      AI_ENABLED: 'false',
      ASSESSMENT_RETAKE_DAYS: '0',
    })
    a = await signUp(t.app, { industry: 'Retail' })
    b = await signUp(t.app, { industry: 'Retail' })
    const key = await ok(a.auth, 'post', '/api/keys', { name: `${MARK} key` })
    aV1 = { authorization: `Bearer ${String((await ok(a.auth, 'post', '/api/keys', { name: 'v1' })).key)}` }
    bV1 = { authorization: `Bearer ${String((await ok(b.auth, 'post', '/api/keys', { name: 'v1' })).key)}` }
    const response = `resp_${randomUUID().replace(/-/g, '')}`
    await t.container.db.query(
      `insert into ai_responses (id, user_id, model, input, output, response) values ($1, $2, 'm', '[]', '[]', $3)`,
      [response, a.user.id, JSON.stringify({ id: response, object: 'response', output_text: `${MARK} answer` })],
    )
    const submission = await ok(a.auth, 'post', '/api/assessments/sales', { answers: SALES })
    await ok(a.auth, 'post', '/api/growth-assessment', GROWTH)
    const levers = (await ok(a.auth, 'post', '/api/growth_studio/levers', {})) as { levers: Array<{ id: string }> }
    const task = await ok(a.auth, 'post', '/api/ai/process', {
      type: 'assessment_analysis',
      input: { assessmentType: 'growth', scores: { strategy: 1.5, process: 2.5, technology: 4.5 } },
    })
    const plan = await ok(a.auth, 'post', '/api/plans', { title: `${MARK} plan`, items: [ITEM] })
    const [document] = await t.container.db.query<{ id: string }>(
      `insert into documents (user_id, filename, media_type, size_bytes, sha256, width, height, status)
       values ($1, $2, 'image/png', 5, 'x', 1, 1, 'queued') returning id`,
      [a.user.id, `${MARK}.png`],
    )
    const [answer] = await insertAiLog(t.container.db, [
      {
        at: new Date(),
        userId: a.user.id,
        feature: 'growth_levers',
        provider: 'rules',
        model: 'rules',
        modelVersion: null,
      },
    ])
    ids = {
      key: key.id as string,
      submission: submission.id as string,
      task: task.taskId as string,
      lever: levers.levers[0]!.id,
      document: document!.id,
      answer: answer!,
      plan: plan.id as string,
      user: a.user.id,
      response,
    }
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>
    }
    adminOperations = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith('/api/admin'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ key: `${method} ${path}`, method, path })))
    operations = Object.entries(spec.paths)
      // Ids, not names: `{type}` of an assessment is the same for everyone.
      .filter(([path]) => /\{(id|\w+Id)\}/.test(path))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ key: `${method} ${path}`, method, path })))
  })
  afterAll(async () => {
    console.warn(
      `[campaign] idor on ${backend}: ${operations?.length} operations with ids and ${adminOperations?.length} admin operations, ${tally.requests} requests with another user's ids or a user's token, ${tally.refused} refused`,
    )
    await t?.close()
  })

  const urlOf = (path: string, params: Record<string, string>) =>
    path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? 'missing'))
  const snapshot = async () => {
    const out: Record<string, string> = {}
    for (const table of OWNED) {
      const column = table === 'users' ? 'id' : 'user_id'
      const [row] = await t.container.db.query<{ digest: string }>(
        `select count(*) || ':' || coalesce(md5(string_agg(x::text, '|' order by x::text)), '') as digest from ${table} x where ${column} = $1`,
        [a.user.id],
      )
      out[table] = row!.digest
    }
    const [feedback] = await t.container.db.query<{ n: number }>(
      'select count(*)::int as n from ai_feedback where request_id = $1',
      [ids.answer],
    )
    out.feedbackOnA = String(feedback!.n)
    return out
  }

  it('knows every operation that takes an id', () => {
    expect(operations.length).toBeGreaterThan(10)
    expect(operations.map((o) => o.key).filter((k) => !(k in RESOURCES))).toEqual([])
  })

  it('answers B with 404 (403 on admin routes), without A’s data, and changes nothing of A’s', async () => {
    const before = await snapshot()
    const leaks: string[] = []
    for (const { key, method, path } of operations) {
      const resource = RESOURCES[key]!
      const url = urlOf(path, resource.params(ids))
      const response = await call(resource.v1 ? bV1 : b.auth, method, url, resource.body)
      tally.requests += 1
      const expected = resource.admin ? [403] : [403, 404]
      if (!expected.includes(response.statusCode))
        leaks.push(`${key} → ${response.statusCode} ${response.body.slice(0, 200)}`)
      else tally.refused += 1
      if (response.body.includes(MARK) || response.body.includes(a.user.email))
        leaks.push(`${key}: A's data in the body`)
    }
    expect(leaks).toEqual([])
    expect(await snapshot()).toEqual(before)
  })

  it('closes every admin operation to a user (403) and to no one (401)', async () => {
    expect(adminOperations.length).toBeGreaterThan(10)
    const open: string[] = []
    for (const { key, method, path } of adminOperations) {
      const url = path.replace(/\{\w+\}/g, randomUUID())
      const body = method === 'get' ? undefined : {}
      for (const [who, auth, expected] of [
        ['user', b.auth, 403],
        ['nobody', {}, 401],
      ] as const) {
        const response = await call(auth, method, url, body)
        tally.requests += 1
        if (response.statusCode === expected) tally.refused += 1
        else open.push(`${key} as ${who} → ${response.statusCode}`)
      }
    }
    expect(open).toEqual([])
  })

  it('the same requests succeed for A (the ids and bodies were real), deletions last', async () => {
    const own = operations
      .filter((o) => !RESOURCES[o.key]!.admin)
      .sort((x, y) => Number(x.method === 'delete') - Number(y.method === 'delete'))
    for (const { key, method, path } of own) {
      const resource = RESOURCES[key]!
      const response = await call(resource.v1 ? aV1 : a.auth, method, urlOf(path, resource.params(ids)), resource.body)
      expect(response.statusCode, `${key}: ${response.body.slice(0, 200)}`).toBeLessThan(300)
    }
  })
})
