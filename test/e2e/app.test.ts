import { existsSync, mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildWeb } from '../../tools/build-web.ts'
import { startTestApp, uniqueEmail, type TestApp } from '../helpers/app.ts'

/**
 * The web app end to end, in real Chromium against the real server (PGlite): sign-up with a field
 * error, the growth assessment, one deep assessment through the UI, the dashboard updating live
 * from the realtime stream, and the admin monitoring page.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ci = process.env.CI === 'true' || process.env.CI === '1'
const available = existsSync(CHROMIUM)
if (!available && ci)
  throw new Error(`Chromium is required in CI but ${CHROMIUM} is missing (apt-get install -y chromium)`)
if (!available) console.warn(`Chromium not found at ${CHROMIUM}: skipping the web e2e suite`)

const ADMIN = uniqueEmail('admin')
const PASSWORD = 'correct horse battery'
const SCREENSHOTS = new URL('../../.scratch/', import.meta.url).pathname

describe.skipIf(!available)('web app in Chromium', () => {
  let t: TestApp
  let browser: Browser
  let base: string

  beforeAll(async () => {
    await buildWeb({ ifStale: true, quiet: true })
    t = await startTestApp('pglite', { OPTIMALIQ_ADMIN_EMAILS: ADMIN })
    // As `optimaliq serve` does: queue workers in-process (dashboard refreshes run as tasks).
    await t.container.queue.startWorkers()
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(String(e)))
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused/.test(m.text())) problems.push(m.text())
    })
    ;(page as Page & { problems: string[] }).problems = problems
    return page
  }

  it('signs up (showing field errors), takes the growth and a deep assessment, and the dashboard updates live', async () => {
    const page = await newPage()
    await page.goto(`${base}/signup`)
    await expect.poll(() => page.getByRole('heading', { name: 'Create your account' }).isVisible()).toBe(true)

    // A bad sign-up: the API's field errors appear beside the fields.
    await page.getByLabel('Email').fill('not-an-email')
    await page.getByLabel('Password').fill('short')
    await page.getByRole('button', { name: 'Create account' }).click()
    const passwordError = page.locator('.field.has-error', { has: page.getByLabel('Password') }).locator('.field-error')
    await expect.poll(() => passwordError.textContent()).toContain('t least 8 characters')
    expect(
      await page
        .locator('.field.has-error', { has: page.getByLabel('Email') })
        .locator('.field-error')
        .isVisible(),
    ).toBe(true)
    mkdirSync(SCREENSHOTS, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOTS}e2e-signup-errors.png` })

    // A good one lands on the growth assessment.
    await page.getByLabel('Your name').fill('Ada')
    await page.getByLabel('Email').fill(uniqueEmail('web'))
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Growth assessment' }).waitFor()

    // Next without answers: the step's errors show.
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('Choose your industry').waitFor()
    await page.getByLabel('Industry').selectOption('Software')
    await page.getByLabel('Company size').selectOption('11-50')
    await page.getByLabel('Annual revenue').selectOption('1m_5m')
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('Generating leads').click()
    await page.getByText('Outdated technology').click()
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('Documented, with KPIs we track').click()
    await page.getByText('We collect feedback regularly').click()
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('Yes', { exact: true }).click()
    await page.getByText('Optimized for how we work').click()
    await page.getByRole('button', { name: 'See my scores' }).click()
    const base1 = await page.getByTestId('growth-base-score').locator('.ring-value').textContent()
    expect(Number(base1)).toBeGreaterThanOrEqual(1)

    // The dashboard shows the base score.
    await page.getByRole('button', { name: 'Go to my dashboard' }).click()
    await expect.poll(() => page.getByTestId('overall-score').locator('.ring-value').textContent()).toBe(base1)
    await expect.poll(() => page.getByText('Live — updates appear as they happen').isVisible()).toBe(true)
    expect(await page.getByRole('link', { name: 'Monitoring' }).count()).toBe(0)

    // One deep assessment through the UI, step by step.
    // (Pick one whose questions for this user's bracket include every kind of question.)
    const cookie = (await page.context().cookies()).find((c) => c.name === 'optimaliq_token')!
    const headers = { cookie: `optimaliq_token=${cookie.value}`, 'content-type': 'application/json' }
    type Questions = {
      bracketKey: string
      groups: Array<{ questions: Array<{ key: string; type: string; options?: Array<{ value: string }> }> }>
    }
    const questionsOf = async (t: string) =>
      (await (await fetch(`${base}/api/assessments/${t}`, { headers })).json()) as Questions
    const catalogue = (await (await fetch(`${base}/api/assessments`, { headers })).json()) as {
      assessments: Array<{ type: string }>
    }
    let type = catalogue.assessments[0]!.type
    for (const a of catalogue.assessments) {
      const kinds = new Set((await questionsOf(a.type)).groups.flatMap((g) => g.questions.map((q) => q.type)))
      if (kinds.size === 4) {
        type = a.type
        break
      }
    }
    await page.getByRole('link', { name: 'Assessments', exact: true }).click()
    await page.getByTestId(`assessment-${type}`).getByRole('link', { name: 'Start' }).click()
    await page.getByText(/^Step 1 of/).waitFor()
    // Next with nothing answered shows the required-question errors.
    const firstRequired = await page.locator('.card [data-question]').count()
    if (firstRequired > 0) {
      await page.getByRole('button', { name: /^(Next|Submit)$/ }).click()
      await expect.poll(() => page.locator('.field-error').count()).toBeGreaterThan(0)
    }
    let shot = false
    const seen = new Set<string>()
    for (let step = 0; step < 30; step++) {
      for (const question of await page.locator('.card [data-question]').all()) {
        const tag = await question.evaluate((el) => el.tagName)
        if (tag === 'TEXTAREA') {
          seen.add('text_area')
          await question.fill('We review this every quarter with the leadership team.')
        } else if (tag === 'OL') {
          // Rank: move the first option down; the order on screen follows.
          seen.add('rank')
          const first = await question.locator('li .grow').first().textContent()
          await question.getByRole('button', { name: /down$/ }).first().click()
          expect(await question.locator('li .grow').nth(1).textContent()).toBe(first)
        } else if ((await question.locator('input[type="checkbox"]').count()) > 0) {
          // Multi-select: click every option; past the maximum the rest are disabled.
          seen.add('multi_select')
          for (const label of await question.locator('label.choice').all())
            if (!(await label.locator('input').isDisabled())) await label.click()
          const checked = await question.locator('input:checked').count()
          const max = (await question.locator('input').count()) - (await question.locator('input:disabled').count())
          expect(checked).toBe(max)
        } else {
          seen.add('select')
          const choices = question.locator('label.choice')
          await choices.nth((await choices.count()) - 1).click()
        }
      }
      if (!shot && (await page.locator('.card ol.rank, .card textarea').count()) > 0) {
        await page.screenshot({ path: `${SCREENSHOTS}e2e-assessment-step.png`, fullPage: true })
        shot = true
      }
      const submit = page.getByRole('button', { name: 'Submit' })
      if (await submit.isVisible()) {
        await submit.click()
        break
      }
      await page.getByRole('button', { name: 'Next' }).click()
    }
    const score = Number(await page.getByTestId('assessment-result-score').locator('.ring-value').textContent())
    expect([...seen].sort()).toEqual(['multi_select', 'rank', 'select', 'text_area'])
    expect(score).toBeGreaterThanOrEqual(1)
    expect(score).toBeLessThanOrEqual(5)

    // Back on the dashboard the score is there; mark the page to prove no reload happens next.
    await page.getByRole('button', { name: 'See my dashboard' }).click()
    await page.getByTestId(`deep-${type}`).waitFor()
    expect(await page.getByTestId(`deep-${type}`).locator('strong').textContent()).toBe(score.toFixed(2))
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42))

    // Another assessment submitted elsewhere (the API, with this session's cookie) shows up live.
    const other = catalogue.assessments.find((a) => a.type !== type)!.type
    const questions = await questionsOf(other)
    const answers: Record<string, unknown> = {}
    for (const q of questions.groups.flatMap((g) => g.questions)) {
      const values = (q.options ?? []).map((o) => o.value)
      answers[q.key] =
        q.type === 'select'
          ? values[0]
          : q.type === 'multi_select'
            ? values.slice(0, 1)
            : q.type === 'rank'
              ? values
              : 'We are working on it.'
    }
    const submitted = await fetch(`${base}/api/assessments/${other}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ answers, bracketKey: questions.bracketKey }),
    })
    expect(submitted.status).toBe(201)
    await page.getByTestId(`deep-${other}`).waitFor()
    await page.getByTestId('live-toast').waitFor()
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42)
    expect(await page.getByTestId('live-events').textContent()).toContain('assessment.completed')

    // The assessment's history page lists the submission.
    await page.goto(`${base}/assessments/${type}/history`)
    await page.getByRole('cell', { name: score.toFixed(2) }).waitFor()

    // Growth studio: five levers with progress, a what-if simulation with commentary.
    await page.getByRole('link', { name: 'Growth studio' }).click()
    await expect.poll(() => page.getByTestId('lever').count()).toBe(5)
    const slider = page.getByTestId('lever').first().getByRole('slider')
    await slider.focus()
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => page.getByTestId('lever').first().locator('output').textContent()).toBe('5%')
    await page.getByRole('button', { name: 'Run simulation' }).click()
    await page.getByTestId('simulation-result').waitFor()
    await page.getByRole('button', { name: 'Get executive commentary' }).click()
    await expect
      .poll(async () => ((await page.getByTestId('commentary').textContent()) ?? '').length)
      .toBeGreaterThan(20)
    await page.screenshot({ path: `${SCREENSHOTS}e2e-growth-studio.png`, fullPage: true })

    await page.goto(`${base}/`)
    await page.getByTestId(`deep-${other}`).waitFor()
    await page.getByTestId('recommendations').waitFor()
    // Refreshing the insights runs as a queued task; the stream says when it is done.
    await page.getByRole('button', { name: 'Refresh insights' }).click()
    await expect
      .poll(() => page.getByTestId('live-events').textContent(), { timeout: 20_000 })
      .toContain('dashboard.updated')
    await page.getByRole('button', { name: 'Refresh insights' }).waitFor()
    await page.screenshot({ path: `${SCREENSHOTS}e2e-dashboard.png`, fullPage: true })
    expect((page as Page & { problems: string[] }).problems).toEqual([])
  })

  it('an admin sees the monitoring page, signs out and back in', async () => {
    const page = await newPage()
    await page.goto(`${base}/signup`)
    await page.getByLabel('Email').fill(ADMIN)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Growth assessment' }).waitFor()
    await page.getByRole('link', { name: 'Monitoring' }).click()
    await page.getByRole('heading', { name: 'AI monitoring' }).waitFor()
    await page.getByRole('heading', { name: 'Providers' }).waitFor()
    await page.getByRole('heading', { name: 'Alerts' }).waitFor()
    // With governance merged the usage figures show (the first test's AI calls count as requests).
    await page.getByTestId('monitoring-totals').waitFor()
    await page.getByRole('button', { name: '7d' }).click()
    await page.getByTestId('monitoring-totals').waitFor()
    // Sections whose endpoints this server lacks say so instead of failing.
    await expect.poll(() => page.locator('.spinner').count()).toBe(0)
    expect(await page.locator('.banner.error').count()).toBe(0)
    await page.screenshot({ path: `${SCREENSHOTS}e2e-admin.png`, fullPage: true })

    // Signing out returns to the sign-in page; an unknown API path stays a JSON 404.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor()
    // A wrong password is a message on the form; the right one signs back in.
    await page.getByLabel('Email').fill(ADMIN)
    await page.getByLabel('Password').fill('wrong password!')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('.banner.error').waitFor()
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'Monitoring' }).waitFor()
    const missing = await fetch(`${base}/api/nothing-here`)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found')
    expect((page as Page & { problems: string[] }).problems).toEqual([])
  })
})
