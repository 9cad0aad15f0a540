/**
 * Every registered route × every role × inside / above / outside the role's area. The routes come
 * from the app itself (app.routeInventory, filled by an onRoute hook), so a route added tomorrow is
 * checked by this file without anyone listing it: anonymous → 401, a role it does not serve → 403
 * (audited), an area, household or photo outside the caller's → 404 (audited), and its answers never
 * carry an unmasked ID number or phone. A route whose parameters this file cannot fill fails the test,
 * so that its author adds them here. Photos: each end of the fixture has a village photo and a
 * household photo, uploaded through the API by the village's work team.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measureJobsFor } from '../../../server/identification/measure-jobs.js'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { createTestUser, loginAs, type TestSession } from '../../helpers/auth.js'
import { decodeTile, layerFeatures } from '../../helpers/tiles.js'
import { tilesCovering } from '../../../server/tiles/tile-math.js'
import { roleAllows } from '../../../server/auth/roles.js'
import { REGISTRY_ROLES, REVEAL_ROLES, ROLES, type Role } from '../../../domain/roles.js'
import { holdsPersonalBesidesRefs } from '../../helpers/personal.js'
import type { RouteInfo } from '../../../server/auth/route-inventory.js'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { TMP_ROOT } from '../../helpers/test-db.js'
import { phoneJpeg } from '../../helpers/photos.js'

/** Routes anyone may call. A new public route must be added here on purpose. */
const PUBLIC = [
  'GET /api/health',
  'GET /api/auth/csrf',
  'POST /api/auth/login',
  'GET /api/docs',
  'GET /api/docs/*',
  'GET /api/docs/json',
  'GET /api/docs/yaml',
  'GET /api/docs/static/*',
  'GET /api/docs/static/index.html',
  'GET /api/docs/static/swagger-initializer.js',
  'GET /tiles/:file',
  'GET /tiles/terrain/:z/:x/:y',
  'GET /styles/povmap.json',
]

/** A code outside each default area, and the one above it. */
const OUTSIDE: Record<string, string> = { '43': '44', '4331': '4301', '433124': '433125', '433124110': '433124111', '433124110226': '433124110227' }
const above = (code: string) => (code.length === 2 ? null : code.slice(0, code.length === 12 ? 9 : code.length === 9 ? 6 : code.length - 2))

type Where = 'in' | 'above' | 'out'
interface Household { id: number; ref: string; village: string }
interface Photos { village: string; household: string }

