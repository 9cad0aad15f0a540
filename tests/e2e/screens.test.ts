import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { ARTIFACTS, collectErrors, ensureClientBuilt, hasChromium, launchChromium, signedInState, startFixtureApp, type FixtureApp } from '../helpers/browser.js'
import { FIXTURE } from '../helpers/fixture-dataset.js'
import { loginOverHttp, TEST_PASSWORD } from '../helpers/auth.js'

/*
 * The browser globals used inside page.evaluate callbacks (this file is type-checked without the DOM library).
 */
interface El {
  textContent: string | null
  getAttribute(name: string): string | null
}
declare const document: { querySelector(selector: string): El | null; querySelectorAll(selector: string): ArrayLike<El> & Iterable<El> }

/**
 * The screens that are not the map: the auditor's audit log and the password change. No map is
 * drawn here, so these pages are light beside map-client.test.ts.
 */
describe.skipIf(!hasChromium)('screens without a map, in headless Chromium', { timeout: 120_000 }, () => {
  let fx: FixtureApp
  let browser: Browser
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    ensureClientBuilt()
    fx = await startFixtureApp()
    browser = await launchChromium()
    mkdirSync(ARTIFACTS, { recursive: true })
  }, 300_000)

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {})
    await browser?.close()
    await fx?.close()
  })

  /** A page signed in with this cookie, recording every response's status and path. */
  async function open(path: string, cookie: { name: string; value: string }) {
    for (const c of contexts.splice(0)) await c.close().catch(() => {})
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', storageState: signedInState(fx.url, cookie) })
    contexts.push(ctx)
    const page = await ctx.newPage()
    const errors = collectErrors(page)
    const responses: { status: number; path: string }[] = []
    page.on('response', (r) => responses.push({ status: r.status(), path: new URL(r.url()).pathname }))
    await page.goto(`${fx.url}${path}`)
    return { page, errors, responses }
  }

  const rowIds = (page: Page) => page.$$eval('[data-testid="audit-row"]', (els) => els.map((e) => Number(e.getAttribute('data-id'))))
  /** The table has answered the current filters (not loading any more). */
  const loaded = (page: Page) => page.waitForSelector('[data-testid="audit-table"][data-state="done"]')

  it('an auditor lands on the audit log of their area, filters and pages it, and asks for no map data', async () => {
    const auditor = await loginOverHttp(fx.url, fx.db.db, 'auditor')
    // Enough entries for two pages, and one denial to filter on, in the auditor's area (43).
    await fx.db.db.query(
      `INSERT INTO audit_log (actor_username, actor_role, action, outcome, area_code, detail)
       SELECT 'team.e2e', 'village_team', 'household.members', 'ok', $1, jsonb_build_object('members', g) FROM generate_series(1, 60) g`,
      [FIXTURE.villages[0]],
    )
    await fx.db.db.query(
      `INSERT INTO audit_log (actor_username, actor_role, action, outcome, area_code, target, detail)
       VALUES ('viewer.e2e', 'department_viewer', 'access.denied', 'denied', '433124', '/api/households', '{"reason":"role"}')`,
    )
    const { page, errors, responses } = await open('/', auditor)
    await page.waitForSelector('[data-testid="audit-screen"]')
    await loaded(page)
    expect(await page.textContent('[data-testid="audit-screen"] h1')).toContain('审计日志')
    const first = await rowIds(page)
    expect(first).toHaveLength(50)
    expect([...first].sort((a, b) => b - a)).toEqual(first)

    // Older entries: the next page continues below the last id; back again shows the first page.
    await page.click('[data-testid="audit-older"]')
    await page.waitForFunction((n) => document.querySelector('[data-testid="audit-page"]')?.textContent?.includes(n), '2')
    await loaded(page)
    const second = await rowIds(page)
    expect(second.length).toBeGreaterThan(0)
    expect(Math.max(...second)).toBeLessThan(Math.min(...first))
    // Back to the newest page: the same entries, below the reads this screen has added meanwhile.
    await page.click('[data-testid="audit-newer"]')
    await page.waitForFunction((n) => document.querySelector('[data-testid="audit-page"]')?.textContent?.includes(n), '1')
    await loaded(page)
    const back = await rowIds(page)
    expect(back[0]).toBeGreaterThan(first[0]!)
    expect(back).toEqual(expect.arrayContaining(first.slice(0, 40)))

    // By outcome: only the denial.
    await page.click('[data-testid="audit-outcome"]')
    await page.click('.audit-outcome-popper [data-outcome="denied"]')
    await page.click('[data-testid="audit-search"]')
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="audit-row"]')].every((e) => e.getAttribute('data-outcome') === 'denied'))
    await loaded(page)
    const denied = await page.$$eval('[data-testid="audit-row"]', (els) => els.map((e) => e.getAttribute('data-action')))
    expect(denied).toContain('access.denied')
    expect(await page.textContent('[data-testid="audit-row"][data-action="access.denied"]')).toContain('越权访问被拒绝')

    // By user and area together, against the database.
    await page.click('[data-testid="audit-reset"]')
    await loaded(page)
    await page.fill('input[data-testid="audit-user"]', 'team.e2e')
    await page.fill('input[data-testid="audit-area"]', FIXTURE.villages[0]!)
    await page.click('[data-testid="audit-search"]')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-row"]').length === 50 && document.querySelector('[data-testid="audit-row"]')?.getAttribute('data-action') === 'household.members')
    const { rows } = await fx.db.db.query<{ id: string }>(
      `SELECT id FROM audit_log WHERE actor_username = 'team.e2e' AND starts_with(area_code, $1) ORDER BY id DESC LIMIT 50`,
      [FIXTURE.villages[0]],
    )
    expect(await rowIds(page)).toEqual(rows.map((r) => Number(r.id)))

    // A malformed area is refused in the form, before any request.
    const asked = responses.filter((r) => r.path === '/api/audit').length
    await page.fill('input[data-testid="audit-area"]', '4331x')
    await page.waitForSelector('[data-testid="audit-area-problem"]')
    expect(await page.isDisabled('[data-testid="audit-search"]')).toBe(true)
    expect(responses.filter((r) => r.path === '/api/audit').length).toBe(asked)

    await page.click('[data-testid="language-toggle"]')
    await page.waitForFunction(() => document.querySelector('[data-testid="audit-screen"] h1')?.textContent?.includes('Audit log'))
    await page.screenshot({ path: join(ARTIFACTS, '14-audit-log.png') })

    // No map and no data route: nothing answered 401 or 403.
    expect(await page.$('[data-testid="map"]')).toBeNull()
    expect(responses.filter((r) => r.status === 401 || r.status === 403)).toEqual([])
    expect(responses.filter((r) => /^\/(tiles|styles)\//.test(r.path) || /^\/api\/(areas|indicators|search|inspection)/.test(r.path))).toEqual([])
    // The server audits the auditor's reads.
    const reads = await fx.db.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'audit.read' AND actor_username = $1`, [auditor.user.username])
    expect(Number(reads.rows[0]!.n)).toBeGreaterThanOrEqual(5)
    expect(errors).toEqual([])
  })

  it('a user changes the password and goes on in the same session with the new CSRF token', async () => {
    const auditor = await loginOverHttp(fx.url, fx.db.db, 'auditor')
    const { page, errors, responses } = await open('/', auditor)
    await page.waitForSelector('[data-testid="audit-screen"]')
    const change = async (current: string, next: string) => {
      await page.click('[data-testid="password-open"]')
      await page.waitForSelector('[data-testid="password-form"]', { state: 'visible' })
      await page.fill('input[data-testid="password-current"]', current)
      await page.fill('input[data-testid="password-next"]', next)
      await page.fill('input[data-testid="password-repeat"]', next)
      await page.click('[data-testid="password-submit"]')
    }
    // A wrong current password is said so, and changes nothing.
    await change('not-the-password-1', 'Shibadong-new-pass-2025!')
    expect(await (await page.waitForSelector('[data-testid="password-message"]')).textContent()).toBe('当前密码不正确')
    await page.keyboard.press('Escape')
    await page.waitForSelector('[data-testid="password-form"]', { state: 'hidden' })

    await change(TEST_PASSWORD, 'Shibadong-new-pass-2025!')
    await page.waitForSelector('.el-message--success')
    await page.waitForSelector('[data-testid="password-form"]', { state: 'hidden' })
    // The second change is a POST too: it succeeds only with the token the first one answered.
    await change('Shibadong-new-pass-2025!', 'Shibadong-other-pass-2026!')
    // The dialog closes on success only (a refused token would leave it open with a message).
    await page.waitForSelector('[data-testid="password-form"]', { state: 'hidden' })
    const changes = await fx.db.db.query<{ outcome: string }>(`SELECT outcome FROM audit_log WHERE action = 'password.change' AND actor_username = $1 ORDER BY id`, [auditor.user.username])
    expect(changes.rows.map((r) => r.outcome)).toEqual(['failed', 'ok', 'ok'])
    expect(responses.filter((r) => r.path === '/api/auth/password').map((r) => r.status)).toEqual([401, 200, 200])
    // Still signed in: the log answers after a reload.
    await page.reload()
    await loaded(page)
    expect(await page.$('[data-testid="sign-in"]')).toBeNull()
    expect(errors.filter((e) => !e.includes('401'))).toEqual([])
  })
})
