/// <reference lib="dom" />
import type { AddressInfo } from 'node:net'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { fireAlert } from '../../src/data/repositories/alerts.ts'
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
 * The web app end to end, in real Chromium against the real server (PGlite, queue workers
 * in-process as `serve` runs them): a new user's whole journey on a desktop and on a phone, a live
 * update from a second tab, each modal by keyboard, the admin console, and axe-core on every page.
 */

if (!available && ci)
  throw new Error(`Chromium is required in CI but ${CHROMIUM} is missing (apt-get install -y chromium)`)
if (!available) console.warn(`Chromium not found at ${CHROMIUM}: skipping the web e2e suite`)

const ADMIN = uniqueEmail('admin')
const PASSWORD = 'correct horse battery'

/** expect.poll with room for a loaded machine (its default gives up after 1 s). */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) =>
  expect.poll(fn, { timeout: 15_000, interval: 100, ...options })

type Questions = {
  bracketKey: string
  groups: Array<{ questions: Array<{ key: string; type: string; options?: Array<{ value: string }> }> }>
}

describe.skipIf(!available)('web app in Chromium', () => {
  let t: TestApp
  let chromium: Awaited<ReturnType<typeof launchBrowser>>
  let base: string

  beforeAll(async () => {
    await buildWeb({ ifStale: true, quiet: true })
    t = await startTestApp('pglite', { OPTIMALIQ_ADMIN_EMAILS: ADMIN })
    await t.container.queue.startWorkers()
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
    chromium = await launchBrowser()
  }, 300_000)

  /** The page a test is on: photographed when the test fails. */
  let current: Page | undefined
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && current && !current.isClosed())
      await shot(current, `failed-${ctx.task.name.split(':')[0]!.replace(/\W+/g, '-')}`).catch(() => undefined)
    current = undefined
  })

  afterAll(async () => {
    await chromium?.close()
    await t?.close()
  })

  /** The API with this browser's session cookie (what another tab or a script would send). */
  async function apiOf(context: BrowserContext) {
    const cookie = (await context.cookies()).find((c) => c.name === 'optimaliq_token')!
    const headers = { cookie: `optimaliq_token=${cookie.value}`, 'content-type': 'application/json' }
    return async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
      return (await res.json()) as T
    }
  }

  async function signUp(page: Page, email: string) {
    await page.goto(`${base}/signup`)
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('heading', { name: 'Growth assessment' }).waitFor()
  }

  /** The growth assessment, step by step, on whatever page the form is on now. */
  async function growthAssessment(page: Page, from = 0) {
    if (from <= 0) {
      await page.getByLabel('Industry').selectOption('Software')
      await page.getByLabel('Company size').selectOption('11-50')
      await page.getByLabel('Annual revenue').selectOption('1m_5m')
      await page.getByRole('button', { name: 'Next' }).click()
    }
    if (from <= 1) {
      if (!(await page.getByLabel('Generating leads').isChecked())) await page.getByText('Generating leads').click()
      await page.getByRole('button', { name: 'Next' }).click()
    }
    await page.getByText('Documented, with KPIs we track').click()
    await page.getByText('We collect feedback regularly').click()
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('Yes', { exact: true }).click()
    await page.getByText('Optimized for how we work').click()
    await page.getByRole('button', { name: 'See my scores' }).click()
    return Number(await page.getByTestId('growth-base-score').locator('.ring-value').textContent())
  }

  /** Tab until the focused element matches; fails after `max` presses. */
  async function tabTo(
    page: Page,
    test: (el: { tag: string; text: string; label: string | null }) => boolean,
    max = 25,
    shift = false,
  ) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab')
      const el = await page.evaluate(() => ({
        tag: document.activeElement?.tagName ?? '',
        text: document.activeElement?.textContent?.trim() ?? '',
        label: document.activeElement?.getAttribute('aria-label') ?? null,
      }))
      if (test(el)) return
    }
    throw new Error('focus never reached the element')
  }
  const focusInside = (page: Page, testId: string) =>
    page.evaluate((id) => !!document.querySelector(`[data-testid="${id}"]`)?.contains(document.activeElement), testId)

  it('a new user on a desktop: sign-up, onboarding with a draft, a deep assessment, live updates from a second tab, the three modals by keyboard, growth studio', async () => {
    const context = await chromium.newContext({ width: 1280, height: 900 })
    const page = await watchedPage(context)
    current = page

    // A page asked for while signed out: sign-in first, with the page kept for after.
    await page.goto(`${base}/assessments`)
    await page.waitForURL(/\/signin\?next=%2Fassessments$/)
    await poll(() => page.title()).toBe('Sign in · OptimaliQ')
    await expectAccessible(page, 'sign-in')
    await shot(page, 'desktop-signin')
    await page.getByRole('link', { name: 'Create an account' }).click()
    await page.getByRole('heading', { name: 'Create your account' }).waitFor()
    await expectAccessible(page, 'sign-up')

    // Checked with the server's own schema before sending, in plain words under each field.
    await page.getByLabel('Email').fill('not-an-email')
    await page.getByLabel('Password').fill('short')
    await page.getByRole('button', { name: 'Create account' }).click()
    await poll(() => page.locator('#email-error').textContent()).toBe('Enter a valid email address')
    expect(await page.locator('#password-error').textContent()).toBe('Must be at least 8 characters')
    expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true')
    await expectAccessible(page, 'sign-up with errors')
    await shot(page, 'desktop-signup-errors')

    const email = uniqueEmail('Web').replace('web', 'Web')
    await page.getByLabel('Your name (optional)').fill('Ada')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    // Back to the page asked for; the address shows lowercase.
    await page.getByRole('heading', { name: 'Assessments' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/assessments')
    expect(await page.locator('.topbar .email').textContent()).toBe(email.toLowerCase())
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1')
    await expectAccessible(page, 'assessments')
    await shot(page, 'desktop-assessments')

    // Onboarding: step checks, a warning before leaving, the draft kept across a reload.
    await page.getByRole('link', { name: 'Start', exact: true }).click()
    await page.getByRole('heading', { name: 'Growth assessment' }).waitFor()
    await poll(() => page.title()).toBe('Growth assessment · OptimaliQ')
    await shot(page, 'desktop-onboarding')
    await page.getByRole('button', { name: 'Next' }).click()
    await poll(() => page.locator('#industry-error').textContent()).toBe('This is required')
    await page.getByLabel('Industry').selectOption('Software')
    await page.getByLabel('Company size').selectOption('11-50')
    await page.getByLabel('Annual revenue').selectOption('1m_5m')
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('Generating leads').click()
    await expectAccessible(page, 'onboarding')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click()
    const leave = page.getByRole('dialog', { name: 'Leave these answers unfinished?' })
    await leave.waitFor()
    await page.getByRole('button', { name: 'Stay' }).click()
    await leave.waitFor({ state: 'detached' })
    expect(new URL(page.url()).pathname).toBe('/onboarding')
    await page.reload()
    await page.getByText('We restored the answers you left unfinished.').waitFor()
    expect(await page.getByLabel('Generating leads').isChecked()).toBe(true)
    const baseScore = await growthAssessment(page, 1)
    expect(baseScore).toBeGreaterThanOrEqual(1)

    await page.getByRole('button', { name: 'Go to my dashboard' }).click()
    // The ring shows the overall score (the base score until deep assessments exist), as the API has it.
    const scores = await (
      await apiOf(context)
    )<{ overallScore: number | null; baseScore: number }>('GET', '/api/scores')
    await poll(() => page.getByTestId('overall-score').locator('.ring-value').textContent()).toBe(
      (scores.overallScore ?? scores.baseScore).toFixed(2),
    )
    await poll(() => page.getByText('Live — updates appear as they happen').isVisible()).toBe(true)
    await poll(() => page.title()).toBe('Dashboard · OptimaliQ')
    expect(await page.getByRole('link', { name: 'Monitoring' }).count()).toBe(0)

    // One deep assessment through the UI, chosen to have every kind of question.
    const api = await apiOf(context)
    const catalogue = await api<{ assessments: Array<{ type: string }> }>('GET', '/api/assessments')
    let type = catalogue.assessments[0]!.type
    for (const a of catalogue.assessments) {
      const kinds = new Set(
        (await api<Questions>('GET', `/api/assessments/${a.type}`)).groups.flatMap((g) =>
          g.questions.map((q) => q.type),
        ),
      )
      if (kinds.size === 4) {
        type = a.type
        break
      }
    }
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assessments' }).click()
    await page
      .getByTestId(`assessment-${type}`)
      .getByRole('link', { name: /^Start/ })
      .click()
    await page
      .getByText(/^Step 1 of/)
      .first()
      .waitFor()
    await page.getByRole('button', { name: /^(Next|Submit)$/ }).click()
    await poll(() => page.locator('.field-error').count()).toBeGreaterThan(0)
    await expectAccessible(page, 'deep assessment')
    const seen = new Set<string>()
    for (let step = 0; step < 30; step++) {
      for (const question of await page.locator('.card [data-question]').all()) {
        const tag = await question.evaluate((el) => el.tagName)
        if (tag === 'TEXTAREA') {
          seen.add('text_area')
          await question.fill('We review this every quarter with the leadership team.')
        } else if (tag === 'OL') {
          seen.add('rank')
          const first = await question.locator('li .grow').first().textContent()
          await question.getByRole('button', { name: /down$/ }).first().click()
          expect(await question.locator('li .grow').nth(1).textContent()).toBe(first)
        } else if ((await question.locator('input[type="checkbox"]').count()) > 0) {
          seen.add('multi_select')
          for (const label of await question.locator('label.choice').all())
            if (!(await label.locator('input').isDisabled())) await label.click()
        } else {
          seen.add('select')
          const choices = question.locator('label.choice')
          await choices.nth((await choices.count()) - 1).click()
        }
      }
      const submit = page.getByRole('button', { name: 'Submit' })
      if (await submit.isVisible()) {
        await shot(page, 'desktop-assessment-last-step')
        await submit.click()
        break
      }
      await page.getByRole('button', { name: 'Next' }).click()
    }
    const score = Number(await page.getByTestId('assessment-result-score').locator('.ring-value').textContent())
    expect([...seen].sort()).toEqual(['multi_select', 'rank', 'select', 'text_area'])
    expect(score).toBeGreaterThanOrEqual(1)

    await page.getByRole('button', { name: 'See my dashboard' }).click()
    await page.getByTestId(`deep-${type}`).waitFor()
    expect(await page.getByTestId(`deep-${type}`).locator('strong').textContent()).toBe(score.toFixed(2))
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42))

    // A second tab submits another assessment: this tab shows it live, without a reload.
    const tab2 = await watchedPage(context)
    await tab2.goto(`${base}/assessments`)
    await tab2.getByRole('heading', { name: 'Assessments' }).waitFor()
    const other = catalogue.assessments.find((a) => a.type !== type)!.type
    const questions = await api<Questions>('GET', `/api/assessments/${other}`)
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
    const status = await tab2.evaluate(
      async ({ other, body }) =>
        (
          await fetch(`/api/assessments/${other}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).status,
      { other, body: { answers, bracketKey: questions.bracketKey } },
    )
    expect(status).toBe(201)
    await page.getByTestId(`deep-${other}`).waitFor()
    await page
      .getByTestId('live-toast')
      .filter({ hasText: /New .+ score: \d/ })
      .first()
      .waitFor()
    // The score, the analysis and the refreshed insights of one submission share one toast.
    expect(
      await page
        .getByTestId('live-toast')
        .filter({ hasText: /score|insights|analysis/ })
        .count(),
    ).toBe(1)
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42)
    expect(await page.getByTestId('live-events').textContent()).toMatch(/New .+ score/)
    // The second tab's own list updated from the stream too.
    await poll(() => tab2.getByTestId(`assessment-${other}`).getByTestId('assessment-score').textContent()).not.toBe(
      '—',
    )
    await tab2.close()
    await page.getByTestId('strengths').waitFor()
    await expectAccessible(page, 'dashboard')
    await shot(page, 'desktop-dashboard')

    // The AI insight modal, by keyboard: open, rate with a comment, close, focus back.
    const insightOpener = page
      .locator(
        '[data-testid="strengths"] button.linklike, [data-testid="weaknesses"] button.linklike, [data-testid="insights"] button.linklike',
      )
      .first()
    await insightOpener.focus()
    await page.keyboard.press('Enter')
    const insight = page.getByTestId('insight-modal')
    await insight.waitFor()
    expect(await insight.getAttribute('aria-modal')).toBe('true')
    expect(await insight.textContent()).toMatch(/Generated by/)
    expect(await focusInside(page, 'insight-modal')).toBe(true)
    await tabTo(page, (el) => el.tag === 'BUTTON' && el.text.endsWith('Yes'))
    expect(await focusInside(page, 'insight-modal')).toBe(true)
    await page.keyboard.press('Enter')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    await page.keyboard.type('Clear and useful.')
    await tabTo(page, (el) => el.text === 'Send feedback', 5)
    await page.keyboard.press('Enter')
    await insight.getByText('Thanks — your feedback was saved.').waitFor()
    await shot(page, 'desktop-insight-modal')
    await expectAccessible(page, 'insight modal')
    await page.keyboard.press('Escape')
    await insight.waitFor({ state: 'detached' })
    // Focus goes back once the dialog's focus scope has unmounted (a task after it left the DOM).
    await poll(() => insightOpener.evaluate((el) => el === document.activeElement)).toBe(true)

    // The assessment deep-dive modal, by keyboard.
    const deepOpener = page.getByRole('button', {
      name: `Deep dive into ${await page.getByTestId(`deep-${type}`).locator('span').first().textContent()}`,
    })
    await deepOpener.focus()
    await page.keyboard.press('Enter')
    const deep = page.getByTestId('deep-dive-modal')
    await deep.waitFor()
    await poll(() => deep.getByTestId('deep-dive-score').textContent()).toBe(score.toFixed(2))
    await deep.getByRole('heading', { name: 'Your answers' }).waitFor()
    await deep.getByRole('heading', { name: 'How the score was computed' }).waitFor()
    await expectAccessible(page, 'deep-dive modal')
    await shot(page, 'desktop-deep-dive-modal')
    await page.keyboard.press('Escape')
    await deep.waitFor({ state: 'detached' })
    await poll(() => deepOpener.evaluate((el) => el === document.activeElement)).toBe(true)

    // The strategy planner, by keyboard: roadmap items become tasks; an owner changed; saved on the server.
    const planOpener = page.getByRole('button', { name: 'Plan it' })
    await planOpener.focus()
    await page.keyboard.press('Enter')
    const planner = page.getByTestId('planner-modal')
    await planner.waitFor()
    await poll(() => planner.getByTestId('plan-item').count()).toBeGreaterThan(0)
    await expectAccessible(page, 'planner modal')
    await tabTo(page, (el) => el.tag === 'INPUT' && el.label === null, 4)
    await page.locator('#plan-0-owner').focus()
    await page.keyboard.press('ControlOrMeta+a')
    await page.keyboard.type('Ada')
    await shot(page, 'desktop-planner-modal')
    await page.keyboard.press('Enter')
    await planner.waitFor({ state: 'detached' })
    await poll(() => planOpener.evaluate((el) => el === document.activeElement)).toBe(true)
    const plans = await api<{ plans: Array<{ items: Array<{ owner: string; source: string }> }> }>('GET', '/api/plans')
    expect(plans.plans[0]!.items[0]).toMatchObject({ owner: 'Ada', source: 'roadmap' })

    // History of the assessment, with its breakdown link.
    await page.goto(`${base}/assessments/${type}/history`)
    await page.getByRole('cell', { name: score.toFixed(2) }).waitFor()
    await expectAccessible(page, 'history')
    await shot(page, 'desktop-history')

    // Growth studio: levers, bad simulator input refused under its field (no stale result), then a run.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Growth studio' }).click()
    await poll(() => page.getByTestId('lever').count()).toBe(5)
    const slider = page.getByTestId('lever').first().getByRole('slider')
    await slider.focus()
    await page.keyboard.press('ArrowRight')
    await poll(() => page.getByTestId('lever').first().locator('output').textContent()).toMatch(/^\d+%$/)
    await page.getByRole('button', { name: 'Run simulation' }).click()
    await page.getByTestId('simulation-result').waitFor()
    await page.getByLabel('Annual costs (USD)').fill('-5')
    await page.getByRole('button', { name: 'Run simulation' }).click()
    await poll(() => page.locator('#sim-costs-error').textContent()).toBe('Must be 0 or more')
    expect(await page.getByTestId('simulation-result').count()).toBe(0)
    await page.getByLabel('Annual costs (USD)').fill('700000')
    await page.getByRole('button', { name: 'Run simulation' }).click()
    await page.getByTestId('simulation-result').waitFor()
    await page.getByRole('button', { name: 'Get executive commentary' }).click()
    await poll(async () => ((await page.getByTestId('commentary').textContent()) ?? '').length).toBeGreaterThan(20)
    await expectAccessible(page, 'growth studio')
    await shot(page, 'desktop-growth-studio')

    await page.goto(`${base}/no-such-page`)
    await page.getByRole('heading', { name: 'Page not found' }).waitFor()
    await expectAccessible(page, 'not found')
    await shot(page, 'desktop-not-found')
    expect(page.problems).toEqual([])
    await context.close()
  }, 150_000)

  it('a new user on a phone (375 px): menu button, every page without sideways scrolling, usable simulator', async () => {
    const context = await chromium.newContext({ width: 375, height: 812 })
    const page = await watchedPage(context)
    current = page
    for (const [path, heading, name] of [
      ['/signin', 'Welcome back', 'signin'],
      ['/signup', 'Create your account', 'signup'],
    ] as const) {
      await page.goto(`${base}${path}`)
      await page.getByRole('heading', { name: heading }).waitFor()
      await expectNoSideScroll(page, name)
      await expectAccessible(page, `phone ${name}`)
      await shot(page, `phone-${name}`)
    }
    await signUp(page, uniqueEmail('phone'))
    await expectNoSideScroll(page, 'onboarding')
    await expectAccessible(page, 'phone onboarding')
    await shot(page, 'phone-onboarding')
    await growthAssessment(page)
    await page.getByRole('button', { name: 'Go to my dashboard' }).click()
    await page.getByTestId('overall-score').waitFor()

    // The links sit behind a menu button that says whether it is open.
    const menu = page.getByRole('button', { name: 'Menu' })
    const nav = page.getByRole('navigation', { name: 'Main' })
    expect(await nav.getByRole('link', { name: 'Growth studio' }).isVisible()).toBe(false)
    expect(await menu.getAttribute('aria-expanded')).toBe('false')
    await menu.click()
    expect(await menu.getAttribute('aria-expanded')).toBe('true')
    await shot(page, 'phone-menu-open')
    await expectAccessible(page, 'phone menu')
    await nav.getByRole('link', { name: 'Dashboard' }).click()
    await page.getByTestId('strengths').waitFor()
    await expectNoSideScroll(page, 'dashboard')
    await expectAccessible(page, 'phone dashboard')
    await shot(page, 'phone-dashboard')

    for (const [label, heading] of [
      ['Assessments', 'Assessments'],
      ['Growth studio', 'Growth studio'],
    ] as const) {
      await menu.click()
      await nav.getByRole('link', { name: label }).click()
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor()
      expect(await nav.getByRole('link', { name: label }).isVisible()).toBe(false)
      await poll(() => page.locator('.skeleton').count()).toBe(0)
      await expectNoSideScroll(page, label)
      await expectAccessible(page, `phone ${label}`)
      await shot(page, `phone-${label.toLowerCase().replace(/\W+/g, '-')}`)
    }
    // The simulator's inputs are wide enough to use with a thumb.
    const width = await page.getByLabel('Annual revenue (USD)').evaluate((el) => el.getBoundingClientRect().width)
    expect(width).toBeGreaterThan(250)
    await page.getByRole('button', { name: 'Run simulation' }).click()
    await page.getByTestId('simulation-result').waitFor()
    await expectNoSideScroll(page, 'growth studio with a result')
    await shot(page, 'phone-growth-studio')

    // A deep assessment's first step and its (empty) history, and the page-not-found page.
    const { assessments } = await page.evaluate(async () => (await fetch('/api/assessments')).json())
    const type = (assessments as Array<{ type: string }>)[0]!.type
    for (const [path, name] of [
      [`/assessments/${type}`, 'take-assessment'],
      [`/assessments/${type}/history`, 'history'],
      ['/no-such-page', 'not-found'],
    ] as const) {
      await page.goto(`${base}${path}`)
      await page.getByRole('heading', { level: 1 }).waitFor()
      await poll(() => page.locator('.skeleton').count()).toBe(0)
      await expectNoSideScroll(page, name)
      await expectAccessible(page, `phone ${name}`)
      await shot(page, `phone-${name}`)
    }
    expect(page.problems).toEqual([])
    await context.close()
  }, 150_000)

  it('an admin: the monitoring console, an alert acknowledged live, an experiment started and its best version promoted, satisfaction and funnel, a tier changed, signing out and back in', async () => {
    const context = await chromium.newContext({ width: 1280, height: 900 })
    const page = await watchedPage(context)
    current = page
    await signUp(page, ADMIN)
    const api = await apiOf(context)
    const v1 = await api<{ id: string }>('POST', '/api/admin/model-versions', {
      feature: 'dashboard_insights',
      provider: 'openai',
      model: 'gpt-a',
      promptVersion: 'v1',
      status: 'active',
    })
    const v2 = await api<{ id: string }>('POST', '/api/admin/model-versions', {
      feature: 'dashboard_insights',
      provider: 'openai',
      model: 'gpt-b',
      promptVersion: 'v2',
    })

    // Some AI traffic of the admin's own (a scored profile, then its forecast's narrative), logged.
    await api('POST', '/api/growth-assessment', growthAnswers())
    await api('GET', '/api/insights/forecast')
    await poll(
      async () =>
        (await api<{ series: unknown[] }>('GET', '/api/admin/ai-monitoring/series?window=7d&by=model')).series.length,
    ).toBeGreaterThan(0)

    await page.getByRole('link', { name: 'Monitoring' }).click()
    await page.getByRole('heading', { name: 'AI monitoring' }).waitFor()
    await poll(() => page.title()).toBe('AI monitoring · OptimaliQ')
    await page.getByTestId('monitoring-totals').waitFor()
    await page.getByRole('radio', { name: '7d' }).click()
    expect(await page.getByRole('radio', { name: '7d' }).getAttribute('aria-checked')).toBe('true')
    await page.getByTestId('monitoring-totals').waitFor()
    await poll(() => page.locator('.skeleton').count()).toBe(0)
    await expectAccessible(page, 'admin overview')
    await shot(page, 'desktop-admin-overview')
    // Tokens and cost over time, one line per provider, model or feature. (Reduced motion: axe
    // must not see a button halfway through its colour transition.)
    await page.emulateMedia({ reducedMotion: 'reduce' })
    const overTime = page.getByTestId('usage-over-time')
    await overTime
      .getByRole('radiogroup', { name: 'Over time, split by' })
      .getByRole('radio', { name: 'Model' })
      .click()
    await poll(() => overTime.getByRole('heading').first().textContent()).toMatch(/by model$/)
    await overTime.getByRole('img', { name: /^Cost per 6h by model: / }).waitFor()
    await overTime.getByRole('radiogroup', { name: 'Measure over time' }).getByRole('radio', { name: 'Tokens' }).click()
    await overTime.getByRole('img', { name: /^Tokens per 6h by model: / }).waitFor()
    await expectAccessible(page, 'admin usage over time')
    await shotOf(overTime, 'desktop-admin-usage-over-time')

    await page.getByRole('tab', { name: 'Alerts' }).click()
    await page.getByRole('heading', { name: 'Alert rules' }).waitFor()
    await expectAccessible(page, 'admin alerts')

    // An alert fires while the admin watches: it arrives live; acknowledging it is recorded.
    const fired = await t.container.db.transaction((tx) =>
      fireAlert(tx, { ruleId: 'error_rate', scope: 'e2e', value: 0.5, message: 'Error rate 50 % over 5 minutes' }),
    )
    const alertRow = page.getByTestId('alert-row').filter({ hasText: 'Error rate 50 % over 5 minutes' })
    await alertRow.waitFor()
    await alertRow.getByRole('button', { name: 'Acknowledge alert: Error rate 50 % over 5 minutes' }).click()
    await alertRow.getByRole('button').waitFor({ state: 'detached' })
    await shot(page, 'desktop-admin-alerts')
    const alerts = await api<{ alerts: Array<{ id: string; acknowledgedBy: string | null }> }>(
      'GET',
      '/api/admin/alerts',
    )
    expect(alerts.alerts.find((a) => a.id === fired!.id)?.acknowledgedBy).toBeTruthy()
    await expectAccessible(page, 'admin alerts acknowledged')

    await page.getByRole('tab', { name: 'Versions & experiments' }).click()
    // An experiment started from the console: two versions, split 3:1.
    const creator = page.getByTestId('new-experiment')
    await creator.getByRole('button', { name: 'Start experiment' }).click()
    await creator.getByText('Pick at least two versions (at most ten).').waitFor()
    await creator.getByRole('checkbox', { name: /gpt-a/ }).check()
    await creator.getByRole('checkbox', { name: /gpt-b/ }).check()
    await creator.getByLabel('Weight').first().fill('3')
    await creator.getByText('75 % of traffic').waitFor()
    await expectAccessible(page, 'admin new experiment')
    await creator.getByRole('button', { name: 'Start experiment' }).click()
    const exp = page.getByTestId('experiment').first()
    await exp.waitFor()
    const experiment = (
      await api<{ experiments: Array<{ id: string; variants: Array<{ versionId: string; weight: number }> }> }>(
        'GET',
        '/api/admin/experiments',
      )
    ).experiments[0]!
    expect(experiment.variants).toEqual([
      { versionId: v1.id, weight: 3 },
      { versionId: v2.id, weight: 1 },
    ])
    await exp.getByRole('button', { name: 'Promote best' }).click()
    await page.getByText('Version promoted').first().waitFor()
    await poll(
      async () =>
        (
          await api<{ experiments: Array<{ id: string; status: string }> }>('GET', '/api/admin/experiments')
        ).experiments.find((e) => e.id === experiment.id)?.status,
    ).toBe('promoted')
    await exp.getByRole('button', { name: 'Roll back' }).waitFor()
    await expectAccessible(page, 'admin versions')
    await shot(page, 'desktop-admin-versions')

    await page.getByRole('tab', { name: 'Satisfaction & funnel' }).click()
    await page.getByTestId('funnel').locator('.skeleton').waitFor({ state: 'detached' })
    await page.getByTestId('satisfaction').locator('.skeleton').waitFor({ state: 'detached' })
    await expectAccessible(page, 'admin satisfaction and funnel')
    await shot(page, 'desktop-admin-quality')

    await page.getByRole('tab', { name: 'Users' }).click()
    await page.getByRole('cell', { name: ADMIN, exact: true }).waitFor()
    await page.getByLabel(`Tier of ${ADMIN}`).selectOption('premium')
    await page.getByText(`${ADMIN} is now on the premium tier`).first().waitFor()
    await expectAccessible(page, 'admin users')
    await shot(page, 'desktop-admin-users')

    // The console on a phone: every tab without sideways scrolling, passing axe, in a screenshot.
    await page.setViewportSize({ width: 375, height: 812 })
    for (const [tab, name] of [
      ['Overview', 'overview'],
      ['Alerts', 'alerts'],
      ['Versions & experiments', 'versions'],
      ['Satisfaction & funnel', 'quality'],
      ['Users', 'users'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click()
      await poll(() => page.locator('.skeleton').count()).toBe(0)
      await expectNoSideScroll(page, `admin ${tab} at 375 px`)
      await expectAccessible(page, `admin ${tab} on a phone`)
      await shot(page, `phone-admin-${name}`)
    }
    await page.setViewportSize({ width: 1280, height: 900 })

    // Sign out; a wrong password is a message; the right one signs back in.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor()
    await page.getByLabel('Email').fill(ADMIN.toUpperCase())
    await page.getByLabel('Password').fill('wrong password!')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('.banner.error').waitFor()
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'Monitoring' }).waitFor()
    expect(page.problems).toEqual([])
    await context.close()
  }, 150_000)
})
