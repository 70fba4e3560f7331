import { describe, expect, it } from 'vitest'
import { postWebhook } from './webhook.ts'

const respond = (statuses: Array<number | Error>) => {
  const calls: string[] = []
  const fetchFn = (async (_url: string | URL | Request, init?: RequestInit) => {
    calls.push(String(init?.body))
    const next = statuses.shift() ?? 200
    if (next instanceof Error) throw next
    return new Response(null, { status: next })
  }) as typeof fetch
  return { calls, fetchFn }
}

describe('alert webhook', () => {
  const sleep = async () => {}
  it('retries 5xx, 429 and network errors, then delivers', async () => {
    const { calls, fetchFn } = respond([500, new Error('ECONNRESET'), 429, 204])
    const r = await postWebhook({ url: 'http://127.0.0.1:1/x', retries: 3, fetch: fetchFn, sleep }, { a: 1 })
    expect(r).toEqual({ delivered: true, attempts: 4, lastStatus: 204 })
    expect(calls).toEqual(Array(4).fill('{"a":1}'))
  })
  it('gives up after the retries, and at once on other 4xx', async () => {
    expect(
      await postWebhook({ url: 'http://x', retries: 2, fetch: respond([503, 503, 503, 503]).fetchFn, sleep }, {}),
    ).toEqual({ delivered: false, attempts: 3, lastStatus: 503 })
    expect(await postWebhook({ url: 'http://x', retries: 2, fetch: respond([404]).fetchFn, sleep }, {})).toEqual({
      delivered: false,
      attempts: 1,
      lastStatus: 404,
    })
    expect(
      await postWebhook({ url: 'http://x', retries: 0, fetch: respond([new Error('down')]).fetchFn, sleep }, {}),
    ).toEqual({ delivered: false, attempts: 1 })
  })
})
