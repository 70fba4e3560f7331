import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rows, type Claims } from '../../../src/data/db.ts'
import {
  lockProfile,
  profileFields,
  readProfileVersion,
  recordSubmission,
} from '../../../src/data/repositories/assessments.ts'
import { profiles } from '../../../src/data/schema.ts'
import { computeOverallScore } from '../../../src/domain/assessments/overall.ts'
import { DEEP_ASSESSMENT_TYPES } from '../../../src/domain/assessments/types.ts'
import { pgErrorMessage } from '../../../src/errors.ts'
import { createContainer } from '../../../src/main/container.ts'
import { errorOf, signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { createTestDatabase, describeBackends, testConfig } from '../../helpers/backends.ts'
import { growthAnswers } from '../../helpers/growth.ts'

const FIXTURES = new URL('../../fixtures/assessments/', import.meta.url).pathname

const BEST = {
  crm_usage: 'crm_automated',
  practices: ['weekly_review', 'forecasting', 'playbook'],
  priority_rank: ['retention', 'referrals', 'discounting'],
  team_size: 'dedicated',
}
// 3.31 by hand: see src/domain/assessments/scoring.test.ts
const MIXED = {
  crm_usage: 'basic_crm',
  practices: ['playbook', 'forecasting'],
  priority_rank: ['referrals', 'retention', 'discounting'],
  biggest_blocker: 'Leads go cold after the first call.',
}
const GROWTH = growthAnswers()

type Json = Record<string, unknown>

describeBackends('assessments', (backend) => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp(backend, { ASSESSMENT_CONFIG_DIR: FIXTURES })
  })
  afterAll(() => t?.close())

  const inject = (auth: Json, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: auth as Record<string, string>,
      ...(payload === undefined ? {} : { payload: payload as Json }),
    })
  const count = async (table: string, userId: string) =>
    Number(
      (
        await t.container.db.query<{ n: number }>(`select count(*)::int as n from ${table} where user_id = $1`, [
          userId,
        ])
      )[0]!.n,
    )
  const profileRow = async (userId: string) =>
    (await t.container.db.query<Json>('select * from profiles where user_id = $1', [userId]))[0]!

  it('maps every assessment type to its profile columns', () => {
    for (const type of DEEP_ASSESSMENT_TYPES) {
      const f = profileFields(type)
      expect(profiles[f.score].name).toBe(`${type}_score`)
      expect(profiles[f.lastTaken].name).toBe(`${type}_last_taken`)
    }
  })

  it('runs the whole flow: list, questions of the bracket, submit, scores, history, events', async () => {
    const u = await signUp(t.app)
    const list = await inject(u.auth, 'GET', '/api/assessments')
    expect(list.statusCode).toBe(200)
    expect(list.json()).toMatchObject({
      assessments: [
        { type: 'bpm', bracketKey: 'score_1', questionCount: 2, score: null, lastTaken: null, retakeAvailableAt: null },
        {
          type: 'sales',
          bracketKey: 'score_1',
          questionCount: 5,
          score: null,
          lastTaken: null,
          retakeAvailableAt: null,
        },
      ],
      growth: { baseScore: null, lastTaken: null },
      overallScore: null,
    })

    const questions = await inject(u.auth, 'GET', '/api/assessments/sales')
    expect(questions.statusCode).toBe(200)
    const q = questions.json() as { bracketKey: string; groups: Array<{ key: string; questions: Array<Json> }> }
    expect(q.bracketKey).toBe('score_1')
    expect(q.groups.map((g) => g.key)).toEqual(['pipeline', 'priorities'])
    expect(q.groups[0]!.questions[0]).toMatchObject({
      key: 'crm_usage',
      type: 'select',
      prompt: expect.stringContaining('[score_1]'),
    })
    expect(JSON.stringify(q.groups)).not.toContain('"score"') // option scores are not disclosed

    const submitted = await inject(u.auth, 'POST', '/api/assessments/sales', { answers: MIXED, bracketKey: 'score_1' })
    expect(submitted.statusCode).toBe(201)
    const result = submitted.json() as {
      id: string
      score: number
      bracketKey: string
      overallScore: number
      takenAt: string
    }
    expect(result).toMatchObject({
      type: 'sales',
      score: 3.31,
      bracketKey: 'score_3',
      bracketLabel: 'Level 3',
      overallScore: 3.31,
    })

    const scores = (await inject(u.auth, 'GET', '/api/scores')).json() as {
      overallScore: number
      assessments: Record<string, Json>
    }
    expect(scores.overallScore).toBe(3.31)
    expect(scores.assessments.sales).toEqual({ score: 3.31, lastTaken: result.takenAt })
    expect(scores.assessments.bpm).toEqual({ score: null, lastTaken: null })

    const history = (await inject(u.auth, 'GET', '/api/assessments/sales/history')).json() as {
      submissions: Array<Json>
    }
    expect(history.submissions).toEqual([
      {
        id: result.id,
        score: 3.31,
        bracketKey: 'score_3',
        bracketLabel: 'Level 3',
        bracketServed: 'score_1',
        baseScoreAtTime: null,
        answers: MIXED,
        takenAt: result.takenAt,
      },
    ])

    // The overall score moved the user to score_3: the next assessment is served from that bracket.
    const after = (await inject(u.auth, 'GET', '/api/assessments')).json() as { assessments: Array<Json> }
    expect(after.assessments[1]).toMatchObject({
      type: 'sales',
      score: 3.31,
      lastTaken: result.takenAt,
      bracketKey: 'score_3',
    })
    expect(Date.parse(after.assessments[1]!.retakeAvailableAt as string) - Date.parse(result.takenAt)).toBe(
      30 * 86_400_000,
    )
    expect(((await inject(u.auth, 'GET', '/api/assessments/bpm')).json() as Json).bracketKey).toBe('score_3')
    // Answers to the questions of a bracket the user has since left are refused, not misread.
    const stale = await inject(u.auth, 'POST', '/api/assessments/bpm', {
      answers: { documentation: 'all' },
      bracketKey: 'score_1',
    })
    expect(stale.statusCode).toBe(409)
    expect(errorOf(stale).error).toMatchObject({ code: 'bracket_changed', details: { bracketKey: 'score_3' } })

    const events = await t.container.db.query<{ type: string; payload: Json }>(
      'select type, payload from events where user_id = $1 order by id',
      [u.user.id],
    )
    expect(events).toEqual([
      {
        type: 'assessment.completed',
        payload: { submissionId: result.id, type: 'sales', score: 3.31, overallScore: 3.31 },
      },
      {
        type: 'profile.updated',
        payload: { fields: ['sales_score', 'sales_last_taken', 'overall_score'], overallScore: 3.31 },
      },
    ])
  })

  it('writes the submission, the profile and both events in one transaction', async () => {
    const u = await signUp(t.app)
    const { id } = (await inject(u.auth, 'POST', '/api/assessments/sales', { answers: BEST })).json() as { id: string }
    const xids = await t.container.db.query<{ xid: string }>(
      `select xmin::text as xid from assessment_submissions where id = $1
       union all select xmin::text from profiles where user_id = $2
       union all select xmin::text from events where user_id = $2`,
      [id, u.user.id],
    )
    expect(xids).toHaveLength(4)
    expect(new Set(xids.map((r) => r.xid)).size).toBe(1)
  })

  it("delivers the submission's events to the process's event hub (outbox + NOTIFY)", async () => {
    const u = await signUp(t.app)
    const seen: Array<{ type: string; payload: Record<string, unknown> }> = []
    let done!: () => void
    const both = new Promise<void>((resolve) => (done = resolve))
    const off = t.container.events.subscribe('*', (event) => {
      if (event.userId !== u.user.id) return
      seen.push({ type: event.type, payload: event.payload })
      if (seen.length === 2) done()
    })
    try {
      const { id } = (await inject(u.auth, 'POST', '/api/assessments/sales', { answers: BEST })).json() as {
        id: string
      }
      await both
      expect(seen).toEqual([
        { type: 'assessment.completed', payload: { submissionId: id, type: 'sales', score: 5, overallScore: 5 } },
        {
          type: 'profile.updated',
          payload: { fields: ['sales_score', 'sales_last_taken', 'overall_score'], overallScore: 5 },
        },
      ])
    } finally {
      off()
    }
  })

  it('reaches the score_5 bracket', async () => {
    const u = await signUp(t.app)
    const best = (await inject(u.auth, 'POST', '/api/assessments/sales', { answers: BEST })).json() as Json
    expect(best).toMatchObject({ score: 5, bracketKey: 'score_5', overallScore: 5 })
    expect(((await inject(u.auth, 'GET', '/api/assessments/bpm')).json() as Json).bracketKey).toBe('score_5')
    const bpm = await inject(u.auth, 'POST', '/api/assessments/bpm', { answers: { documentation: 'none' } })
    expect(bpm.json()).toMatchObject({ score: 1, bracketKey: 'score_1', overallScore: 3 })
    const [row] = await t.container.db.query<{ bracket_served: string }>(
      "select bracket_served from assessment_submissions where user_id = $1 and type = 'bpm'",
      [u.user.id],
    )
    expect(row?.bracket_served).toBe('score_5')
  })

  it('scores the growth assessment, stores it and serves the bracket of the base score', async () => {
    const u = await signUp(t.app)
    const response = await inject(u.auth, 'POST', '/api/growth-assessment', GROWTH)
    expect(response.statusCode).toBe(201)
    expect(response.json()).toMatchObject({
      strategyScore: 3.5,
      processScore: 4,
      technologyScore: 2.5,
      baseScore: 3.35,
      overallScore: 3.35,
    })
    const profile = await profileRow(u.user.id)
    expect(profile).toMatchObject({ industry: 'Retail', company_size: '11-50', revenue_range: '1m_5m' })
    expect(Number(profile.base_score)).toBe(3.35)
    expect(await count('growth_assessments', u.user.id)).toBe(1)
    expect(((await inject(u.auth, 'GET', '/api/assessments/sales')).json() as Json).bracketKey).toBe('score_3')
    // A deep assessment joins the growth areas in the overall score with its weight.
    const sales = (await inject(u.auth, 'POST', '/api/assessments/sales', { answers: BEST })).json() as Json
    expect(sales.overallScore).toBe(computeOverallScore({ strategy: 3.5, process: 4, technology: 2.5, sales: 5 }))
    const scores = (await inject(u.auth, 'GET', '/api/scores')).json() as Json
    expect(scores).toMatchObject({
      baseScore: 3.35,
      strategyScore: 3.5,
      processScore: 4,
      technologyScore: 2.5,
      overallScore: sales.overallScore,
    })

    const bad = await inject(u.auth, 'POST', '/api/growth-assessment', {
      ...GROWTH,
      technology: 'steam',
      process: 'yes',
    })
    expect(bad.statusCode).toBe(400)
    expect(
      errorOf(bad)
        .error.details?.map((d) => d.field)
        .sort(),
    ).toEqual(['body.process', 'body.technology'])
    expect(await count('growth_assessments', u.user.id)).toBe(1)
  })

  it('refuses every kind of bad answer with one 400 listing each field, and writes nothing', async () => {
    const u = await signUp(t.app)
    const before = await profileRow(u.user.id)
    const response = await inject(u.auth, 'POST', '/api/assessments/sales', {
      answers: {
        // crm_usage missing (required)
        practices: ['playbook', 'telepathy'], // option not offered
        priority_rank: 'retention', // wrong type
        team_size: ['founder', 'dedicated'], // more than one value for a select
        biggest_blocker: 'x'.repeat(1001), // text over 1,000 characters
        horoscope: 'leo', // unknown question
      },
    })
    expect(response.statusCode).toBe(400)
    const { error } = errorOf(response)
    expect(error.code).toBe('validation_failed')
    expect(error.details?.map((d) => d.field).sort()).toEqual([
      'body.answers.biggest_blocker',
      'body.answers.crm_usage',
      'body.answers.horoscope',
      'body.answers.practices',
      'body.answers.priority_rank',
      'body.answers.team_size',
    ])
    const tooMany = await inject(u.auth, 'POST', '/api/assessments/sales', {
      answers: { ...BEST, practices: ['playbook', 'forecasting', 'weekly_review', 'cold_calls_only'] },
    })
    expect(errorOf(tooMany).error.details).toEqual([
      { field: 'body.answers.practices', message: 'allows at most 3 selections (got 4)', code: 'too_many_selections' },
    ])

    for (const payload of [{}, { answers: 'all good' }, { answers: BEST, extra: 1 }]) {
      const r = await inject(u.auth, 'POST', '/api/assessments/sales', payload)
      expect(r.statusCode).toBe(400)
      expect(errorOf(r).error.code).toBe('validation_failed')
    }
    expect(await count('assessment_submissions', u.user.id)).toBe(0)
    expect(await count('events', u.user.id)).toBe(0)
    expect(await profileRow(u.user.id)).toEqual(before)
  })

  it('documents its routes in the OpenAPI document', async () => {
    const paths = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths as Record<string, Json>
    for (const path of [
      '/api/assessments',
      '/api/assessments/{type}',
      '/api/assessments/{type}/history',
      '/api/scores',
      '/api/growth-assessment',
    ])
      expect(paths[path], path).toBeDefined()
  })

  it('answers 404 unknown_assessment for a type it does not serve', async () => {
    const u = await signUp(t.app)
    for (const [method, url] of [
      ['GET', '/api/assessments/astrology'],
      ['GET', '/api/assessments/leadership'],
      ['POST', '/api/assessments/astrology'],
      ['GET', '/api/assessments/astrology/history'],
    ] as const) {
      const r = await inject(u.auth, method, url, method === 'POST' ? { answers: 'not even valid' } : undefined)
      expect(r.statusCode, url).toBe(404)
      expect(errorOf(r).error.code).toBe('unknown_assessment')
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/assessments' })).statusCode).toBe(401)
  })

  it('refuses a retake inside the window, then accepts it once the window has passed', async () => {
    const u = await signUp(t.app)
    const first = (await inject(u.auth, 'POST', '/api/assessments/sales', { answers: MIXED })).json() as {
      takenAt: string
    }
    const again = await inject(u.auth, 'POST', '/api/assessments/sales', { answers: BEST })
    expect(again.statusCode).toBe(409)
    const { error } = errorOf(again)
    expect(error.code).toBe('retake_too_soon')
    expect(error.details).toEqual({
      retakeAvailableAt: new Date(Date.parse(first.takenAt) + 30 * 86_400_000).toISOString(),
    })
    expect(await count('assessment_submissions', u.user.id)).toBe(1)
    expect(await count('events', u.user.id)).toBe(2)
    expect(Number((await profileRow(u.user.id)).sales_score)).toBe(3.31)

    await t.container.db.query("update profiles set sales_last_taken = now() - interval '31 days' where user_id = $1", [
      u.user.id,
    ])
    const retake = await inject(u.auth, 'POST', '/api/assessments/sales', { answers: BEST })
    expect(retake.statusCode).toBe(201)
    const history = (await inject(u.auth, 'GET', '/api/assessments/sales/history')).json() as {
      submissions: Array<{ score: number; bracketServed: string }>
    }
    expect(history.submissions.map((s) => [s.score, s.bracketServed])).toEqual([
      [5, 'score_3'],
      [3.31, 'score_1'],
    ])
  })

  it('accepts exactly one of two simultaneous submissions, with no torn profile', async () => {
    const u = await signUp(t.app)
    const [a, b] = await Promise.all([
      inject(u.auth, 'POST', '/api/assessments/sales', { answers: MIXED }),
      inject(u.auth, 'POST', '/api/assessments/sales', { answers: BEST }),
    ])
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409])
    const won = (a.statusCode === 201 ? a : b).json() as {
      id: string
      score: number
      takenAt: string
      overallScore: number
    }
    expect(errorOf(a.statusCode === 409 ? a : b).error.code).toBe('retake_too_soon')
    const profile = await profileRow(u.user.id)
    expect(Number(profile.sales_score)).toBe(won.score)
    expect(new Date(profile.sales_last_taken as string).toISOString()).toBe(won.takenAt)
    expect(Number(profile.overall_score)).toBe(won.overallScore)
    expect(await count('assessment_submissions', u.user.id)).toBe(1)
    expect(await count('events', u.user.id)).toBe(2)
  })

  it('keeps both of two simultaneous submissions of different types in the overall score', async () => {
    const u = await signUp(t.app)
    const [sales, bpm] = await Promise.all([
      inject(u.auth, 'POST', '/api/assessments/sales', { answers: BEST }),
      inject(u.auth, 'POST', '/api/assessments/bpm', { answers: { documentation: 'none' } }),
    ])
    expect([sales.statusCode, bpm.statusCode]).toEqual([201, 201])
    const profile = await profileRow(u.user.id)
    expect([Number(profile.sales_score), Number(profile.bpm_score), Number(profile.overall_score)]).toEqual([5, 1, 3])
  })

  it('writes nothing on a stale row version, and writes under the row lock', async () => {
    const u = await signUp(t.app)
    const db = t.container.db
    const weights = t.container.assessments.overallWeights
    const input = {
      userId: u.user.id,
      type: 'sales' as const,
      bracketServed: 'score_1' as const,
      answers: { crm_usage: 'none' },
      score: 2,
      bracketKey: 'score_2' as const,
    }
    const read = (await readProfileVersion(db.orm, u.user.id))!
    // Anything that updates the row moves its version on.
    await db.query("update profiles set company_name = 'Moved on' where user_id = $1", [u.user.id])
    expect(
      await recordSubmission(db.orm, read.profile, input, { weights, now: new Date(), ifVersion: read.version }),
    ).toBeNull()
    expect(await count('assessment_submissions', u.user.id)).toBe(0)
    expect(await count('events', u.user.id)).toBe(0)
    const fresh = (await readProfileVersion(db.orm, u.user.id))!
    expect(fresh.version).not.toBe(read.version)
    const locked = await db.transaction(async (tx) =>
      recordSubmission(tx, (await lockProfile(tx, u.user.id))!, input, { weights, now: new Date() }),
    )
    expect(locked).toMatchObject({ overallScore: 2 })
    expect(await count('assessment_submissions', u.user.id)).toBe(1)
    expect(await count('events', u.user.id)).toBe(2)
    expect(Number((await profileRow(u.user.id)).sales_score)).toBe(2)
  })

  describe('with no retake window', () => {
    let t0: TestApp
    beforeAll(async () => {
      t0 = await startTestApp(backend, { ASSESSMENT_CONFIG_DIR: FIXTURES, ASSESSMENT_RETAKE_DAYS: '0' })
    })
    afterAll(() => t0?.close())

    it('records every one of many simultaneous submissions, none lost or torn', async () => {
      const u = await signUp(t0.app)
      const answers = [BEST, MIXED, BEST, MIXED, BEST, MIXED, BEST, MIXED]
      const responses = await Promise.all(
        answers.map((a) =>
          t0.app.inject({ method: 'POST', url: '/api/assessments/sales', headers: u.auth, payload: { answers: a } }),
        ),
      )
      expect(responses.map((r) => r.statusCode)).toEqual(answers.map(() => 201))
      const results = responses.map((r) => r.json() as { id: string; score: number; takenAt: string })
      const [count] = await t0.container.db.query<{ n: number; e: number }>(
        "select (select count(*)::int from assessment_submissions where user_id = $1) as n, (select count(*)::int from events where user_id = $1 and type = 'assessment.completed') as e",
        [u.user.id],
      )
      expect(count).toEqual({ n: 8, e: 8 })
      // The profile holds the last submission written, whole.
      const [last] = await t0.container.db.query<{ id: string; score: string }>(
        'select id, score from assessment_submissions where user_id = $1 order by created_at desc, id desc limit 1',
        [u.user.id],
      )
      const [profile] = await t0.container.db.query<{
        sales_score: string
        sales_last_taken: Date
        overall_score: string
      }>('select sales_score, sales_last_taken, overall_score from profiles where user_id = $1', [u.user.id])
      const winner = results.find((r) => r.id === last!.id)!
      expect([
        Number(profile!.sales_score),
        new Date(profile!.sales_last_taken).toISOString(),
        Number(profile!.overall_score),
      ]).toEqual([winner.score, winner.takenAt, winner.score])
      // Each submission saw the bracket of the profile it was scored against: the first score_1, later ones score_3 or score_5.
      const served = await t0.container.db.query<{ bracket_served: string }>(
        'select bracket_served from assessment_submissions where user_id = $1 order by created_at, id',
        [u.user.id],
      )
      expect(served[0]!.bracket_served).toBe('score_1')
    })
  })

  it("keeps a user's submissions from every other user (RLS, as the app role)", async () => {
    const a = await signUp(t.app)
    const b = await signUp(t.app)
    await inject(a.auth, 'POST', '/api/assessments/sales', { answers: MIXED })
    await inject(a.auth, 'POST', '/api/growth-assessment', GROWTH)
    const claimsB: Claims = { sub: b.user.id, role: 'user' }
    const claimsA: Claims = { sub: a.user.id, role: 'user' }
    const db = t.container.db
    expect(await db.asUser(claimsB, (tx) => rows(tx, sql`select id from assessment_submissions`))).toEqual([])
    expect(await db.asUser(claimsB, (tx) => rows(tx, sql`select id from growth_assessments`))).toEqual([])
    expect(
      await db.asUser(claimsB, (tx) =>
        rows(tx, sql`select id from assessment_submissions where user_id = ${a.user.id}`),
      ),
    ).toEqual([])
    expect(await db.asUser(claimsA, (tx) => rows(tx, sql`select id from assessment_submissions`))).toHaveLength(1)
    await expect(
      db.asUser(claimsB, (tx) =>
        tx.execute(
          sql`insert into assessment_submissions (user_id, type, bracket_served, answers, score, bracket_key) values (${b.user.id}, 'sales', 'score_1', '{}', 5, 'score_5')`,
        ),
      ),
    ).rejects.toSatisfy((e: unknown) => /permission denied/.test(pgErrorMessage(e) ?? ''))
    await expect(
      db.asUser(claimsA, (tx) => tx.execute(sql`update profiles set sales_score = 5 where user_id = ${a.user.id}`)),
    ).rejects.toSatisfy((e: unknown) => /computed by the server/.test(pgErrorMessage(e) ?? ''))
    const history = (await inject(b.auth, 'GET', '/api/assessments/sales/history')).json() as { submissions: unknown[] }
    expect(history.submissions).toEqual([])
  })
})

