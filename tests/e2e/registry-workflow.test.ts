import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { PNG } from 'pngjs'
import { buildApp } from '../../server/app.js'
import { loadDataset } from '../../geodata/load/load-dataset.js'
import { saveTerrain, terrainPath } from '../../geodata/terrain-format.js'
import { ARTIFACTS, ensureClientBuilt, fixtureTerrain, hasChromium, launchChromium, openSignedInPage, type FixtureApp } from '../helpers/browser.js'
import { fixtureDataset, FIXTURE } from '../helpers/fixture-dataset.js'
import { openTestDb, TMP_ROOT } from '../helpers/test-db.js'
import { createTestUser, mergeCookies, type TestUser } from '../helpers/auth.js'
import { totpNow } from '../../server/auth/totp.js'
import type { Role } from '../../domain/roles.js'
import { idCheckChar } from '../../domain/registry/validation.js'

/** What the page exposes to automation (MapView sets it only when navigator.webdriver is true). */
type MapHandle = {
  isMoving(): boolean
  loaded(): boolean
  project(p: [number, number]): { x: number; y: number }
  queryRenderedFeatures(opts: { layers: string[] }): { id?: number; properties: Record<string, unknown>; geometry: { type: string; coordinates: number[] } }[]
}
// Browser globals of page.evaluate callbacks (this file is type-checked without the DOM library).
declare const window: { __povmap?: { map: MapHandle } }

const VILLAGE = FIXTURE.villages[0]! // 十八洞村
const TOWNSHIP = VILLAGE.slice(0, 9)
const COUNTY = VILLAGE.slice(0, 6)
/** The fixture lifts every household by 2020: the exit is of a household still poor in 2019 (the map's year hy=2019). */
const YEAR = 2019

/**
 * Issue 16 end to end, in headless Chromium: the village team of 十八洞村 proposes an exit (脱贫) for one
 * household with a photo; the township officer and then the county officer approve it in their review
 * queues (the public notice passes at once: NOTICE_DAYS=0); then the map (the household's point in the
 * households tile and its popup), the household page (status, history) and the area figures show it.
 */
