import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext } from 'playwright-core'
import { ARTIFACTS, collectErrors, ensureClientBuilt, hasChromium, launchChromium, signedInState, startFixtureApp, type FixtureApp } from '../helpers/browser.js'
import { FIXTURE } from '../helpers/fixture-dataset.js'
import { createTestUser, mergeCookies } from '../helpers/auth.js'
import { loadRoadGrid } from '../server/siting/siting-fixture.js'

/** What the page exposes to automation (MapView sets it only when navigator.webdriver is true). */
type MapHandle = { queryRenderedFeatures(opts: { layers: string[] }): { properties: Record<string, unknown> }[]; isMoving(): boolean }
declare const window: { __povmap?: { map: MapHandle } }

/**
 * Issue 18 end to end, in headless Chromium: the water department's viewer (viewer.water: aggregates
 * only, all of Hunan) sites 3 water works in 花垣县 for poor households without safe water, sees them
 * and their coverage on the map, and the what-if shows a lower M0 for the villages they reach — without
 * the page ever receiving a household.
 */
describe.skipIf(!hasChromium)('siting in headless Chromium', { timeout: 300_000 }, () => {
  let fx: FixtureApp
  let browser: Browser
  let ctx: BrowserContext
  let cookie: { name: string; value: string }

  beforeAll(async () => {
    ensureClientBuilt()
    fx = await startFixtureApp()
    await loadRoadGrid(fx.db.db)
    browser = await launchChromium()
    mkdirSync(ARTIFACTS, { recursive: true })
    const user = await createTestUser(fx.db.db, 'department_viewer', { username: 'viewer.water', scope: '43', department: 'water' })
    const pre = await fetch(`${fx.url}/api/auth/csrf`)
    const preCookie = mergeCookies('', { headers: { 'set-cookie': pre.headers.getSetCookie() } })
    const { csrfToken } = (await pre.json()) as { csrfToken: string }
    const res = await fetch(`${fx.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: preCookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ username: user.username, password: user.password }),
    })
    if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`)
    const c = mergeCookies('', { headers: { 'set-cookie': res.headers.getSetCookie() } })
    cookie = { name: c.slice(0, c.indexOf('=')), value: c.slice(c.indexOf('=') + 1) }
  }, 300_000)

  afterAll(async () => {
    await ctx?.close().catch(() => {})
    await browser?.close()
    await fx?.close()
  })

  it('a water-department viewer sites 3 water works in 花垣县 and the what-if lowers M0', async () => {
    ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', storageState: signedInState(fx.url, cookie) })
    const page = await ctx.newPage()
    const errors = collectErrors(page)
    const responses: { status: number; path: string }[] = []
    page.on('response', (r) => responses.push({ status: r.status(), path: new URL(r.url()).pathname }))
    await page.goto(`${fx.url}/`)
    await page.waitForSelector('[data-map-loaded]', { timeout: 120_000 })
    await page.click('[data-testid="workspace-siting"]')
    await page.waitForSelector('[data-testid="siting-workspace"]')
    await page.fill('[data-testid="siting-area"]', FIXTURE.county)
    await page.selectOption('[data-testid="siting-facility"]', 'water')
    await page.fill('[data-testid="siting-k"]', '3')
    await page.fill('[data-testid="siting-standard"]', '15')
    // 2016: the fixture lifts most households by 2019, and the what-if needs households still deprived.
    await page.fill('[data-testid="siting-year"]', '2016')
    await page.check('[data-testid="siting-gap"]')
    await page.click('[data-testid="siting-run"]')
    await page.waitForSelector('[data-testid="siting-workspace"][data-state="done"]', { timeout: 120_000 })

    expect(await page.$$('[data-testid="siting-site"]')).toHaveLength(3)
    const covered = Number(await page.getAttribute('[data-testid="siting-summary"]', 'data-covered'))
    const total = Number(await page.getAttribute('[data-testid="siting-summary"]', 'data-total'))
    expect(total).toBeGreaterThan(0)
    expect(covered).toBeGreaterThan(0)
    expect(covered).toBeLessThanOrEqual(total)

    // The coverage on the map: the three ranked sites and their coverage polygons are drawn.
    await page.waitForFunction(() => !window.__povmap?.map.isMoving())
    await page.waitForFunction(() => (window.__povmap?.map.queryRenderedFeatures({ layers: ['siting-sites-circle'] }).length ?? 0) >= 3, undefined, { timeout: 30_000 })
    expect(await page.evaluate(() => window.__povmap!.map.queryRenderedFeatures({ layers: ['siting-coverage-fill'] }).length)).toBeGreaterThan(0)

    // The what-if: M0 falls in the affected villages and the county.
    const rows = await page.$$eval('[data-testid="siting-whatif-row"]', (els) =>
      els.map((e) => ({ code: e.getAttribute('data-code')!, before: Number(e.getAttribute('data-m0-before')), after: Number(e.getAttribute('data-m0-after')) })),
    )
    const villages = rows.filter((r) => r.code.length === 12)
    expect(villages.length).toBeGreaterThan(0)
    for (const v of villages) expect(v.after).toBeLessThan(v.before)
    const county = rows.find((r) => r.code === FIXTURE.county)!
    expect(county.after).toBeLessThan(county.before)

    await page.screenshot({ path: join(ARTIFACTS, 'siting-water-viewer.png') })
    // A department viewer's page asked for no household and was refused nothing it asked.
    expect(responses.filter((r) => r.path.startsWith('/api/households'))).toEqual([])
    expect(responses.filter((r) => r.path.startsWith('/api/siting') && r.status >= 400)).toEqual([])
    expect(errors.filter((e) => !/favicon/.test(e))).toEqual([])
  })
})
