/// <reference lib="dom" />
import type { AddressInfo } from 'node:net'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildWeb } from '../../tools/build-web.ts'
import { startTestApp, uniqueEmail, type TestApp } from '../helpers/app.ts'
import {
  available,
  CHROMIUM,
  ci,
  expectAccessible,
  expectNoSideScroll,
  launchBrowser,
  shot,
  shotOf,
  watchedPage,
} from './browser.ts'
import { growthAnswers } from '../helpers/growth.ts'

/**
 * The account, KPI and document pages in real Chromium against the real server (queue workers
 * in-process): each form used as a person would, the server's refusals shown under their field,
 * axe-core on every state, and the phone width without sideways scrolling.
 */

if (!available && ci)
  throw new Error(`Chromium is required in CI but ${CHROMIUM} is missing (apt-get install -y chromium)`)

const PASSWORD = 'correct horse battery'
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 100 })

const GROWTH = growthAnswers()

/** 14 months of revenue growing by 1,000 a month with a little noise, and one spike. */
function kpiCsv(): string {
  const noise = [120, -80, 60, -150, 90, -40, 130, -110, 70, -60, 100, -90, 50, -30]
  const lines = ['month,revenue,costs,customers']
  for (let i = 0; i < 14; i++) {
    const month = `${2025 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`
    const revenue = 20_000 + 1_000 * i + noise[i]! + (i === 9 ? 15_000 : 0)
    lines.push(`${month},"${revenue.toLocaleString('en-US')}",${12_000 + 300 * i},${100 + 3 * i}`)
  }
  return `${lines.join('\n')}\n`
}

async function reportPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create()
  const font = await doc.embedFont(StandardFonts.Helvetica)
  const page = doc.addPage()
  page.drawText('Quarterly report for Acme Ltd.', { x: 50, y: 750, size: 14, font })
  page.drawText('Revenue: $1,250,000 in Q3. Gross margin 42% this quarter.', { x: 50, y: 720, size: 12, font })
  page.drawText('Sales declined 8% in the north region. Two invoices are overdue.', { x: 50, y: 700, size: 12, font })
  return Buffer.from(await doc.save())
}