describe.skipIf(!hasChromium)('registry workflow in headless Chromium', { timeout: 240_000 }, () => {
  let fx: FixtureApp
  let browser: Browser
  const contexts: BrowserContext[] = []
  const sessions: Record<string, { name: string; value: string; csrfToken: string; user: TestUser }> = {}
  let household: { id: number; ref: string; at: [number, number] }

  /** The fixture app as tests/helpers/browser.ts starts it, with public notices that pass at once. */
  async function startApp(): Promise<FixtureApp> {
    const db = await openTestDb({ migrate: true })
    await loadDataset(db.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    const dataDir = db.db.kind === 'embedded' ? db.location : mkdtempSync(join(TMP_ROOT, 'data-'))
    await saveTerrain(terrainPath(dataDir), fixtureTerrain())
    const app = await buildApp({ db: db.db, dataDir, logger: false, registry: { noticeDays: 0 } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const addr = app.server.address()
    const port = typeof addr === 'object' && addr ? addr.port : 0
    return {
      url: `http://127.0.0.1:${port}`,
      app,
      db,
      async close() {
        await app.close()
        await db.dispose()
        if (dataDir !== db.location) rmSync(dataDir, { recursive: true, force: true })
      },
    }
  }

  /** A demo-like account (team.shibadong, officer.shuanglong, officer.huayuan) signed in over HTTP with its second factor. */
  async function signIn(username: string, role: Role, scope: string) {
    const user = await createTestUser(fx.db.db, role, { username, scope })
    const pre = await fetch(`${fx.url}/api/auth/csrf`)
    const preCookie = mergeCookies('', { headers: { 'set-cookie': pre.headers.getSetCookie() } })
    const { csrfToken } = (await pre.json()) as { csrfToken: string }
    const res = await fetch(`${fx.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: preCookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ username, password: user.password, totp: await totpNow(user.totpSecret!) }),
    })
    if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${await res.text()}`)
    const cookie = mergeCookies('', { headers: { 'set-cookie': res.headers.getSetCookie() } })
    const i = cookie.indexOf('=')
    sessions[username] = { name: cookie.slice(0, i), value: cookie.slice(i + 1), csrfToken: ((await res.json()) as { csrfToken: string }).csrfToken, user }
  }

  beforeAll(async () => {
    ensureClientBuilt()
    fx = await startApp()
    browser = await launchChromium()
    mkdirSync(ARTIFACTS, { recursive: true })
    await signIn('team.shibadong', 'village_team', VILLAGE)
    await signIn('officer.shuanglong', 'township_officer', TOWNSHIP)
    await signIn('officer.huayuan', 'county_officer', COUNTY)
    await signIn('admin.hunan', 'province_admin', '43')
    // A poor household of 十八洞村 in the last registry year.
    const { rows } = await fx.db.db.query<{ id: string; ref: string; lon: number; lat: number }>(
      `SELECT h.id::text AS id, h.ref::text AS ref, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat
         FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = $2
        WHERE h.village_code = $1 AND y.status = 'poor' ORDER BY h.id LIMIT 1`,
      [VILLAGE, YEAR],
    )
    household = { id: Number(rows[0]!.id), ref: rows[0]!.ref, at: [rows[0]!.lon, rows[0]!.lat] }
  }, 300_000)

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {})
    await browser?.close()
    await fx?.close()
  })

  /** A fresh page signed in as `who`; earlier pages are closed (one map draws at a time). */
  const open = (who: string, path: string) => openSignedInPage(browser, contexts, fx.url, sessions[who]!, path)
  const api = async <T>(who: string, path: string): Promise<T> => {
    const s = sessions[who]!
    const res = await fetch(`${fx.url}${path}`, { headers: { cookie: `${s.name}=${s.value}` } })
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`)
    return (await res.json()) as T
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `registry-${name}.png`) })
  const status = async () =>
    (await fx.db.db.query<{ status: string }>('SELECT status FROM household_year WHERE household_id = $1 AND year = $2', [household.id, YEAR])).rows[0]!.status
  type Stats = { poorHouseholds: number; liftedHouseholds: number }
  let before: Stats
  let requestId: number

  it('the village team finds the household in its list and proposes its exit with a photo', async () => {
    before = await api<Stats>('officer.huayuan', `/api/areas/${VILLAGE}/stats?year=${YEAR}`)
    const { page, errors } = await open('team.shibadong', `/?sel=${VILLAGE}&lyr=households&hy=${YEAR}`)
    await page.click('[data-testid="workspace-households"]')
    await page.waitForSelector('[data-testid="household-table"][data-state="done"]')
    // The list is one page from the server, of the selected village.
    const total = Number(await page.getAttribute('[data-testid="household-total"]', 'data-total'))
    const { rows } = await fx.db.db.query<{ n: number }>('SELECT count(*)::int AS n FROM household WHERE village_code = $1', [VILLAGE])
    expect(total).toBe(rows[0]!.n)
    await page.fill('input[data-testid="household-search"]', household.ref.slice(0, 8))
    await page.waitForSelector(`[data-testid="household-row"][data-ref="${household.ref}"]`)
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('[data-testid="household-row"]').length === 1)
    await page.click(`[data-testid="household-row"][data-ref="${household.ref}"]`)
    await page.waitForSelector(`[data-testid="household-page"][data-ref="${household.ref}"][data-status="poor"]`)

    await page.click('[data-testid="action-exit"]')
    await page.waitForSelector('[data-testid="cr-form-household.exit"]')
    // No reason: the shared validation's message, and nothing sent.
    await page.click('[data-testid="cr-submit"]')
    expect(await page.textContent('[data-testid="cr-reason-message"]')).toBe('变更理由应为 1 至 500 个字')
    await page.fill('textarea[data-testid="cr-reason"]', '经入户核实，2019年人均纯收入超过贫困线，两不愁三保障均已实现')
    const png = new PNG({ width: 32, height: 24 })
    png.data.fill(0x80)
    await page.setInputFiles('input[data-testid="cr-photo"]', { name: 'exit.png', mimeType: 'image/png', buffer: PNG.sync.write(png) })
    await page.click('[data-testid="cr-submit"]')
    await page.waitForSelector('[data-testid="cr-form-household.exit"]', { state: 'hidden' })
    await shot(page, '01-proposed')

    const { rows: requests } = await fx.db.db.query<{ id: number; state: string; attachments: string[] }>(
      `SELECT id, state, attachments::text[] AS attachments FROM change_request WHERE household_ref = $1 AND kind = 'household.exit'`,
      [household.ref],
    )
    expect(requests).toHaveLength(1)
    expect(requests[0]!.state).toBe('pending')
    expect(requests[0]!.attachments).toHaveLength(1)
    requestId = requests[0]!.id
    expect(await status()).toBe('poor')
    expect(errors).toEqual([])
  })

  for (const [who, step, next] of [
    ['officer.shuanglong', 'review', 'pending'],
    ['officer.huayuan', 'approve', 'applied'],
  ] as const) {
    it(`${who} approves it in the review queue, the change side by side`, async () => {
      const { page, errors } = await open(who, `/?sel=${VILLAGE}&hy=${YEAR}`)
      await page.click('[data-testid="workspace-reviews"]')
      await page.waitForSelector(`[data-testid="queue-item"][data-id="${requestId}"]`)
      await page.click(`[data-testid="queue-item"][data-id="${requestId}"]`)
      await page.waitForSelector(`[data-testid="request-detail"][data-id="${requestId}"][data-state="pending"]`)
      // Before / proposed: the status goes from 未脱贫 to 已脱贫.
      expect(await page.textContent('[data-testid="request-diff"] tr[data-field="status"] [data-testid="diff-before"]')).toBe('未脱贫')
      expect(await page.textContent('[data-testid="request-diff"] tr[data-field="status"] [data-testid="diff-after"]')).toBe('已脱贫')
      expect(await page.$$('[data-testid="request-attachments"] img')).toHaveLength(1)
      // The notice step (公示) has passed; this officer's step waits.
      expect(await page.getAttribute('[data-testid="request-chain"] li[data-action="notice"]', 'data-decision')).toBe('noticed')
      await page.fill('textarea[data-testid="review-comment"]', who === 'officer.shuanglong' ? '乡镇审核通过' : '县级审批同意，予以公告')
      expect(await page.getAttribute(`[data-testid="request-chain"] li[data-action="${step}"]`, 'data-decision')).toBe('waiting')
      await page.click('[data-testid="review-approve"]')
      // The request as it is after this step: this officer's decision recorded, and pending at the next step or applied.
      await page.waitForSelector(`[data-testid="request-chain"] li[data-action="${step}"][data-decision="approved"]`)
      await page.waitForSelector(`[data-testid="request-detail"][data-id="${requestId}"][data-state="${next}"]`)
      const { rows: steps } = await fx.db.db.query<{ by: string }>(`SELECT by_username AS by FROM change_request_step WHERE request_id = $1 AND decision = 'approved' ORDER BY no`, [requestId])
      expect(steps.map((x) => x.by)).toEqual(step === 'review' ? ['officer.shuanglong'] : ['officer.shuanglong', 'officer.huayuan'])
      await shot(page, `02-approved-${who}`)
      expect(await status()).toBe(next === 'applied' ? 'lifted' : 'poor')
      expect(errors).toEqual([])
    })
  }

  it('the map, the household page and the area figures show the exit', async () => {
    const [lon, lat] = household.at
    const { page, errors } = await open('officer.huayuan', `/?v=${lon},${lat},16,0,0&sel=${VILLAGE}&lyr=households&hy=${YEAR}`)
    await page.waitForSelector('[data-map-idle]', { timeout: 120_000 })
    // The household's point in the households tile carries its new status.
    await page.waitForFunction(
      (ref) => window.__povmap!.map.queryRenderedFeatures({ layers: ['households-point'] }).some((f) => f.properties.ref === ref),
      household.ref,
      { timeout: 60_000 },
    )
    const feature = await page.evaluate((ref) => {
      const f = window.__povmap!.map.queryRenderedFeatures({ layers: ['households-point'] }).find((x) => x.properties.ref === ref)!
      return { status: f.properties.status, at: f.geometry.coordinates as [number, number] }
    }, household.ref)
    expect(feature.status).toBe('lifted')
    // Its popup says so, and opens the household page.
    const p = await page.evaluate((at) => window.__povmap!.map.project(at), feature.at)
    await page.mouse.click(p.x, p.y)
    await page.waitForSelector('[data-testid="household-popup"] h3')
    expect(await page.textContent('[data-testid="household-popup"]')).toContain('已脱贫')
    await page.click('[data-testid="household-open-page"]')
    await page.waitForSelector(`[data-testid="household-page"][data-ref="${household.ref}"][data-status="lifted"]`)
    await page.waitForSelector(`[data-testid="history-entry"][data-request="${requestId}"]`)
    const entry = `[data-testid="history-entry"][data-request="${requestId}"]`
    expect(await page.getAttribute(entry, 'data-kind')).toBe('household.exit')
    const statusRow = await page.$(`${entry} tr[data-field*="status"]`)
    expect(statusRow).not.toBeNull()
    expect(await statusRow!.$eval('[data-testid="history-before"]', (e) => e.textContent)).toBe('未脱贫')
    expect(await statusRow!.$eval('[data-testid="history-after"]', (e) => e.textContent)).toBe('已脱贫')
    expect(await page.textContent(entry)).toContain('officer.huayuan')
    await shot(page, '03-household-page')

    // The area figures: one poor household fewer in 十八洞村, as the stats route and the diagnosis panel say.
    const after = await api<Stats>('officer.huayuan', `/api/areas/${VILLAGE}/stats?year=${YEAR}`)
    expect(after.poorHouseholds).toBe(before.poorHouseholds - 1)
    expect(after.liftedHouseholds).toBe(before.liftedHouseholds + 1)
    await page.click('[data-testid="workspace-close"]')
    await page.waitForSelector(`[data-testid="area-diagnosis"][data-code="${VILLAGE}"] [data-testid="fig-poorHouseholds"]`)
    expect(Number(await page.getAttribute(`[data-testid="area-diagnosis"][data-code="${VILLAGE}"] [data-testid="fig-poorHouseholds"]`, 'data-value'))).toBe(after.poorHouseholds)
    // The data-quality counters beside them, as the data-quality route counts them.
    const quality = await api<{ counts: Record<string, number> }>('officer.huayuan', `/api/areas/${VILLAGE}/data-quality?year=${YEAR}&days=7`)
    await page.waitForSelector(`[data-testid="area-diagnosis"][data-code="${VILLAGE}"] [data-testid="data-quality"] [data-key="sizeMismatch"]`)
    for (const key of ['outsideVillage', 'invalidIdMembers', 'sizeMismatch', 'waitingRequests', 'notUpdated']) {
      const shown = await page.getAttribute(`[data-testid="area-diagnosis"][data-code="${VILLAGE}"] [data-testid="data-quality"] [data-key="${key}"]`, 'data-value')
      expect([key, Number(shown)]).toEqual([key, quality.counts[key]])
    }
    // The village's work team (因村派人) beside them, flagged as the work-teams route says.
    const teams = await api<{ counts: { povertyWithoutResidentTeam: number } }>('officer.huayuan', `/api/areas/${VILLAGE}/work-teams`)
    const flagged = await page.getAttribute(`[data-testid="area-diagnosis"][data-code="${VILLAGE}"] [data-testid="work-teams"]`, 'data-flagged')
    expect(Number(flagged)).toBe(teams.counts.povertyWithoutResidentTeam)
    await shot(page, '04-diagnosis')
    expect(errors).toEqual([])
  })

  it('the data-quality layer is in the layers panel and draws the village with its counters', async () => {
    const [x0, y0] = FIXTURE.origin
    const { page, errors } = await open('officer.huayuan', `/?v=${x0 + FIXTURE.cell / 2},${y0 + FIXTURE.cell / 2},13,0,0&sel=${VILLAGE}`)
    await page.click('[data-testid="layer-quality"]')
    await page.waitForFunction(
      (code) => window.__povmap!.map.queryRenderedFeatures({ layers: ['quality-fill'] }).some((f) => f.properties.code === code),
      VILLAGE,
      { timeout: 60_000 },
    )
    const drawn = await page.evaluate(
      (code) => window.__povmap!.map.queryRenderedFeatures({ layers: ['quality-fill'] }).find((f) => f.properties.code === code)!.properties,
      VILLAGE,
    )
    const quality = await api<{ counts: Record<string, number> }>('officer.huayuan', `/api/areas/${VILLAGE}/data-quality`)
    expect(drawn.outside).toBe(quality.counts.outsideVillage)
    expect(drawn.size_mismatch).toBe(quality.counts.sizeMismatch)
    expect(drawn.households).toBe(quality.counts.households)
    await shot(page, '06-quality-layer')
    expect(errors).toEqual([])
  })

  it('a new household (新识别) is placed by clicking the map, its form checked before it is sent', async () => {
    const [x0, y0] = FIXTURE.origin
    const centre: [number, number] = [x0 + FIXTURE.cell / 2, y0 + FIXTURE.cell / 2]
    const { page, errors } = await open('team.shibadong', `/?v=${centre[0]},${centre[1]},15,0,0&sel=${VILLAGE}&hy=${YEAR}`)
    await page.waitForFunction(() => !window.__povmap!.map.isMoving(), undefined, { timeout: 60_000 })
    await page.click('[data-testid="workspace-households"]')
    await page.click('[data-testid="household-new"]')
    // The work screen fades and lets the click through to the map beneath it.
    await page.waitForSelector('[data-testid="registry-place-hint"]')
    const at = await page.evaluate((c) => window.__povmap!.map.project(c), centre)
    await page.mouse.click(at.x, at.y)
    await page.waitForSelector('[data-testid="cr-form-household.create"]')
    const lon = Number(await page.inputValue('[data-testid="cr-lon"]'))
    const lat = Number(await page.inputValue('[data-testid="cr-lat"]'))
    expect(Math.abs(lon - centre[0])).toBeLessThan(0.001)
    expect(Math.abs(lat - centre[1])).toBeLessThan(0.001)
    expect(await page.inputValue('input[data-testid="cr-village"]')).toBe(VILLAGE)

    /** Picks an option of a select field by its value (the options list lies in a popper of its own). */
    const choose = async (field: string, key: string, value: string) => {
      await page.click(`[data-testid="${field}"] .el-select__wrapper`)
      await page.click(`.field-popper-${key} [data-value="${value}"]`)
      await page.waitForSelector(`.field-popper-${key}`, { state: 'hidden' })
    }
    await choose('field-mainCause', 'mainCause', 'illness')
    await page.fill('[data-testid="field-incomePerCapita"] input', '2300')
    await page.fill('[data-testid="member-0-name"] input', '龙新户')
    await choose('member-0-sex', 'sex', 'M')
    // A wrong check digit: the shared validation names the field before anything is sent.
    const first17 = '43312419900101003'
    const right = idCheckChar(first17)
    await page.fill('[data-testid="member-0-idNumber"] input', first17 + (right === '0' ? '1' : '0'))
    await choose('member-0-schooling', 'schooling', 'junior')
    await choose('member-0-labour', 'labour', 'ordinary')
    await page.fill('textarea[data-testid="cr-reason"]', '经民主评议，新识别为建档立卡贫困户')
    await page.click('[data-testid="cr-submit"]')
    expect(await page.textContent('[data-testid="member-0-idNumber"] [data-testid="field-message"]')).toBe('身份证号校验码错误（GB 11643）')
    const { rows: none } = await fx.db.db.query(`SELECT 1 FROM change_request WHERE kind = 'household.create'`)
    expect(none).toHaveLength(0)
    await page.fill('[data-testid="member-0-idNumber"] input', first17 + right)
    await page.click('[data-testid="cr-submit"]')
    await page.waitForSelector('[data-testid="cr-form-household.create"]', { state: 'hidden' })
    const { rows } = await fx.db.db.query<{ state: string; changes: { villageCode: string; location: [number, number]; members: unknown[]; size: number } }>(
      `SELECT state, changes FROM change_request WHERE kind = 'household.create'`,
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]!.state).toBe('pending')
    expect(rows[0]!.changes).toMatchObject({ villageCode: VILLAGE, size: 1 })
    expect(rows[0]!.changes.location[0]).toBeCloseTo(lon, 5)
    expect(rows[0]!.changes.location[1]).toBeCloseTo(lat, 5)
    await shot(page, '05-new-household')
    expect(errors).toEqual([])
  })

  it('the province administrator lists accounts, creates one, files a four-eyes request and disables an account', async () => {
    const { page, errors } = await open('admin.hunan', `/?sel=${VILLAGE}`)
    await page.click('[data-testid="workspace-accounts"]')
    await page.waitForSelector('[data-testid="accounts-table"][data-state="done"]')
    expect(await page.$(`[data-testid="account-row"][data-username="team.shibadong"]`)).not.toBeNull()

    /** The new-account form, filled; the role picked from its list. */
    const fill = async (username: string, role: string, scope: string, password?: string) => {
      await page.click('[data-testid="accounts-tab-create"]')
      await page.fill('input[data-testid="account-username"]', username)
      await page.fill('input[data-testid="account-display-name"]', `测试 ${username}`)
      await page.click('[data-testid="account-role"] .el-select__wrapper')
      await page.click(`.account-role-popper [data-role="${role}"]`)
      await page.fill('input[data-testid="account-scope"]', scope)
      if (password) await page.fill('input[data-testid="account-password"]', password)
      await page.click('[data-testid="account-submit"]')
    }
    // A leader's account is created at once.
    await fill('leader.xiangxi', 'leader', '4331', 'Xiangxi-leader-pass-2024!')
    await page.waitForSelector('[data-testid="account-row"][data-username="leader.xiangxi"]')
    // A village team sees personal data: a request without a password, waiting for another person.
    await fill('team.two', 'village_team', VILLAGE)
    await page.waitForSelector('[data-testid="account-request-row"][data-username="team.two"]')
    expect(await page.$('[data-testid="account-request-row"][data-username="team.two"] [data-testid="account-request-approve"]')).toBeNull()
    const { rows: asked } = await fx.db.db.query<{ state: string; requested_by: string }>(`SELECT state, requested_by_username AS requested_by FROM account_request WHERE username = 'team.two'`)
    expect(asked).toEqual([{ state: 'pending', requested_by: 'admin.hunan' }])
    const { rows: none } = await fx.db.db.query(`SELECT 1 FROM app_user WHERE username = 'team.two'`)
    expect(none).toHaveLength(0)
    // Disabling the leader ends its sessions at once.
    await page.click('[data-testid="accounts-tab-accounts"]')
    await page.click('[data-testid="account-row"][data-username="leader.xiangxi"] [data-testid="account-disable"]')
    await page.waitForSelector('[data-testid="account-row"][data-username="leader.xiangxi"][data-disabled="true"]')
    await shot(page, '07-accounts')
    expect(errors).toEqual([])
  })
})
