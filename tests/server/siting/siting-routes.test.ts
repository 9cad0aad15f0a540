import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { loadRoadGrid } from './siting-fixture.js'
import { buildNetwork, snap } from '../../../domain/siting/network.js'
import { dijkstra } from '../../../domain/siting/graph.js'
import { facilitySources } from '../../../domain/siting/engine.js'
import { sitingServiceFor } from '../../../server/siting/routes.js'

describe('siting API', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  let officer: TestSession
  let viewer: TestSession
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.query<R>(text, params)).rows
  const siting = () => sitingServiceFor(t.db)!
  const post = (s: TestSession, url: string, payload: unknown) => s.inject({ method: 'POST', url, payload: payload as Record<string, unknown> })

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 60 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    await loadRoadGrid(t.db)
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    admin = await loginAs(app, t.db, 'province_admin')
    officer = await loginAs(app, t.db, 'county_officer')
    viewer = await loginAs(app, t.db, 'department_viewer', { department: 'water' })
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('accessibility: every household and village seat gets its travel times, villages their indicator values', async () => {
    await siting().ensureAccessibility()
    const [h] = await sql<{ n: number; a: number; timed: number }>('SELECT (SELECT count(*) FROM household)::int AS n, count(*)::int AS a, count(school_min)::int AS timed FROM household_access')
    expect(h!.a).toBe(h!.n)
    expect(h!.timed).toBe(h!.n)
    const iv = await sql<{ n: number }>("SELECT count(*)::int AS n FROM indicator_value WHERE indicator_code = 'access_school_min'")
    expect(iv[0]!.n).toBe(FIXTURE.villages.length)
    expect(await siting().fresh()).toBe(true)
    // A road change makes the stored times stale; the next siting recomputes them.
    await t.db.query("UPDATE road SET class = 'national' WHERE id = 1")
    expect(await siting().fresh()).toBe(false)
    await siting().ensureAccessibility()
    expect(await siting().fresh()).toBe(true)
    // A household moved by a registry edit: only it is computed again, to what a full computation gives.
    const [moved] = await sql<{ id: string }>('SELECT id::text FROM household ORDER BY id LIMIT 1')
    const [x0, y0] = FIXTURE.origin
    await t.db.query('UPDATE household SET geom = ST_SetSRID(ST_MakePoint($2, $3), 4326) WHERE id = $1', [moved!.id, x0 + 0.031, y0 + 0.012])
    expect(await siting().staleness()).toBe('households')
    await siting().ensureAccessibility()
    const [state] = await sql<{ households: number }>('SELECT households FROM access_state')
    expect(state!.households).toBe(1)
    const row = async () => (await sql('SELECT node, walk_s, school_min, water_min, lon, lat FROM household_access WHERE household_id = $1', [moved!.id]))[0]
    const incremental = await row()
    expect(incremental).toMatchObject({ lon: x0 + 0.031, lat: y0 + 0.012 })
    await siting().computeAccessibility()
    expect(await row()).toEqual(incremental)
  })

  it('POST /api/isochrones: one polygon per time, poor households counted as SQL counts them', async () => {
    const [x0, y0] = FIXTURE.origin
    const res = await post(officer, '/api/isochrones', { lon: x0 + 0.02, lat: y0 + 0.02, minutes: [5, 10], mode: 'walk', year: 2016 })
    expect(res.statusCode, res.body).toBe(200)
    const fc = res.json()
    expect(fc.type).toBe('FeatureCollection')
    expect(fc.features.map((f: { properties: { minutes: number } }) => f.properties.minutes)).toEqual([5, 10])
    for (const f of fc.features) {
      const [count] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = 2016
         WHERE y.status IN ('poor', 'returned') AND ST_Intersects(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), h.geom)`,
        [JSON.stringify(f.geometry)],
      )
      expect(f.properties.poorHouseholds).toBe(count!.n)
      const [check] = await sql<{ valid: boolean }>('SELECT ST_IsValid(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)) AS valid', [JSON.stringify(f.geometry)])
      expect(check!.valid).toBe(true)
    }
    expect(fc.features[1].properties.poorHouseholds).toBeGreaterThanOrEqual(fc.features[0].properties.poorHouseholds)
    expect(fc.features[1].properties.poorHouseholds).toBeGreaterThan(0)
  })

  const waterBody = { area: FIXTURE.county, facility: 'water', k: 2, standardMinutes: 10, objective: 'coverage', gap: true, year: 2016 }

  it('POST /api/siting: covered households are within the standard, checked independently; total as SQL counts it', async () => {
    const res = await post(viewer, '/api/siting', waterBody)
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json()
    expect(body.sites).toHaveLength(2)
    const targets = await sql<{ lon: number; lat: number }>(
      `SELECT ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = 2016
       WHERE y.status IN ('poor', 'returned') AND NOT y.water_ok AND starts_with(h.village_code, $1)`,
      [FIXTURE.county],
    )
    expect(body.total).toBe(targets.length)
    // Independently: the network from the road table, times from the sites and the existing works.
    const net = buildNetwork(await siting().networkInput(), () => 0)
    const works = await sql<{ lon: number; lat: number }>("SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM water WHERE kind = 'supply_works'")
    const dist = dijkstra(net.drive, facilitySources(net, [...body.sites, ...works].map((s: { lon: number; lat: number }) => [s.lon, s.lat])))
    const time = targets.map((h) => {
      const s = snap(net, h.lon, h.lat, 'to')!
      return s.seconds + dist[s.node]!
    })
    const limit = waterBody.standardMinutes * 60
    expect(body.covered).toBeLessThanOrEqual(time.filter((x) => x <= limit).length)
    // The demand's walks are rounded up to 10 s: nothing within the standard less 10 s is missed.
    expect(body.covered).toBeGreaterThanOrEqual(time.filter((x) => x <= limit - 10).length)
    expect(body.covered).toBeGreaterThan(body.coveredBefore)
    expect(body.sites[0].gain).toBeGreaterThanOrEqual(body.sites[1].gain)
    // The what-if removes drinking-water deprivations: M0 does not rise anywhere, and falls somewhere.
    expect(body.whatIf.total.dM0).toBeLessThanOrEqual(0)
    for (const v of body.whatIf.villages) expect(v.dM0).toBeLessThanOrEqual(1e-12)
    expect(body.whatIf.villages.some((v: { dM0: number }) => v.dM0 < 0)).toBe(true)
  })

  it('a department viewer receives aggregates only: no household id, ref or position', async () => {
    const res = await post(viewer, '/api/siting', waterBody)
    const text = res.body
    const hh = await sql<{ id: string; ref: string; lon: number; lat: number }>('SELECT id::text, ref::text, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM household')
    for (const h of hh) {
      expect(text).not.toContain(h.ref)
      expect(text).not.toContain(`"lon":${h.lon},"lat":${h.lat}`)
    }
    expect(text).not.toMatch(/"(ref|householdId|members|phone|name_masked)"/)
    // The database refuses the demand of another area outright.
    const other = await post(viewer, '/api/siting', { ...waterBody, area: '433125' })
    expect(other.statusCode).toBe(400)
  })

  it('p-median answers k sites; exact and greedy agree on this small instance', async () => {
    const pm = await post(admin, '/api/siting', { ...waterBody, objective: 'p-median', k: 1 })
    expect(pm.statusCode, pm.body).toBe(200)
    expect(pm.json().sites).toHaveLength(1)
    const exact = await post(admin, '/api/siting', { ...waterBody, solver: 'exact' })
    const greedy = await post(admin, '/api/siting', { ...waterBody, solver: 'greedy' })
    expect(exact.json().solver).toBe('highs-milp')
    expect(exact.json().covered).toBeGreaterThanOrEqual(greedy.json().covered)
  })

  it('a siting on stale travel times answers at once and refreshes them in the background', async () => {
    await t.db.query("UPDATE road SET class = 'county' WHERE id = 2")
    expect(await siting().fresh()).toBe(false)
    const res = await post(admin, '/api/siting', waterBody)
    expect(res.statusCode, res.body).toBe(200)
    for (let i = 0; i < 100 && !(await siting().fresh()); i++) await new Promise((r) => setTimeout(r, 200))
    expect(await siting().fresh()).toBe(true)
  })

  it('a budget with a per-site cost buys fewer sites than k', async () => {
    const res = await post(admin, '/api/siting', { ...waterBody, k: 3, budgetYuan: 2.5e6, siteCostYuan: 1e6 })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().sites).toHaveLength(2)
  })

  it('bad parameters answer 400 and change nothing', async () => {
    const before = await sql<{ n: number }>('SELECT count(*)::int AS n FROM siting_scenario')
    const cases = [
      { ...waterBody, k: 0 },
      { ...waterBody, k: -1 },
      { ...waterBody, k: 50 },
      { ...waterBody, facility: 'airport' },
      { ...waterBody, area: '' },
      { ...waterBody, area: '439999' },
      { ...waterBody, standardMinutes: 0 },
      { ...waterBody, standardMinutes: 100000 },
      { ...waterBody, candidates: [{ lon: 112, lat: 28 }] },
      { ...waterBody, candidates: [{ lon: 'x', lat: 28 }] },
      { ...waterBody, budgetYuan: 100, siteCostYuan: 1000 },
      { ...waterBody, budgetYuan: 100 },
      { ...waterBody, siteCostYuan: 0, budgetYuan: 100 },
    ]
    for (const c of cases) {
      const res = await post(admin, '/api/siting', c)
      expect(res.statusCode, JSON.stringify(c)).toBe(400)
      expect(res.json()).toMatchObject({ error: 'Bad Request' })
      const saved = await post(admin, '/api/siting/scenarios', { name: 'bad', request: c })
      expect(saved.statusCode).toBe(400)
    }
    const [x0, y0] = FIXTURE.origin
    const links = await post(admin, '/api/siting/road-links', { area: FIXTURE.county, links: [{ from: { lon: x0 + 0.01, lat: y0 + 0.01 }, to: { lon: x0 + 0.01, lat: y0 + 0.01 } }] })
    expect(links.statusCode).toBe(400)
    const iso = await post(admin, '/api/isochrones', { lon: x0, lat: y0, minutes: [], mode: 'drive' })
    expect(iso.statusCode).toBe(400)
    expect(await sql<{ n: number }>('SELECT count(*)::int AS n FROM siting_scenario')).toEqual(before)
  })

  it('scenarios: saved as the server computed them, listed, exported, deleted by their owner', async () => {
    const saved = await post(viewer, '/api/siting/scenarios', { name: '三处水厂', request: waterBody })
    expect(saved.statusCode, saved.body).toBe(201)
    const s = saved.json()
    expect(s.result.sites).toHaveLength(2)
    const list = await viewer.inject('/api/siting/scenarios')
    expect(list.json().map((x: { id: number }) => x.id)).toContain(s.id)
    const gj = await viewer.inject(`/api/siting/scenarios/${s.id}/export?format=geojson`)
    expect(gj.statusCode).toBe(200)
    expect(JSON.parse(gj.body).features.filter((f: { geometry: { type: string } }) => f.geometry.type === 'Point')).toHaveLength(2)
    const xl = await viewer.inject(`/api/siting/scenarios/${s.id}/export?format=xlsx`)
    expect(xl.statusCode).toBe(200)
    expect(xl.rawPayload.subarray(0, 2).toString()).toBe('PK')
    expect((await admin.inject({ method: 'DELETE', url: `/api/siting/scenarios/${s.id}` })).statusCode).toBe(404)
    expect((await viewer.inject({ method: 'DELETE', url: `/api/siting/scenarios/${s.id}` })).statusCode).toBe(204)
  })

  it('POST /api/siting/road-links ranks drawn links by minutes saved per km', async () => {
    const [x0, y0] = FIXTURE.origin
    const res = await post(admin, '/api/siting/road-links', {
      area: FIXTURE.county,
      year: 2016,
      links: [
        { from: { lon: x0 + 0.001, lat: y0 + 0.001 }, to: { lon: x0 + 0.039, lat: y0 + 0.039 } },
        { from: { lon: x0 + 0.005, lat: y0 + 0.005 }, to: { lon: x0 + 0.01, lat: y0 + 0.01 } },
      ],
    })
    expect(res.statusCode, res.body).toBe(200)
    const links = res.json().links
    expect(links).toHaveLength(2)
    expect(links[0].perKm).toBeGreaterThanOrEqual(links[1].perKm)
  })
})
