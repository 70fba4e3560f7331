import { afterAll, beforeAll, expect, it } from 'vitest'
import { publish } from '../../../src/events/publish.ts'
import type { NewEvent } from '../../../src/contracts/events.ts'
import { buildApp } from '../../../src/http/app.ts'
import type { App } from '../../../src/http/types.ts'
import { createContainer, type Container } from '../../../src/main/container.ts'
import { startTestApp, signUp, type TestApp } from '../../helpers/app.ts'
import { Agent, EventSource } from 'undici'
import { createRealtimeClient, type EventSourceLike, type RealtimeEvent } from '../../../web/src/realtime/client.ts'
import { describeBackends, testConfig } from '../../helpers/backends.ts'
import { eventually, openSse, type SseClient } from '../../helpers/sse.ts'
import { insertAiLog } from '../../helpers/ai-log.ts'
import { createUsagePulse } from '../../../src/app/admin/usage-pulse.ts'

const ENV = {
  REALTIME_MAX_STREAMS_PER_USER: '3',
  REALTIME_MAX_BUFFER_BYTES: '262144',
  REALTIME_KEEPALIVE_SECONDS: '0.2',
  OPTIMALIQ_ADMIN_EMAILS: 'boss@example.com',
}

describeBackends('realtime SSE stream', (backend) => {
  let t: TestApp
  let base: string
  const streams: SseClient[] = []

  beforeAll(async () => {
    t = await startTestApp(backend, ENV)
    base = await t.app.listen({ host: '127.0.0.1', port: 0 })
  })
  afterAll(async () => {
    for (const s of streams) s.close()
    await t.close()
  })

  async function stream(headers: Record<string, string>, query = '') {
    const s = await openSse(`${base}/api/realtime/stream${query}`, headers)
    streams.push(s)
    if (s.status === 200) await s.next((m) => m.event === 'ready')
    return s
  }
  const send = (event: NewEvent) => t.container.db.transaction((tx) => publish(tx, event))
  const completed = (userId: string, score: number): NewEvent<'assessment.completed'> => ({
    type: 'assessment.completed',
    userId,
    payload: { submissionId: crypto.randomUUID(), type: 'sales', score, overallScore: null },
  })

  it('rejects an unauthenticated stream', async () => {
    const s = await openSse(`${base}/api/realtime/stream`)
    expect(s.status).toBe(401)
  })

  it('delivers a user their own events, with the event id as SSE id, and nothing of other users', async () => {
    const alice = await signUp(t.app)
    const bob = await signUp(t.app)
    const a = await stream(alice.auth)
    const b = await stream({ cookie: `optimaliq_token=${bob.token}` }) // what a browser EventSource sends
    const id1 = await send(completed(alice.user.id, 3.5))
    const id2 = await send(completed(bob.user.id, 2))
    const got = await a.next((m) => m.event === 'assessment.completed')
    expect(got.id).toBe(String(id1))
    expect(got.json).toMatchObject({
      id: id1,
      type: 'assessment.completed',
      userId: alice.user.id,
      payload: { score: 3.5 },
    })
    const gotB = await b.next((m) => m.event === 'assessment.completed')
    expect(gotB.id).toBe(String(id2))
    // Bob's event came after Alice's; a marker for Alice after both proves she got nothing of Bob's.
    const marker = await send({ type: 'dashboard.updated', userId: alice.user.id, payload: {} })
    await a.next((m) => m.id === String(marker))
    expect(a.events().map((m) => Number(m.id))).toEqual([id1, marker])
    expect(b.events().map((m) => Number(m.id))).toEqual([id2])
  })

  it('replays everything after Last-Event-ID in order, without duplicates, before live events', async () => {
    const carol = await signUp(t.app)
    const ids: number[] = []
    for (let i = 0; i < 6; i++) ids.push(await send(completed(carol.user.id, i % 5)))
    await t.container.events.poll()
    const s = await stream({ ...carol.auth, 'last-event-id': String(ids[1]) })
    const live = await send(completed(carol.user.id, 4.5))
    await s.next((m) => m.id === String(live))
    expect(s.events().map((m) => Number(m.id))).toEqual([...ids.slice(2), live])
    // The query parameter works the same (for clients that cannot set headers).
    const q = await stream(carol.auth, `?lastEventId=${ids[4]}`)
    await q.next((m) => m.id === String(live))
    expect(q.events().map((m) => Number(m.id))).toEqual([ids[5], live])
  })

  it('feeds the browser client module through a real EventSource with the session cookie', async () => {
    const user = await signUp(t.app)
    // A browser sends the session cookie itself; here a dispatcher adds it to each request.
    const dispatcher = new Agent().compose(
      (dispatch) => (opts, handler) =>
        dispatch(
          {
            ...opts,
            headers: { ...(opts.headers as Record<string, string>), cookie: `optimaliq_token=${user.token}` },
          },
          handler,
        ),
    )
    const statuses: string[] = []
    const client = createRealtimeClient({
      url: `${base}/api/realtime/stream`,
      createEventSource: (u) => new EventSource(u, { dispatcher }) as unknown as EventSourceLike,
      onStatus: (s) => statuses.push(s),
    })
    const dashboard: RealtimeEvent[] = []
    const sales: RealtimeEvent[] = []
    client.subscribeToDashboard((e) => dashboard.push(e))
    client.subscribeToAssessment('sales', (e) => sales.push(e))
    client.connect()
    await eventually(() => statuses.includes('open'), 10_000, 'the EventSource to open')
    await eventually(() => t.container.realtime.streamsOf(user.user.id) === 1, 10_000, 'the stream to register')
    const id = await send(completed(user.user.id, 2.5))
    await eventually(() => sales.length === 1, 10_000, 'the assessment event')
    expect(sales[0]).toMatchObject({ id, type: 'assessment.completed', payload: { type: 'sales', score: 2.5 } })
    expect(dashboard.map((e) => e.id)).toEqual([id])
    expect(client.lastEventId).toBe(id)
    client.close()
    await dispatcher.close()
  })

  if (backend === 'postgres') {
    it('delivers an event that commits after a later one, keeping the resume cursor at the highest id', async () => {
      const { default: pg } = await import('pg')
      const user = await signUp(t.app)
      const s = await stream(user.auth)
      const client = new pg.Client({ connectionString: t.database.url })
      await client.connect()
      try {
        await client.query('begin')
        const early = Number(
          (
            await client.query<{ id: string }>(
              `insert into events (type, user_id, audience, payload) values ('dashboard.updated', $1, 'user', '{}') returning id`,
              [user.user.id],
            )
          ).rows[0]!.id,
        )
        const later = await send({ type: 'dashboard.updated', userId: user.user.id, payload: {} })
        await s.next((m) => m.id === String(later))
        await client.query(`select pg_notify('optimaliq_events', $1)`, [String(early)])
        await client.query('commit')
        const got = await s.next((m) => m.json.id === early)
        expect(got.id).toBe(String(later)) // a reconnect resumes after `later`, not before it
        expect(s.events().map((m) => m.json.id)).toEqual([later, early])
      } finally {
        await client.end()
      }
    })
  }

  it('keeps streams alive with comments', async () => {
    const dave = await signUp(t.app)
    const raw = await fetch(`${base}/api/realtime/stream`, { headers: dave.auth })
    const reader = raw.body!.getReader()
    let text = ''
    while (!text.includes(': keep-alive')) text += new TextDecoder().decode((await reader.read()).value)
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await reader.cancel()
  })

  it('caps the streams per user', async () => {
    const erin = await signUp(t.app)
    for (let i = 0; i < 3; i++) expect((await stream(erin.auth)).status).toBe(200)
    const fourth = await openSse(`${base}/api/realtime/stream`, erin.auth)
    expect(fourth.status).toBe(429)
    fourth.close()
  })

  it('sends admin events to admins who ask for them, never to users', async () => {
    const admin = await signUp(t.app, { email: 'boss@example.com' })
    const user = await signUp(t.app)
    const adminStream = await stream(admin.auth, '?admin=1')
    const adminOwnOnly = await stream(admin.auth)
    const userStream = await stream(user.auth, '?admin=1')
    const alert = await send({
      type: 'alert.fired',
      userId: null,
      audience: 'admin',
      payload: {
        alertId: crypto.randomUUID(),
        ruleId: 'error_rate',
        scope: 'openai',
        value: 0.3,
        message: 'error rate 30%',
      },
    })
    const got = await adminStream.next((m) => m.event === 'alert.fired')
    expect(Number(got.id)).toBe(alert)
    const mine = await send(completed(user.user.id, 1))
    await userStream.next((m) => m.id === String(mine))
    const adminMarker = await send(completed(admin.user.id, 1))
    await adminOwnOnly.next((m) => m.id === String(adminMarker))
    expect(userStream.events().map((m) => m.event)).toEqual(['assessment.completed'])
    expect(adminOwnOnly.events().map((m) => m.event)).toEqual(['assessment.completed'])
  })

  it('new AI traffic reaches admins as ai.usage (not users), only while an admin stream is open, once per change', async () => {
    // The admin of the test before: sign in again.
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'boss@example.com', password: 'correct horse battery' },
    })
    const admin = { auth: { authorization: `Bearer ${(login.json() as { token: string }).token}` } }
    const user = await signUp(t.app)
    let admins = 0
    // Its own pulse with a long interval: the test ticks it by hand.
    const pulse = createUsagePulse({
      db: t.container.db,
      realtime: { adminStreams: () => admins },
      intervalMs: 3_600_000,
    })
    try {
      await insertAiLog(t.container.db, [{ at: new Date(), userId: user.user.id, feature: 'growth_insights' }])
      expect(await pulse.tick()).toBe(false) // no admin watching: no query, no event
      admins = 1
      expect(await pulse.tick()).toBe(false) // the first check learns where the log stands
      expect(await pulse.tick()).toBe(false) // nothing new
      const adminStream = await stream(admin.auth, '?admin=1')
      const userStream = await stream(user.auth, '?admin=1')
      await insertAiLog(t.container.db, [{ at: new Date(Date.now() + 1_000), userId: user.user.id }])
      expect(await pulse.tick()).toBe(true)
      expect(await pulse.tick()).toBe(false)
      const got = await adminStream.next((m) => m.event === 'ai.usage')
      expect(got.json).toMatchObject({ type: 'ai.usage', payload: { through: expect.any(String) } })
      const marker = await send(completed(user.user.id, 1))
      await userStream.next((m) => m.id === String(marker))
      expect(userStream.events().map((m) => m.event)).not.toContain('ai.usage')
    } finally {
      pulse.stop()
    }
  })

  it('closes a client that does not read instead of stalling the others', async () => {
    const user = await signUp(t.app)
    const fast = await stream(user.auth)
    // Stop reading: the socket buffers fill, then the server's bounded buffer, then it closes the stream.
    const paused = await pauseStream(`${base}/api/realtime/stream`, user.auth)
    await eventually(() => t.container.realtime.streamsOf(user.user.id) === 2, 10_000, 'both streams open')
    const big = 'x'.repeat(50_000)
    const ids: number[] = []
    // Rounds of 1 MB: the reading client keeps up; the paused one falls behind by more each round.
    for (let round = 0; round < 12 && t.container.realtime.streamsOf(user.user.id) === 2; round++) {
      for (let i = 0; i < 20; i++)
        ids.push(
          await send({
            type: 'alert.fired',
            userId: user.user.id,
            payload: { alertId: crypto.randomUUID(), ruleId: 'r', scope: 's', value: i, message: big },
          }),
        )
      await fast.next((m) => m.id === String(ids.at(-1)), 20_000)
    }
    expect(fast.events().map((m) => Number(m.id))).toEqual(ids)
    await eventually(() => t.container.realtime.streamsOf(user.user.id) === 1, 10_000, 'the paused stream to be closed')
    paused.destroy()
  })

  it('lets a client resume after a server restart without missing events', async () => {
    const frank = await signUp(t.app)
    const first = await send(completed(frank.user.id, 2))
    // A second app on the same database plays the restarted server.
    const container2: Container = await createContainer(testConfig(ENV), { db: t.database.db })
    const app2: App = await buildApp(container2)
    const base2 = await app2.listen({ host: '127.0.0.1', port: 0 })
    const s = await openSse(`${base2}/api/realtime/stream`, frank.auth)
    await s.next((m) => m.id === String(first) || m.event === 'ready')
    const seenBefore = await send(completed(frank.user.id, 3))
    await s.next((m) => m.id === String(seenBefore))
    await app2.close()
    await s.ended
    const missed: number[] = []
    for (let i = 0; i < 3; i++) missed.push(await send(completed(frank.user.id, i)))
    const resumed = await openSse(`${base}/api/realtime/stream`, {
      ...frank.auth,
      'last-event-id': s.events().at(-1)!.id!,
    })
    streams.push(resumed)
    const after = await send(completed(frank.user.id, 4))
    await resumed.next((m) => m.id === String(after))
    expect(resumed.events().map((m) => Number(m.id))).toEqual([...missed, after])
    await container2.close()
  })
})

/** A stream whose reader never reads (a stalled browser tab on a slow link). */
async function pauseStream(url: string, headers: Record<string, string>) {
  const { request } = await import('node:http')
  return new Promise<{ destroy(): void }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.pause()
      resolve({ destroy: () => req.destroy() })
    })
    req.on('error', reject)
    req.end()
  })
}
