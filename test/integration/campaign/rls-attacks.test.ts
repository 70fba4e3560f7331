import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { rows, type Claims } from '../../../src/data/db.ts'
import { pgErrorMessage } from '../../../src/errors.ts'
import { signUp, startTestApp, type TestApp } from '../../helpers/app.ts'
import { describeBackends } from '../../helpers/backends.ts'

/**
 * The RLS part of the reliability campaign (issue 17, docs/RELIABILITY.md): for every table in the
 * public schema, user B — running as optimaliq_app with B's claims, the way every request runs —
 * tries to read, update, re-own, delete and insert user A's rows. Promise: 0 rows of A seen or
 * touched. The table list comes from the migrated database itself, so a new table without a row
 * here fails the suite until someone says how it is owned.
 */

/** How A's rows of a table are found: a predicate over the owner's id (or all rows for server tables). */
type Target = {
  owner?: string
  ofUser?: (uid: string, s: Seeds) => string
  update?: string
  seed: (a: Seeds) => string
}
type Seeds = { a: string; doc: string; submission: string }

const q = (v: string) => `'${v}'`
const byUser = (column: string, seed: Target['seed'], update?: string): Target => ({
  owner: column,
  seed,
  ...(update ? { update } : {}),
})

const TABLES: Record<string, Target> = {
  users: byUser('id', () => '', 'name'),
  profiles: byUser('user_id', () => '', 'company_name'),
  assessment_submissions: byUser(
    'user_id',
    (s) =>
      `insert into assessment_submissions (id, user_id, type, bracket_served, answers, score, bracket_key) values (${q(s.submission)}, ${q(s.a)}, 'sales', 'score_1', '{}', 3, 'score_3')`,
  ),
  assessment_analyses: byUser(
    'user_id',
    (s) =>
      `insert into assessment_analyses (submission_id, user_id, content) values (${q(s.submission)}, ${q(s.a)}, '{"secret":"a"}')`,
  ),
  assessment_attempts: byUser(
    'user_id',
    (s) => `insert into assessment_attempts (user_id, type) values (${q(s.a)}, 'sales')`,
  ),
  growth_assessments: byUser(
    'user_id',
    (s) =>
      `insert into growth_assessments (user_id, answers, strategy_score, process_score, technology_score, base_score) values (${q(s.a)}, '{}', 3, 3, 3, 3)`,
  ),
  growth_levers: byUser(
    'user_id',
    (s) =>
      `insert into growth_levers (user_id, position, title, description, target_area, expected_impact, effort, scores_hash, expires_at) values (${q(s.a)}, 1, 't', 'd', 'strategy', 'high', 'low', 'h', now() + interval '1 day')`,
    'progress',
  ),
  simulations: byUser(
    'user_id',
    (s) => `insert into simulations (user_id, input, result) values (${q(s.a)}, '{}', '{}')`,
  ),
  dashboards: byUser(
    'user_id',
    (s) => `insert into dashboards (user_id, scores_hash, content) values (${q(s.a)}, 'h', '{}')`,
  ),
  ai_log: byUser(
    'user_id',
    (s) =>
      `insert into ai_log (request_id, user_id, feature, cost_usd) values ('rls-a', ${q(s.a)}, 'growth_insights', 0.5)`,
  ),
  // Filled by ai_log's trigger.
  ai_log_user_daily: byUser('user_id', () => ''),
  ai_cache: byUser(
    'user_id',
    (s) =>
      `insert into ai_cache (key, user_id, value, expires_at) values ('rls-a', ${q(s.a)}, '{}', now() + interval '1 day')`,
  ),
  ai_feedback: byUser(
    'user_id',
    (s) => `insert into ai_feedback (request_id, user_id, rating) values ('rls-a', ${q(s.a)}, 'up')`,
    'rating',
  ),
  ai_responses: byUser(
    'user_id',
    (s) =>
      `insert into ai_responses (id, user_id, model, input, output, response) values ('resp_rls_a', ${q(s.a)}, 'm', '[]', '[{"id":"msg_rls_a"}]', '{}')`,
    'model',
  ),
  ai_semantic_cache: byUser(
    'user_id',
    (s) =>
      `insert into ai_semantic_cache (tenant, scope, embedding_model, dimensions, embedding, value, user_id, expires_at) values (${q(`user:${s.a}`)}, 's', 'm', 1, '\\x0000803f', '{"secret":"a"}', ${q(s.a)}, now() + interval '1 day')`,
    'value',
  ),
  api_key_user_overrides: byUser(
    'user_id',
    (s) => `insert into api_key_user_overrides (user_id, settings) values (${q(s.a)}, '{"dailyUsd":1}')`,
    'settings',
  ),
  ai_tasks: byUser(
    'user_id',
    (s) => `insert into ai_tasks (user_id, type, input) values (${q(s.a)}, 'x', '{}')`,
    'status',
  ),
  api_keys: byUser(
    'user_id',
    (s) => `insert into api_keys (user_id, name, prefix, key_hash) values (${q(s.a)}, 'k', 'oq_rls', 'hash-of-a')`,
    'revoked_at',
  ),
  events: byUser(
    'user_id',
    (s) => `insert into events (type, user_id, payload) values ('profile.updated', ${q(s.a)}, '{}')`,
  ),
  revoked_tokens: byUser(
    'user_id',
    (s) =>
      `insert into revoked_tokens (jti, user_id, expires_at) values ('rls-a', ${q(s.a)}, now() + interval '1 day')`,
  ),
  kpi_months: byUser(
    'user_id',
    (s) => `insert into kpi_months (user_id, month, revenue) values (${q(s.a)}, '2026-01-01', 100)`,
    'revenue',
  ),
  kpi_anomalies: byUser(
    'user_id',
    (s) =>
      `insert into kpi_anomalies (user_id, metric, month, kind, direction, value, expected, lower_bound, upper_bound, score, explanation) values (${q(s.a)}, 'revenue', '2026-01-01', 'spike', 'up', 1, 1, 0, 2, 1, 'e')`,
  ),
  documents: byUser(
    'user_id',
    (s) =>
      `insert into documents (id, user_id, filename, media_type, size_bytes, sha256) values (${q(s.doc)}, ${q(s.a)}, 'a-secret.pdf', 'application/pdf', 1, 'x')`,
    'filename',
  ),
  // By A's document id as a literal: a subquery on documents would run under B's RLS and find nothing.
  document_files: {
    ofUser: (uid, s) => (uid === s.a ? `document_id = ${q(s.doc)}` : 'false'),
    seed: (s) => `insert into document_files (document_id, content) values (${q(s.doc)}, '\\x00')`,
  },
  strategy_plans: byUser(
    'user_id',
    (s) => `insert into strategy_plans (user_id, title) values (${q(s.a)}, 'a plan')`,
    'title',
  ),
  graph_businesses: byUser('id', (s) => `insert into graph_businesses (id, industry) values (${q(s.a)}, 'Retail')`),
  graph_scores: byUser(
    'business_id',
    (s) => `insert into graph_scores (business_id, assessment, score, taken_at) values (${q(s.a)}, 'sales', 3, now())`,
  ),
  graph_sync: byUser(
    'business_id',
    (s) => `insert into graph_sync (business_id, source_updated_at) values (${q(s.a)}, now())`,
  ),
  admin_audit_log: byUser(
    'actor_id',
    (s) => `insert into admin_audit_log (actor_id, action) values (${q(s.a)}, 'auth.login_throttled')`,
  ),
  // Server and admin tables: no user owns a row; a user sees and changes none.
  ai_log_rollup: { seed: () => '' },
  ai_log_error_rollup: {
    seed: () =>
      `insert into ai_log_error_rollup (grain, period_start, provider, error_class, errors) values ('hour', now(), 'openai', 'x', 1)`,
  },
  rate_limits: { seed: () => `insert into rate_limits (key) values ('rls-a')` },
  // Per-key day rollup (filled by ai_log's trigger): server only.
  ai_log_key_daily: {
    seed: () =>
      `insert into ai_log_key_daily (day, api_key_id, requests, input_tokens, output_tokens, cost_usd) values (now(), gen_random_uuid(), 1, 0, 0, 0)`,
  },
  // Admin-edited gateway routes: no user reads or writes them.
  ai_routes: { seed: () => `insert into ai_routes (name, definition) values ('rls-a', '{"strategy":"ordered"}')` },
  model_versions: {
    seed: () =>
      `insert into model_versions (feature, provider, model, prompt_version) values ('f', 'openai', 'm', 'v1')`,
  },
  experiments: { seed: () => `insert into experiments (feature, variants) values ('f', '[]')` },
  alert_rules: { seed: () => '' },
  alerts: { seed: () => `insert into alerts (rule_id, message) values ('high_error_rate', 'm')` },
  provider_status_history: {
    seed: () => `insert into provider_status_history (provider, status) values ('openai', 'down')`,
  },
}
/** Bookkeeping of the migrator itself: not reachable by the app role at all. */
const NOT_APP_TABLES = new Set(['optimaliq_migrations'])
const REFUSED = /permission denied|row-level security/