describe.skipIf(!available)('account, KPI and document pages in Chromium', () => {
  let t: TestApp
  let chromium: Awaited<ReturnType<typeof launchBrowser>>
  let base: string
  let current: Page | undefined

  beforeAll(async () => {
    await buildWeb({ ifStale: true, quiet: true })
    t = await startTestApp('pglite')
    await t.container.queue.startWorkers()
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
    chromium = await launchBrowser()
  }, 300_000)
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && current && !current.isClosed())
      await shot(current, `failed-pages-${ctx.task.name.split(':')[0]!.replace(/\W+/g, '-')}`).catch(() => undefined)
    current = undefined
  })
  afterAll(async () => {
    await chromium?.close()
    await t?.close()
  })

  async function signUp(page: Page, email: string) {
    await page.goto(`${base}/signup`)
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Growth assessment' }).waitFor()
  }
  const nav = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click()

  it('KPIs: a month by hand, a CSV refused row by row, then imported; chart with forecast and anomalies', async () => {
    const context = await chromium.newContext({ width: 1280, height: 900 })
    const page = await watchedPage(context)
    current = page
    await signUp(page, uniqueEmail('kpis'))
    await nav(page, 'KPIs')
    await page.getByRole('heading', { name: 'KPIs', level: 1 }).waitFor()
    await poll(() => page.title()).toBe('KPIs · OptimaliQ')
    await page.getByText('No months recorded yet').waitFor()
    await expectAccessible(page, 'kpis empty')

    // By hand: nothing recorded is refused under the first box; then one month.
    await page.getByRole('button', { name: 'Save month' }).click()
    await poll(() => page.locator('#kpi-revenue-error').textContent()).toBe('Record at least one metric for the month')
    expect(await page.getByLabel('Revenue (USD)').getAttribute('aria-invalid')).toBe('true')
    await expectAccessible(page, 'kpi form with errors')
    await page.getByLabel('Month', { exact: true }).fill('2024-06')
    await page.getByLabel('Revenue (USD)').fill('15000')
    await page.getByRole('button', { name: 'Save month' }).click()
    await page.getByText('June 2024 saved.').waitFor()
    await page.getByTestId('kpi-months').waitFor()

    // A CSV with problems: each listed with its line; nothing imported.
    const input = page.getByLabel('CSV file', { exact: true })
    await input.setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('month,revenue\n2025-01,100\n2025-02,lots\n2025-13,5\n'),
    })
    await page.getByRole('button', { name: 'Import' }).click()
    const errors = page.getByTestId('csv-row-errors')
    await errors.waitFor()
    expect(await errors.locator('tbody tr').count()).toBeGreaterThanOrEqual(2)
    expect(await errors.locator('tbody tr').first().locator('td').first().textContent()).toBe('3')
    expect(await input.getAttribute('aria-invalid')).toBe('true')
    await expectAccessible(page, 'csv errors')
    await shot(page, 'desktop-kpis-csv-errors')

    await input.setInputFiles({ name: 'kpis.csv', mimeType: 'text/csv', buffer: Buffer.from(kpiCsv()) })
    await page.getByRole('button', { name: 'Import' }).click()
    await page.getByTestId('csv-imported').waitFor()
    expect(await page.getByTestId('csv-imported').textContent()).toMatch(
      /^Imported 14 months, January 2025 to February 2026\./,
    )

    // The chart: recorded months, the forecast with its bands, the spike marked and explained.
    const chart = page.getByRole('img', { name: /^Revenue by month/ })
    await chart.waitFor()
    expect(await chart.getAttribute('aria-label')).toMatch(/forecast .+ \(95 % range .+\)/)
    await page.getByText(/^Forecast by damped-trend Holt from \d+ months/).waitFor()
    await page.getByTestId('kpi-anomalies').waitFor()
    expect(await page.getByTestId('kpi-anomalies').textContent()).toMatch(/October 2025/)
    await page.getByTestId('kpi-narrative').waitFor()
    await page.getByLabel('Show').selectOption('customers')
    await page.getByRole('img', { name: /^Customers by month/ }).waitFor()
    await expectAccessible(page, 'kpis with data')
    await shot(page, 'desktop-kpis')
    expect(page.problems).toEqual([])
    await context.close()
  }, 150_000)

  it('documents: upload with progress, the analysis arrives live, its view; account: profile, password, keys, export, deletion', async () => {
    const context = await chromium.newContext({ width: 1280, height: 900 })
    const page = await watchedPage(context)
    current = page
    const email = uniqueEmail('account')
    await signUp(page, email)

    await nav(page, 'Documents')
    await page.getByRole('heading', { name: 'Documents', level: 1 }).waitFor()
    await page.getByText('No documents yet').waitFor()
    await expectAccessible(page, 'documents empty')
    // Not a document: refused under the field.
    await page
      .getByLabel('Document or image')
      .setInputFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('just some text') })
    await poll(() => page.getByTestId('upload-error').textContent()).toBe('This is not a PDF, PNG, JPEG or WebP file.')
    await page
      .getByLabel('Document or image')
      .setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: await reportPdf() })
    await page.getByText('report.pdf uploaded. Its analysis is on the way.').waitFor()
    const doc = page.getByTestId('document').filter({ hasText: 'report.pdf' })
    // The analysis finishes in the queue; the list follows the document.updated events.
    await poll(() => doc.getByTestId('document-status').textContent()).toBe('Analysed')
    await expectAccessible(page, 'documents')
    await shot(page, 'desktop-documents')
    await doc.getByRole('link', { name: 'report.pdf' }).click()
    await page.getByRole('heading', { name: 'report.pdf', level: 1 }).waitFor()
    await page.getByTestId('document-summary').waitFor()
    expect(await page.getByTestId('document-figures').textContent()).toMatch(/1,250,000|42/)
    await page.getByText(/^Show the text/).click()
    await expectAccessible(page, 'document analysis')
    await shot(page, 'desktop-document')
    await page.setViewportSize({ width: 375, height: 812 })
    await expectNoSideScroll(page, 'document analysis at 375 px')
    await expectAccessible(page, 'document analysis on a phone')
    await shot(page, 'phone-document')
    await page.setViewportSize({ width: 1280, height: 900 })

    // Account: the profile.
    await nav(page, 'Account')
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor()
    await poll(() => page.title()).toBe('Account · OptimaliQ')
    await page.getByLabel('Company name').fill('Acme Ltd')
    await page.getByRole('button', { name: 'Save profile' }).click()
    await page.getByText('Profile saved.', { exact: false }).waitFor()

    // The password: a wrong current one under its field; then changed.
    await page.getByLabel('Current password').fill('not my password')
    await page.getByLabel('New password', { exact: true }).fill('a brand new password')
    await page.getByLabel('New password again').fill('a brand new password')
    await page.getByRole('button', { name: 'Change password' }).click()
    await poll(() => page.locator('#currentPassword-error').textContent()).toBe('The current password is not right')
    await expectAccessible(page, 'account password error')
    await page.getByLabel('Current password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('Your password was changed', { exact: false }).waitFor()

    // API keys: created and shown once, then revoked after a confirmation.
    await page.getByLabel('Name of the new key').fill('CRM sync')
    await page.getByRole('button', { name: 'Create key' }).click()
    const secret = await page.getByTestId('new-key-secret').textContent()
    expect(secret).toMatch(/^oq_/)
    await page.getByRole('row', { name: /CRM sync/ }).waitFor()
    expect(await page.getByTestId('api-keys').textContent()).not.toContain(secret)
    await page.getByRole('button', { name: 'I have stored it' }).click()
    await page.getByRole('button', { name: 'Revoke CRM sync' }).click()
    const revoke = page.getByRole('dialog', { name: 'Revoke “CRM sync”?' })
    await revoke.waitFor()
    await expectAccessible(page, 'revoke modal')
    await revoke.getByRole('button', { name: 'Revoke key' }).click()
    // The key's standing says so (beside the date it was revoked).
    await page
      .getByRole('row', { name: /CRM sync/ })
      .getByTestId('key-standing')
      .getByText('Revoked')
      .waitFor()
    await expectAccessible(page, 'account')
    await shot(page, 'desktop-account')

    // The export is the user's data as JSON.
    const exported = await page.evaluate(async () => {
      const res = await fetch(document.querySelector<HTMLAnchorElement>('[data-testid="export-link"]')!.href)
      return {
        type: res.headers.get('content-type'),
        body: (await res.json()) as { tables: Record<string, unknown[]> },
      }
    })
    expect(exported.type).toMatch(/json/)
    expect(exported.body.tables.documents).toHaveLength(1)

    // Deletion, confirmed by typing the email; afterwards the account no longer signs in.
    await page.getByRole('button', { name: 'Delete my account…' }).click()
    const del = page.getByRole('dialog', { name: 'Delete your account?' })
    await del.waitFor()
    expect(await del.getByRole('button', { name: 'Delete everything' }).isDisabled()).toBe(true)
    await del.getByLabel('Your email').fill(email.toUpperCase())
    await expectAccessible(page, 'delete modal')
    await del.getByRole('button', { name: 'Delete everything' }).click()
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor()
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill('a brand new password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('.banner.error').waitFor()
    expect(page.problems).toEqual([])
    await context.close()
  }, 150_000)

  it('dashboard: each piece of advice names who produced it, one rating per answer, peers with their distribution or why not; the peers page', async () => {
    const context = await chromium.newContext({ width: 1280, height: 900 })
    const page = await watchedPage(context)
    current = page
    await signUp(page, uniqueEmail('peers'))
    await page.getByLabel('Industry').selectOption('Software')
    await page.getByLabel('Company size').selectOption('11-50')
    await page.getByLabel('Annual revenue').selectOption('1m_5m')
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('Generating leads').click()
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('Documented, with KPIs we track').click()
    await page.getByText('We collect feedback regularly').click()
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('Yes', { exact: true }).click()
    await page.getByText('Optimized for how we work').click()
    await page.getByRole('button', { name: 'See my scores' }).click()
    await page.getByRole('button', { name: 'Go to my dashboard' }).click()

    // Every strength, weakness, roadmap step and recommendation says who produced it.
    await page.getByTestId('roadmap').locator('li').first().waitFor()
    const items = page.locator(
      '[data-testid="advice-item"], [data-testid="roadmap"] li, [data-testid="recommendations"] li',
    )
    const count = await items.count()
    expect(count).toBeGreaterThan(0)
    for (let i = 0; i < count; i++)
      expect(await items.nth(i).getByTestId('source').textContent()).toMatch(/^(Rules engine|AI model · .+)$/)
    // Rating a part (the roadmap) thanks that part.
    const roadmapFeedback = page.getByTestId('roadmap').getByRole('group', { name: 'Was this helpful? (Roadmap)' })
    // A live refresh of the dashboard (the queued analysis finishing) may replace the answer just
    // rated, and with it the thanks: rate the answer on screen until its thanks shows.
    const thanks = page.getByTestId('roadmap').getByText('Thanks — your feedback was saved.')
    for (let attempt = 0; attempt < 3 && !(await thanks.isVisible()); attempt++) {
      const yes = roadmapFeedback.getByRole('button', { name: 'Yes' })
      if (await yes.isVisible()) await yes.click()
      await thanks.waitFor({ timeout: 10_000 }).catch(() => undefined)
    }
    await thanks.waitFor()
    // Each part keeps its own rating now, and so does each item: rate one roadmap step.
    expect(await page.getByTestId('insights').getByText('Thanks — your feedback was saved.').count()).toBe(0)
    const step = page.getByTestId('roadmap').locator('li').first().getByTestId('item-feedback')
    await step.getByRole('button', { name: /^Helpful: / }).click()
    await step.getByText('Rating saved').waitFor()
    expect(await step.getByRole('button', { name: /^Helpful: / }).getAttribute('aria-pressed')).toBe('true')
    await shotOf(page.getByTestId('roadmap'), 'desktop-dashboard-roadmap-thumbs')

    // Peers: the distribution, or for each area why there is nothing yet.
    const peers = page.getByTestId('dashboard-peers')
    await peers.getByTestId('peer-benchmarks').waitFor()
    const rows = peers.locator('tbody tr')
    await poll(() => rows.count()).toBeGreaterThan(0)
    for (let i = 0; i < (await rows.count()); i++)
      expect(await rows.nth(i).locator('td').nth(2).textContent()).toMatch(
        /^(Above \d+ % of peers \(\d+(st|nd|rd|th) percentile\)|Not enough peers yet: \d+ more needed|Not scored yet)$/,
      )
    await expectAccessible(page, 'dashboard with peers')
    await shot(page, 'desktop-dashboard-peers')
    await shotOf(page.getByTestId('overall-trend'), 'desktop-dashboard-trend')

    await peers.getByRole('link', { name: 'All peer figures' }).click()
    await page.getByRole('heading', { name: 'Peers', level: 1 }).waitFor()
    await page.getByTestId('similar-peers').locator('.skeleton').waitFor({ state: 'detached' })
    await page.getByTestId('industry-peers').locator('.skeleton').waitFor({ state: 'detached' })
    await expectAccessible(page, 'peers')
    await shot(page, 'desktop-peers')
    expect(page.problems).toEqual([])
    await context.close()
  }, 150_000)

  it('on a phone (375 px) the new pages fit without sideways scrolling and pass axe', async () => {
    const context = await chromium.newContext({ width: 375, height: 812 })
    const page = await watchedPage(context)
    current = page
    await signUp(page, uniqueEmail('phone-pages'))
    await page.evaluate(async (csv) => {
      await fetch('/api/kpis/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv })
    }, kpiCsv())
    // Scores, so the peers table has its rows and the dashboard an overall score's history.
    expect(
      await page.evaluate(async (body) => {
        const res = await fetch('/api/growth-assessment', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
        return res.status
      }, GROWTH),
    ).toBe(201)
    for (const [path, heading] of [
      ['/kpis', 'KPIs'],
      ['/documents', 'Documents'],
      ['/account', 'Account'],
      ['/peers', 'Peers'],
    ] as const) {
      await page.goto(`${base}${path}`)
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor()
      await poll(() => page.locator('.skeleton').count()).toBe(0)
      await expectNoSideScroll(page, heading)
      await expectAccessible(page, `phone ${heading}`)
      await shot(page, `phone-${path.slice(1)}`)
    }
    // The peers table reads as stacked rows on a phone: nothing scrolls, even inside its region.
    const table = page.getByTestId('peers-benchmarks').getByRole('region', { name: 'Percentiles by area' })
    expect(await page.getByTestId('peers-benchmarks').locator('tbody tr').count()).toBeGreaterThan(0)
    expect(await table.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true)
    expect(
      await page
        .getByTestId('peers-benchmarks')
        .locator('tbody tr')
        .first()
        .locator('td')
        .first()
        .evaluate((td) => getComputedStyle(td, '::before').content),
    ).toBe('"You"')

    // The dashboard's overall score over time: the history drawn, what is missing said once.
    await page.goto(`${base}/`)
    const trend = page.getByTestId('overall-trend')
    await trend.getByRole('img', { name: /^Overall score over time: / }).waitFor()
    expect(await trend.getByText(/A forecast needs/).count()).toBe(1)
    await expectNoSideScroll(page, 'Dashboard')
    await shot(page, 'phone-dashboard')
    await shotOf(trend, 'phone-dashboard-trend')
    expect(page.problems).toEqual([])
    await context.close()
  }, 150_000)
})