describe('assessment start-up', () => {
  it('fails on an unreadable config folder and on unknown overall weights', async () => {
    const database = await createTestDatabase('pglite')
    try {
      await expect(
        createContainer(testConfig({ ASSESSMENT_CONFIG_DIR: '/nonexistent/configs' }), {
          db: database.db,
          migrate: false,
        }),
      ).rejects.toThrow(/Invalid assessment config \/nonexistent\/configs/)
      await expect(
        createContainer(testConfig({ ASSESSMENT_CONFIG_DIR: FIXTURES, ASSESSMENT_OVERALL_WEIGHTS: 'astrology=1' }), {
          db: database.db,
          migrate: false,
        }),
      ).rejects.toThrow(/ASSESSMENT_OVERALL_WEIGHTS unknown overall-score component "astrology"/)
      expect(() => testConfig({ ASSESSMENT_OVERALL_WEIGHTS: 'sales:1' })).toThrow(/name=weight pairs/)
      const container = await createContainer(
        testConfig({ ASSESSMENT_CONFIG_DIR: FIXTURES, ASSESSMENT_OVERALL_WEIGHTS: 'sales=0.5, bpm=0' }),
        { db: database.db },
      )
      expect(container.assessments.overallWeights).toMatchObject({ sales: 0.5, bpm: 0, leadership: 0.1 })
      await container.close()
    } finally {
      await database.drop()
    }
  })
})
