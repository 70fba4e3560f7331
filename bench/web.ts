// The web app in Chromium on localhost (a real `optimaliq serve` on PGlite, its queue workers in
// process): the JavaScript `/` needs before anything else (gzip), the time from navigation to the
// dashboard's scores on screen over cold loads, and the time from a second tab's submission to
// the dashboard showing the new score (through the realtime stream).
// Targets (issue 16): initial JS ≤ 150 KB gzip; scores visible ≤ 800 ms p50 over 10 cold loads;
// second tab → dashboard ≤ 300 ms p50.
// Usage: node bench/web.ts [--loads 10] [--submissions 10]
/// <reference lib="dom" />
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import { available, CHROMIUM, LAUNCH_ARGS } from '../test/e2e/browser.ts'
import { buildWeb } from '../tools/build-web.ts'
import { percentile, printTable, startServer } from './lib/server.ts'

const { values } = parseArgs({
  options: { loads: { type: 'string', default: '10' }, submissions: { type: 'string', default: '10' } },
})
const loads = Number(values.loads)
const submissions = Number(values.submissions)
if (!available) {
  console.log(`Chromium not found at ${CHROMIUM}: bench/web skipped`)
  process.exit(0)
}

await buildWeb({ ifStale: true, quiet: true })
const DIST = new URL('../web/dist/', import.meta.url)

/** The entry script and the modules index.html preloads: what `/` fetches before any route chunk. */
function initialJs() {
  const html = readFileSync(new URL('index.html', DIST), 'utf8')
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!)
  const sizes = files.map((f) => {
    const raw = readFileSync(new URL(f, DIST))
    return { file: f, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length }
  })
  return {
    files: sizes.length,
    raw: sizes.reduce((s, f) => s + f.raw, 0),
    gzip: sizes.reduce((s, f) => s + f.gzip, 0),
  }
}

const server = await startServer('pglite')
const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS })
try {
  const base = server.url
  const api = async <T>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return (await res.json()) as T
  }
  const signup = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench.web.${Date.now()}@example.com`, password: 'bench password 123' }),
  })
  const { token } = (await signup.json()) as { token: string }
  await api(token, 'POST', '/api/growth-assessment', {
    industry: 'Software',
    companySize: '11-50',
    revenueRange: '1m_5m',
    obstacles: ['lead_generation'],
    strategy: 'documented',
    process: true,
    customers: 'regular_feedback',
    technology: 'optimized',
  })
  const cookie = { name: 'optimaliq_token', value: token, url: base }

  // Cold loads: a fresh profile each time (empty HTTP cache), the session cookie already set.
  const visible: number[] = []
  const transferred: number[] = []
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    await context.addCookies([cookie])
    const page = await context.newPage()
    const js: Array<Promise<number>> = []
    page.on('requestfinished', (request) => {
      if (request.resourceType() === 'script') js.push(request.sizes().then((s) => s.responseBodySize))
    })
    await page.goto(`${base}/`)
    await page.waitForFunction(() => {
      const ring = document.querySelector('[data-testid="overall-score"] .ring-value')
      return !!ring && /\d/.test(ring.textContent ?? '')
    })
    visible.push(await page.evaluate(() => performance.now()))
    transferred.push((await Promise.all(js)).reduce((a, b) => a + b, 0))
    await context.close()
  }

  // Second tab: a submission from another tab of the same user; the first tab is on the dashboard.
  const catalogue = await api<{ assessments: Array<{ type: string }> }>(token, 'GET', '/api/assessments')
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  await context.addCookies([cookie])
  const dashboard = await context.newPage()
  await dashboard.goto(`${base}/`)
  await dashboard.getByText('Live — updates appear as they happen').waitFor({ timeout: 30_000 })
  const tab2 = await context.newPage()
  await tab2.goto(`${base}/assessments`)
  const live: number[] = []
  for (const { type } of catalogue.assessments.slice(0, submissions)) {
    const q = await api<{
      bracketKey: string
      groups: Array<{ questions: Array<{ key: string; type: string; options?: Array<{ value: string }> }> }>
    }>(token, 'GET', `/api/assessments/${type}`)
    const answers: Record<string, unknown> = {}
    for (const question of q.groups.flatMap((g) => g.questions)) {
      const options = (question.options ?? []).map((o) => o.value)
      answers[question.key] =
        question.type === 'select'
          ? options[options.length - 1]
          : question.type === 'multi_select'
            ? options.slice(0, 1)
            : question.type === 'rank'
              ? options
              : 'We review this every quarter.'
    }
    // The dashboard notes when the new score's row appears (wall clock, shared with the other tab).
    await dashboard.evaluate((t) => {
      const w = window as unknown as { seen?: Promise<number> }
      w.seen = new Promise((resolve) => {
        const check = () => !!document.querySelector(`[data-testid="deep-${t}"]`)
        const observer = new MutationObserver(() => {
          if (check()) {
            observer.disconnect()
            resolve(Date.now())
          }
        })
        observer.observe(document.body, { childList: true, subtree: true })
      })
    }, type)
    const sentAt = await tab2.evaluate(
      async ({ type, body }) => {
        const at = Date.now()
        const res = await fetch(`/api/assessments/${type}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
        if (res.status !== 201) throw new Error(`submission ${res.status}`)
        return at
      },
      { type, body: { answers, bracketKey: q.bracketKey } },
    )
    const seenAt = await dashboard.evaluate(() => (window as unknown as { seen: Promise<number> }).seen)
    live.push(seenAt - sentAt)
  }
  await context.close()

  const init = initialJs()
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b)
  const v = sorted(visible)
  const l = sorted(live)
  const t = sorted(transferred)
  const kb = (n: number) => (n / 1024).toFixed(1)
  printTable('bench/web (Chromium, localhost, PGlite)', [
    {
      measure: 'initial JS for / (entry + preloads)',
      runs: 1,
      p50: `${kb(init.gzip)} KB gzip (${kb(init.raw)} KB raw, ${init.files} files)`,
      p95: '',
      target: '≤ 150 KB gzip',
    },
    {
      measure: 'JS transferred until scores visible',
      runs: loads,
      p50: `${kb(percentile(t, 50))} KB`,
      p95: `${kb(percentile(t, 95))} KB`,
      target: '',
    },
    {
      measure: 'navigation → dashboard scores visible (cold)',
      runs: loads,
      p50: `${percentile(v, 50).toFixed(0)} ms`,
      p95: `${percentile(v, 95).toFixed(0)} ms`,
      target: '≤ 800 ms p50',
    },
    {
      measure: 'second-tab submission → dashboard shows it',
      runs: l.length,
      p50: `${percentile(l, 50).toFixed(0)} ms`,
      p95: `${percentile(l, 95).toFixed(0)} ms`,
      target: '≤ 300 ms p50',
    },
  ])
} finally {
  await browser.close()
  await server.stop()
}