describeBackends('RLS attacks on every table', (backend) => {
  let t: TestApp
  let a: Claims
  let b: Claims
  const seeds: Seeds = { a: '', doc: randomUUID(), submission: randomUUID() }
  const tally = { tables: 0, attacks: 0, refused: 0 }

  beforeAll(async () => {
    t = await startTestApp(backend)
    a = { sub: (await signUp(t.app, { industry: 'Retail' })).user.id, role: 'user' }
    b = { sub: (await signUp(t.app, { industry: 'Retail' })).user.id, role: 'user' }
    seeds.a = a.sub
    for (const target of Object.values(TABLES)) {
      const statement = target.seed(seeds)
      if (statement) await t.container.db.exec(statement)
    }
  })
  afterAll(async () => {
    console.warn(
      `[campaign] rls on ${backend}: ${tally.tables} tables, ${tally.attacks} attacks, ${tally.refused} refused or 0 rows`,
    )
    await t?.close()
  })

  const ofUser = (target: Target, uid: string) =>
    target.ofUser ? target.ofUser(uid, seeds) : target.owner ? `"${target.owner}" = ${q(uid)}` : 'true'
  /** A's rows as the owner sees them, as one text: any change by B shows here. */
  const snapshot = async (table: string, target: Target) => {
    const [row] = await t.container.db.query<{ n: number; digest: string | null }>(
      `select count(*)::int as n, md5(string_agg(x::text, '|' order by x::text)) as digest from ${table} x where ${ofUser(target, a.sub)}`,
    )
    return row!
  }
  /** Runs one statement as B; returns the rows it reached, or 0 when the database refused it. */
  const attack = async (statement: string, params?: Record<string, unknown>): Promise<number> => {
    tally.attacks += 1
    try {
      const reached = await t.container.db.asUser(b, (tx) =>
        rows<unknown>(
          tx,
          params
            ? sql.raw(statement.replace('$json', `'${JSON.stringify(params).replace(/'/g, "''")}'`))
            : sql.raw(statement),
        ),
      )
      if (reached.length === 0) tally.refused += 1
      return reached.length
    } catch (error) {
      const message = pgErrorMessage(error) ?? String(error)
      if (!REFUSED.test(message))
        throw new Error(`${statement.slice(0, 80)}: refused for another reason: ${message}`, { cause: error })
      tally.refused += 1
      return 0
    }
  }

  it('covers every table of the migrated schema', async () => {
    const tables = await t.container.db.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
    )
    const names = tables.map((r) => r.name).filter((n) => !NOT_APP_TABLES.has(n))
    expect(
      names.filter((n) => !(n in TABLES)),
      'tables without an attack target',
    ).toEqual([])
    expect(
      Object.keys(TABLES).filter((n) => !names.includes(n)),
      'targets without a table',
    ).toEqual([])
    for (const [table, target] of Object.entries(TABLES)) {
      expect((await snapshot(table, target)).n, `${table} holds a row of A to attack`).toBeGreaterThan(0)
    }
  })

  it.each(Object.keys(TABLES))('%s: B reads, updates, re-owns, deletes and inserts none of A’s rows', async (table) => {
    const target = TABLES[table]!
    tally.tables += 1
    const before = await snapshot(table, target)
    const mine = ofUser(target, a.sub)

    expect(await attack(`select 1 from ${table} where ${mine}`), 'select').toBe(0)
    const [firstColumn] = await t.container.db.query<{ name: string }>(
      `select attname as name from pg_attribute where attrelid = '${table}'::regclass and attnum > 0 and not attisdropped order by attnum limit 1`,
    )
    const column = target.update ?? firstColumn!.name
    expect(await attack(`update ${table} set "${column}" = "${column}" where ${mine} returning 1`), 'update').toBe(0)
    if (target.owner)
      expect(
        await attack(`update ${table} set "${target.owner}" = ${q(b.sub)} where ${mine} returning 1`),
        're-own',
      ).toBe(0)
    expect(await attack(`delete from ${table} where ${mine} returning 1`), 'delete').toBe(0)

    // Insert: a copy of one of A's rows (fresh generated keys), still owned by A, inserted by B.
    const [copy] = await t.container.db.query<{ row: Record<string, unknown> }>(
      `select to_jsonb(x) as row from ${table} x where ${mine} limit 1`,
    )
    const generated = await t.container.db.query<{ name: string }>(
      `select attname as name from pg_attribute where attrelid = '${table}'::regclass and attnum > 0 and atthasdef and attname = 'id'`,
    )
    const columns = Object.keys(copy!.row).filter((c) => !generated.some((g) => g.name === c))
    const list = columns.map((c) => `"${c}"`).join(', ')
    expect(
      await attack(
        `insert into ${table} (${list}) select ${list} from jsonb_populate_record(null::${table}, $json) returning 1`,
        copy!.row,
      ),
      'insert',
    ).toBe(0)

    expect(await snapshot(table, target), 'A’s rows unchanged').toEqual(before)
    // And without a filter, B sees no row that is not B's.
    const stranger = target.owner
      ? `"${target.owner}" is distinct from ${q(b.sub)}`
      : `not coalesce(${ofUser(target, b.sub)}, false)`
    expect(await attack(`select 1 from ${table} where ${stranger}`), 'select others').toBe(0)
  })
})