describe('route inventory × roles × areas', () => {
  let t: TestDb
  let app: FastifyInstance
  const sessions = new Map<Role, TestSession>()
  let homeHousehold: Household
  let farHousehold: Household
  let homePhotos: Photos
  let farPhotos: Photos
  let dataDir: string
  let targetUserId: number
  /** A finished change of the default measure, for GET /api/identification/config/jobs/:id. */
  let measureJobId: string
  /** A pending account request (four eyes: a county officer asked for by the province administrator). */
  let accountRequestId: number
  /** Change requests (registry workflow) in the home and the far village, proposed by their work teams. */
  let homeRequest: number
  let farRequest: number
  let importBatch: number
  const denials: { username: string; target: string; what: string }[] = []
  let routes: RouteInfo[]

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 40 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    // A data directory of its own (on the server kind t.location is a URL): photos are written there.
    mkdirSync(TMP_ROOT, { recursive: true })
    dataDir = mkdtempSync(join(TMP_ROOT, 'inventory-'))
    app = await buildApp({ dataDir, db: t.db, serveClient: false, auth: { loginPerMinute: 500 } })
    await app.ready()
    for (const role of ROLES) sessions.set(role, await loginAs(app, t.db, role))
    const pick = async (village: string) =>
      (await t.db.query<Household>('SELECT id, ref::text AS ref, village_code AS village FROM household WHERE village_code = $1 ORDER BY id LIMIT 1', [village])).rows[0]!
    homeHousehold = await pick(FIXTURE.villages[0]!)
    // A saved siting scenario every test scope sees (its area is 十八洞村): GET …/scenarios/1/export answers.
    await t.db.query(
      `INSERT INTO siting_scenario (id, created_by, area_code, name, facility, request, result) OVERRIDING SYSTEM VALUE
       VALUES (1, 0, $1, 'inventory', 'water', '{}', '{"sites": [], "coverage": {"type": "FeatureCollection", "features": []}}')`,
      [FIXTURE.villages[0]],
    )
    farHousehold = await pick(FIXTURE.villages[3]!)
    const upload = async (s: TestSession, query: string, seed: number) => {
      const res = await s.inject({ method: 'POST', url: `/api/photos?${query}`, headers: { 'content-type': 'image/jpeg' }, payload: await phoneJpeg({ seed }) })
      expect(res.statusCode, res.body).toBe(201)
      return res.json().ref as string
    }
    const farTeam = await loginAs(app, t.db, 'village_team', { scope: FIXTURE.villages[3]! })
    const homeTeam = sessions.get('village_team')!
    homePhotos = { village: await upload(homeTeam, `area=${FIXTURE.villages[0]}`, 1), household: await upload(homeTeam, `household=${homeHousehold.ref}`, 2) }
    farPhotos = { village: await upload(farTeam, `area=${FIXTURE.villages[3]}`, 3), household: await upload(farTeam, `household=${farHousehold.ref}`, 4) }
    const propose = async (s: TestSession, h: Household) => {
      const res = await s.inject({ method: 'POST', url: '/api/change-requests', payload: { kind: 'household.update', target: h.ref, baseVersion: 1, reason: '入户核实', changes: { kmToMarket: 2 } } })
      expect(res.statusCode, res.body).toBe(201)
      return res.json().id as number
    }
    homeRequest = await propose(homeTeam, homeHousehold)
    farRequest = await propose(farTeam, farHousehold)
    // An import batch holding the home village's request (as a county officer's import files them), read by every registry role there.
    importBatch = (
      await t.db.query<{ id: number }>(
        `INSERT INTO import_batch (kind, area_code, mode, rows, creates, changes, unchanged, request_ids, created_by, created_by_username)
         SELECT 'households', $1, 'requests', 1, 0, 1, 0, ARRAY[$2::int], r.proposed_by, r.proposed_by_username FROM change_request r WHERE r.id = $2 RETURNING id`,
        [FIXTURE.villages[0], homeRequest],
      )
    ).rows[0]!.id
    targetUserId = (await createTestUser(t.db, 'leader', { scope: '4331' })).id
    const jobs = measureJobsFor(app.requestDb)
    const job = jobs.start('default-measure', targetUserId, async () => {}, () => {})
    if ('busy' in job) throw new Error('a measure job is running')
    measureJobId = job.id
    await jobs.idle()
    const asked = await sessions.get('province_admin')!.inject({ method: 'POST', url: '/api/users', payload: { username: 'asked.officer', displayName: '县干部', role: 'county_officer', scope: '433124' } })
    expect(asked.statusCode, asked.body).toBe(202)
    accountRequestId = asked.json().id as number
    routes = app.routeInventory.filter((r) => r.method !== 'HEAD')
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  const key = (r: RouteInfo) => `${r.method} ${r.url}`

  /** A concrete request for a route, for a caller with this scope, inside / above / outside it; null when the route has no such variant. */
  function requestFor(r: RouteInfo, scope: string, where: Where): { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: unknown } | null {
    const area = where === 'in' ? scope : where === 'out' ? OUTSIDE[scope]! : above(scope)
    if (area === null) return null
    let touchesArea = false
    let touchesHousehold = false
    let outsideHousehold = true
    const filled = r.url.replace(/:([A-Za-z]+)|\*/g, (m, name: string | undefined) => {
      if (m === '*') return r.url.startsWith('/api/docs/static') ? 'index.html' : 'json'
      switch (name) {
        case 'code':
          touchesArea = true
          return area
        case 'id':
          if (r.url.startsWith('/api/users/')) return String(targetUserId)
          if (r.url.startsWith('/api/account-requests/')) return String(accountRequestId)
          if (r.url.startsWith('/api/flags/')) return '1'
          if (r.url.startsWith('/api/imports/batches/')) return String(importBatch)
          if (r.url.startsWith('/api/siting/scenarios/')) return '1'
          if (r.url.startsWith('/api/identification/config/jobs/')) return measureJobId
          if (r.url.startsWith('/api/change-requests/')) {
            touchesHousehold = true
            if (where === 'out' && FIXTURE.villages[3]!.startsWith(scope)) outsideHousehold = false
            return String(where === 'out' ? farRequest : homeRequest)
          }
          if (r.url.startsWith('/api/households/')) {
            touchesHousehold = true
            // Outside: a household of another township, when the caller's area does not hold it.
            if (where === 'out' && farHousehold.village.startsWith(scope)) outsideHousehold = false
            return (where === 'out' ? farHousehold : homeHousehold).ref
          }
          break
        case 'ref':
          if (r.url.startsWith('/api/photos/')) {
            // A village photo: every data role of the area sees it (household photos: their own test below).
            touchesHousehold = true
            if (where === 'out' && FIXTURE.villages[3]!.startsWith(scope)) outsideHousehold = false
            return (where === 'out' ? farPhotos : homePhotos).village
          }
          break
        case 'objection':
          return '1'
        case 'table':
          return 'status'
        case 'layer':
          return 'households'
        case 'file':
          return 'households.json'
        case 'z':
          return r.url.startsWith('/tiles/terrain') ? '9' : '14'
        case 'x':
          return r.url.startsWith('/tiles/terrain') ? '412' : String(tileAt.x)
        case 'y':
          return r.url.startsWith('/tiles/terrain') ? '212.png' : `${tileAt.y}.mvt`
      }
      throw new Error(`route-inventory.test.ts does not know how to fill :${name} of ${key(r)}: add it to requestFor`)
    })
    const query = new URLSearchParams()
    for (const q of r.query) {
      const value = { parent: area, area, indicator: 'dist_school_km', q: '村', year: '2020', registry: 'vehicles', format: 'geojson' }[q]
      if (value === undefined) throw new Error(`route-inventory.test.ts does not know the query parameter ${q} of ${key(r)}: add it to requestFor`)
      if (q === 'parent' || q === 'area') touchesArea = true
      query.set(q, value)
    }
    // Variants that differ from 'in' only exist for routes that take an area or a household.
    if (where !== 'in' && !touchesArea && !(touchesHousehold && where === 'out' && outsideHousehold)) return null
    if (where === 'above' && !touchesArea) return null
    const url = `${filled}${query.size ? `?${query}` : ''}`
    if (r.method === 'GET') return { method: 'GET', url }
    const payloads: Record<string, unknown> = {
      '/api/auth/login': { username: 'nobody', password: 'x' },
      '/api/auth/password': { current: 'wrong-current-password', next: 'Another-good-pass-2025' },
      '/api/auth/totp/confirm': { code: '000000' },
      '/api/users': { username: `new-${Math.random().toString(36).slice(2, 8)}`, displayName: '新用户', role: 'leader', scope: '4331', password: 'Another-good-pass-2025' },
      '/api/households/:id/members/reveal': { reason: 'home visit' },
    }
    return { method: r.method as 'POST' | 'PUT' | 'PATCH' | 'DELETE', url, ...(r.body ? { payload: payloads[r.url] ?? {} } : {}) }
  }

  const [X0, Y0] = FIXTURE.origin
  const tileAt = tilesCovering([X0 + 0.001, Y0 + 0.001, X0 + 0.019, Y0 + 0.019], 14)[0]!

  it('inventory: every route is listed with an access level; only the listed ones are public; photos are covered', () => {
    expect(routes.length).toBeGreaterThan(25)
    const publicRoutes = routes.filter((r) => r.access === 'public').map(key).sort()
    expect(publicRoutes.filter((k) => !PUBLIC.includes(k))).toEqual([])
    for (const r of routes) expect(['public', 'signed-in', 'data', 'registry', 'field', 'audit', 'admin', 'review'], key(r)).toContain(r.access)
    // Account requests: the second pair of eyes is an administrator or an auditor, nobody else.
    expect(routes.filter((r) => r.url.startsWith('/api/account-requests')).map((r) => `${key(r)} ${r.access}`).sort()).toEqual([
      'GET /api/account-requests review',
      'POST /api/account-requests/:id/approve review',
      'POST /api/account-requests/:id/reject review',
    ])
    // Media routes: the ones this file knows (a new one — videos, say — must be given cases here).
    expect(routes.filter((r) => /photo|media|video/.test(r.url)).map((r) => `${key(r)} ${r.access}`).sort()).toEqual([
      'GET /api/photos data',
      'GET /api/photos/:ref data',
      'POST /api/photos field',
    ])
  })

  it('anonymous: every route that is not public answers 401 JSON, before any validation', async () => {
    for (const r of routes.filter((x) => x.access !== 'public')) {
      const req = requestFor(r, '43', 'in')!
      const res = await app.inject({ method: req.method, url: req.url, ...(req.payload ? { payload: req.payload as object } : {}) })
      expect(res.statusCode, key(r)).toBe(401)
      expect(res.json(), key(r)).toEqual({ error: 'Unauthorized', message: expect.any(String) })
    }
  })

  it('roles: a route answers 403 (audited) to every role it does not serve', async () => {
    for (const role of ROLES) {
      const s = sessions.get(role)!
      for (const r of routes.filter((x) => x.access !== 'public' && !roleAllows(x.access, role))) {
        const req = requestFor(r, s.user.scope, 'in')!
        const res = await s.inject({ method: req.method, url: req.url, ...(req.payload ? { payload: req.payload as object } : {}) })
        expect(res.statusCode, `${role} ${key(r)}`).toBe(403)
        denials.push({ username: s.user.username, target: key(r), what: 'role' })
      }
    }
    await expectAudited()
  })

  it('areas: inside the caller’s area a route answers; outside 404, above 403 (both audited) unless the route shows the path', async () => {
    const tally: Record<string, number> = {}
    for (const role of ROLES) {
      const s = sessions.get(role)!
      for (const r of routes.filter((x) => x.access !== 'public' && roleAllows(x.access, role) && x.method === 'GET')) {
        for (const where of ['in', 'above', 'out'] as const) {
          const req = requestFor(r, s.user.scope, where)
          if (!req) continue
          const res = await s.inject(req.url)
          const label = `${role} ${where} ${req.url}`
          tally[where] = (tally[where] ?? 0) + 1
          if (where === 'in' || (where === 'above' && r.area === 'path')) {
            expect([200, 204], `${label}: ${res.body.slice(0, 200)}`).toContain(res.statusCode)
          } else if (where === 'above') {
            expect(res.statusCode, label).toBe(403)
            denials.push({ username: s.user.username, target: key(r), what: 'area' })
          } else {
            expect(res.statusCode, label).toBe(404)
            expect(res.json(), label).toEqual({ error: 'Not Found', message: expect.any(String) })
            if (r.url.startsWith('/api/photos/')) denials.push({ username: s.user.username, target: farPhotos.village, what: 'out' })
            else if (r.url.startsWith('/api/households/') || r.query.includes('parent') || r.query.includes('area') || r.url.includes(':code')) {
              denials.push({ username: s.user.username, target: r.url.startsWith('/api/households/') ? farHousehold.ref : key(r), what: 'out' })
            }
          }
          if (res.statusCode === 200 && !r.url.endsWith('.mvt') && !r.url.includes(':layer')) {
            expect(holdsPersonalBesidesRefs(res.body), `${label} carries an ID number or phone`).toBe(false)
          }
        }
      }
    }
    expect(tally.out).toBeGreaterThan(50)
    expect(tally.above).toBeGreaterThan(20)
    await expectAudited()
  })

  async function expectAudited() {
    const { rows } = await t.db.query<{ u: string; target: string }>("SELECT actor_username AS u, target FROM audit_log WHERE outcome = 'denied'")
    const seen = new Set(rows.map((r) => `${r.u}|${r.target}`))
    const missing = denials.filter((d) => !seen.has(`${d.username}|${d.target}`))
    expect(missing).toEqual([])
    denials.length = 0
  }

  it('household tiles hold exactly the households of the caller’s area; roles without personal data get aggregates only', async () => {
    const tiles = tilesCovering([X0 + 0.0005, Y0 + 0.0005, X0 + 0.0395, Y0 + 0.0395], 13)
    for (const role of ROLES.filter((x) => roleAllows('data', x))) {
      const s = sessions.get(role)!
      const ids = new Set<number>()
      for (const at of tiles) {
        const res = await s.inject(`/tiles/households/${at.z}/${at.x}/${at.y}.mvt?year=2020`)
        expect([200, 204], role).toContain(res.statusCode)
        if (res.statusCode === 204) continue
        expect(res.headers['cache-control']).toMatch(/^private/)
        for (const f of layerFeatures(decodeTile(res.rawPayload), 'households', at)) {
          expect(String(f.properties!.village_code).startsWith(s.user.scope), `${role} sees ${f.properties!.village_code}`).toBe(true)
          ids.add(Number(f.id))
        }
      }
      const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM household WHERE starts_with(village_code, $1)', [s.user.scope])
      expect(ids.size, role).toBe(REGISTRY_ROLES.includes(role) ? rows[0]!.n : 0)
      // Aggregates (z10): only areas inside the scope, for every role that sees data.
      const z10 = tilesCovering([X0, Y0, X0 + 0.04, Y0 + 0.04], 10)
      const codes = new Set<string>()
      for (const at of z10) {
        const res = await s.inject(`/tiles/households/${at.z}/${at.x}/${at.y}.mvt?year=2020`)
        if (res.statusCode === 200) for (const f of layerFeatures(decodeTile(res.rawPayload), 'households', at)) codes.add(String(f.properties!.code))
      }
      expect([...codes].every((c) => c.startsWith(s.user.scope)), `${role}: ${[...codes]}`).toBe(true)
      expect(codes.size, role).toBeGreaterThan(0)
    }
    // The base tile's other scoped layers follow the same rule.
    const village = sessions.get('village_team')!
    const at = tiles[0]!
    const base = decodeTile((await village.inject(`/tiles/base/${at.z}/${at.x}/${at.y}.mvt`)).rawPayload)
    for (const f of layerFeatures(base, 'villages', at)) expect(f.properties!.code).toBe(FIXTURE.villages[0])
    for (const f of layerFeatures(base, 'admin', at)) expect(['43', '4331', '433124', '433124110', FIXTURE.villages[0]]).toContain(String(f.properties!.code))
  })

  it('household ids: tile feature ids are neither consecutive nor in village order; no URL takes a numeric id', async () => {
    const admin = sessions.get('province_admin')!
    const res = await admin.inject(`/tiles/households/${tileAt.z}/${tileAt.x}/${tileAt.y}.mvt?year=2020`)
    expect(res.statusCode).toBe(200)
    const ids = layerFeatures(decodeTile(res.rawPayload), 'households', tileAt).map((f) => Number(f.id))
    expect(ids.length).toBeGreaterThanOrEqual(10)
    for (const id of ids) expect(Number.isSafeInteger(id) && id > 0, String(id)).toBe(true)
    // The ids in the registry's (generation) order, village by village.
    const inLoadOrder = fixtureDataset({ householdsPerVillage: 40 }).household.map((h) => h.id)
    const sorted = [...ids].sort((a, b) => a - b)
    const gaps = sorted.slice(1).map((v, i) => v - sorted[i]!)
    expect(gaps.filter((g) => g === 1).length, 'consecutive ids').toBe(0)
    // Spread over the 48-bit range: even the smallest gap is far beyond what a sequence of 160 would span.
    expect(Math.min(...gaps)).toBeGreaterThan(1_000_000)
    const ascending = inLoadOrder.slice(1).filter((v, i) => v > inLoadOrder[i]!).length
    // A monotonic sequence rises 159 times in 159 steps; a random order about half of them.
    expect(ascending).toBeGreaterThan(inLoadOrder.length * 0.3)
    expect(ascending).toBeLessThan(inLoadOrder.length * 0.7)
    // The popup and every household URL take the opaque ref: a numeric id is a 400 before any SQL, never a lookup.
    for (const id of [ids[0]!, 1, 1001]) {
      for (const url of [`/api/households/${id}?year=2020`, `/api/households/${id}/members`]) {
        const r = await admin.inject(url)
        expect(r.statusCode, url).toBe(400)
        expect(r.json(), url).toEqual({ error: 'Bad Request', message: expect.any(String) })
      }
    }
    const popup = await admin.inject(`/api/households/${homeHousehold.ref}?year=2020`)
    expect(popup.statusCode).toBe(200)
    expect(popup.json()).toMatchObject({ id: homeHousehold.id, ref: homeHousehold.ref, villageCode: homeHousehold.village })
  })

  it('members are masked for every registry role; only case-working roles may reveal, one household, audited', async () => {
    for (const role of REGISTRY_ROLES) {
      const s = sessions.get(role)!
      const masked = (await s.inject(`/api/households/${homeHousehold.ref}/members`)).json()
      expect(masked.revealed).toBe(false)
      expect(masked.phone).toMatch(/^138\*{4}[0-9]{4}$/)
      for (const m of masked.members) {
        expect(m.name).toMatch(/^\p{Script=Han}\*+$/u)
        expect(m.idNumber).toMatch(/^[0-9]{6}\*{10}[0-9][0-9X]$/)
      }
      const reveal = await s.inject({ method: 'POST', url: `/api/households/${homeHousehold.ref}/members/reveal`, payload: { reason: 'home visit' } })
      if (REVEAL_ROLES.includes(role)) {
        expect(reveal.statusCode, role).toBe(200)
        expect(reveal.json()).toMatchObject({ revealed: true, phone: expect.stringMatching(/^138[0-9]{8}$/), members: [{ name: '龙某某', idNumber: '43312419800101001X' }] })
        expect(reveal.headers['cache-control']).toBe('no-store')
      } else {
        expect(reveal.statusCode, role).toBe(403)
      }
      const { rows } = await t.db.query<{ action: string; outcome: string }>(
        "SELECT action, outcome FROM audit_log WHERE actor_username = $1 AND target = $2 AND action LIKE 'household.%' ORDER BY id",
        [s.user.username, homeHousehold.ref],
      )
      expect(rows.map((r) => `${r.action}:${r.outcome}`), role).toEqual(
        expect.arrayContaining(['household.members:ok', REVEAL_ROLES.includes(role) ? 'household.reveal:ok' : 'household.reveal:denied']),
      )
    }
    // Out of scope: no reveal, no data, an audited denial.
    const team = sessions.get('village_team')!
    expect((await team.inject({ method: 'POST', url: `/api/households/${farHousehold.ref}/members/reveal`, payload: { reason: 'curious' } })).statusCode).toBe(404)
    const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'household.reveal' AND target = $1", [farHousehold.ref])
    expect(rows[0]!.n).toBe(0)
  })

  it('exports: masked CSV of the caller’s area only, audited', async () => {
    for (const role of REGISTRY_ROLES) {
      const s = sessions.get(role)!
      const res = await s.inject(`/api/areas/${s.user.scope}/households.csv?year=2020`)
      expect(res.statusCode, role).toBe(200)
      expect(res.headers['content-type']).toMatch(/^text\/csv/)
      const lines = res.body.replace(/^\uFEFF/, '').trim().split('\r\n')
      expect(lines[0]).toBe('ref,village_code,village,year,status,main_cause,size,attribute,income_per_capita,gaps,housing_safety,phone,lon,lat')
      const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM household WHERE starts_with(village_code, $1)', [s.user.scope])
      expect(lines.length - 1, role).toBe(rows[0]!.n)
      for (const l of lines.slice(1)) expect(l.split(',')[1]!.startsWith(s.user.scope)).toBe(true)
      expect(holdsPersonalBesidesRefs(res.body)).toBe(false)
      expect(res.body).not.toMatch(/龙某某/)
    }
    const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'export.households' AND outcome = 'ok'")
    expect(rows[0]!.n).toBeGreaterThanOrEqual(REGISTRY_ROLES.length)
  })

  it('the auditor reads the audit log of their area, filtered and paginated; nobody else does', async () => {
    const auditor = sessions.get('auditor')!
    const page1 = (await auditor.inject('/api/audit?limit=5')).json()
    expect(page1.items).toHaveLength(5)
    const page2 = (await auditor.inject(`/api/audit?limit=5&before=${page1.next}`)).json()
    expect(page2.items[0].id).toBeLessThan(page1.items[4].id)
    const team = sessions.get('village_team')!.user.username
    const mine = (await auditor.inject(`/api/audit?user=${team}&limit=200`)).json()
    expect(mine.items.length).toBeGreaterThan(3)
    expect(mine.items.every((e: { user: string }) => e.user === team)).toBe(true)
    const area = (await auditor.inject(`/api/audit?area=${FIXTURE.villages[0]}&action=household.reveal`)).json()
    expect(area.items.length).toBeGreaterThan(0)
    expect(area.items.every((e: { area: string; action: string }) => e.area === FIXTURE.villages[0] && e.action === 'household.reveal')).toBe(true)
    const future = (await auditor.inject('/api/audit?from=2999-01-01T00:00:00Z')).json()
    expect(future).toEqual({ items: [], next: null })
    // An auditor of one county sees that county's entries only.
    const local = await loginAs(app, t.db, 'auditor', { scope: '433125' })
    expect((await local.inject('/api/audit?limit=200')).json().items.filter((e: { area: string | null }) => e.area !== '433125')).toEqual([])
    for (const role of ROLES.filter((r) => r !== 'auditor')) expect((await sessions.get(role)!.inject('/api/audit')).statusCode, role).toBe(403)
  })

  it('answers of a JSON route for a role are the same whoever of that role asks (the data depends on role and area only)', async () => {
    const again = await loginAs(app, t.db, 'township_officer')
    const a = await sessions.get('township_officer')!.inject(`/api/search?q=${encodeURIComponent('村')}`)
    const b = await again.inject(`/api/search?q=${encodeURIComponent('村')}`)
    expect(b.json()).toEqual(a.json())
    expect(a.json().map((h: { code: string }) => h.code)).toEqual([FIXTURE.villages[0], FIXTURE.villages[1]])
  })

  it('a failed request never shows a stack or SQL', async () => {
    const s = sessions.get('province_admin')!
    const responses: LightMyRequestResponse[] = []
    for (const url of ['/api/areas/43/stats?year=abc', '/api/households/not-a-ref/members', '/api/audit?from=yesterday', "/api/search?q=%27%3B%20DROP%20TABLE%20household--"]) {
      responses.push(await s.inject(url))
    }
    for (const r of responses) expect(r.body).not.toMatch(/SELECT|stack|\n\s+at /)
  })
})
