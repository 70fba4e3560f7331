/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { expect } from 'vitest'

/**
 * Debian's Chromium driven by playwright-core, for the e2e suite and bench/web.ts. With CI set a
 * missing Chromium is an error; locally the suite skips with a warning.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ci = process.env.CI === 'true' || process.env.CI === '1'
export const available = existsSync(CHROMIUM)
export const SCREENSHOTS = new URL('./screenshots/', import.meta.url).pathname
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

export const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A fresh Chromium: `launch` gives it a new temporary profile directory (playwright refuses a --user-data-dir flag). */
export async function launchBrowser(): Promise<{
  browser: Browser
  newContext: (viewport: { width: number; height: number }) => Promise<BrowserContext>
  close: () => Promise<void>
}> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS })
  return {
    browser,
    newContext: (viewport) => browser.newContext({ viewport }),
    close: () => browser.close(),
  }
}

export type WatchedPage = Page & { problems: string[] }

/** A page that records script errors and CSP refusals (the tests expect none). */
export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = (await context.newPage()) as WatchedPage
  page.setDefaultTimeout(15_000)
  page.problems = []
  page.on('pageerror', (e) => page.problems.push(String(e)))
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused/.test(m.text())) page.problems.push(m.text())
  })
  return page
}

/** axe-core on the page as it is now: no serious or critical violation. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE })
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: {
          run: (
            ctx: Document,
            o: object,
          ) => Promise<{
            violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown[] }> }>
          }>
        }
      }
    ).axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)),
    }))
  })
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${name}: ${v.id} (${v.impact}) at ${v.targets.join(', ')}`)
  expect(bad).toEqual([])
}

/** A full-page screenshot under test/e2e/screenshots/ (kept by CI, ignored by git). */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true })
}

/** A screenshot of one part of a page (a card), for looking at it closely. */
export async function shotOf(part: Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await part.screenshot({ path: `${SCREENSHOTS}${name}.png` })
}

/** The page does not scroll sideways (the message names the elements that stick out). */
export async function expectNoSideScroll(page: Page, name: string): Promise<void> {
  const { scroll, width, culprits } = await page.evaluate(() => {
    const width = window.innerWidth
    const culprits = [...document.querySelectorAll('body *')]
      .filter(
        (el) =>
          el.getBoundingClientRect().right > width + 1 && !el.closest('[data-radix-toast-viewport], .toast-viewport'),
      )
      .slice(0, 4)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} (${Math.round(el.getBoundingClientRect().right)})`,
      )
    return { scroll: document.documentElement.scrollWidth, width, culprits }
  })
  expect(scroll, `${name} scrolls sideways: ${culprits.join(', ')}`).toBeLessThanOrEqual(width)
}
