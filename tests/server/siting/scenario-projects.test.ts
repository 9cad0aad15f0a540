import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, sessionCaller, type TestSession } from '../../helpers/auth.js'
import { withCaller } from '../../../server/db/caller-transactions.js'
import { decodeTile, layerFeatures, lonLatToTile } from '../../helpers/tiles.js'
import { loadRoadGrid } from './siting-fixture.js'

describe('POST /api/siting/scenarios/:id/projects', () => {
  let t: TestDb
  let app: FastifyInstance
  let officer: TestSession
  let viewer: TestSession
  let township: TestSession
  let otherCounty: TestSession
  let scenario: { id: number; result: { year: number; sites: { lon: number; lat: number; covered: number; rank: number }[] } }
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.query<R>(text, params)).rows
  const toProjects = (s: TestSession, id: number, payload: Record<string, unknown> = {}) => s.inject({ method: 'POST', url: `/api/siting/scenarios/${id}/projects`, payload })
  const count = async () => (await sql<{ n: number }>('SELECT count(*)::int AS n FROM project'))[0]!.n
  const waterBody = { area: FIXTURE.county, facility: 'water', k: 3, standardMinutes: 10, objective: 'coverage', gap: true, year: 2016, budgetYuan: 9e6, siteCostYuan: 2.5e6 }

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 60 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    await loadRoadGrid(t.db)
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    officer = await loginAs(app, t.db, 'county_officer')
    viewer = await loginAs(app, t.db, 'department_viewer', { department: 'water' })
    township = await loginAs(app, t.db, 'township_officer')
    otherCounty = await loginAs(app, t.db, 'county_officer', { scope: '433125' })
    // The water department sites and saves; the county planner makes the plan from it.
    const saved = await viewer.inject({ method: 'POST', url: '/api/siting/scenarios', payload: { name: '三处水厂', request: waterBody } })
    expect(saved.statusCode, saved.body).toBe(201)
    scenario = saved.json()
  }, 300_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('makes one planned water project per site, at the site, in its village, with the cost per site; audited', async () => {
    const before = await count()
    const res = await toProjects(officer, scenario.id)
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json()
    const sites = scenario.result.sites
    expect(sites.length).toBe(3)
    expect(body.created).toBe(sites.length)
    expect(await count()).toBe(before + sites.length)
    const rows = await sql<{ id: number; type: string; stage: string; year: number; budget: number; spent: number; village: string; county: string; lon: number; lat: number; site: number; households: number; inside: string | null }>(
      `SELECT p.id, p.type, p.stage, p.year, p.budget_yuan AS budget, p.spent_yuan AS spent, p.village_code AS village, p.county_code AS county,
              ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat, p.scenario_site AS site, p.beneficiary_households AS households,
              (SELECT a.code FROM admin_area a WHERE a.level = 'village' AND ST_Intersects(a.geom, p.geom) ORDER BY a.code LIMIT 1) AS inside
       FROM project p WHERE p.scenario_id = $1 ORDER BY p.scenario_site`,
      [scenario.id],
    )
    expect(rows.map((r) => r.site)).toEqual(sites.map((s) => s.rank))
    rows.forEach((r, i) => {
      expect(r).toMatchObject({ type: 'water', stage: 'plan', year: scenario.result.year, budget: 2.5e6, spent: 0, county: FIXTURE.county, households: sites[i]!.covered })
      expect(r.lon).toBeCloseTo(sites[i]!.lon, 9)
      expect(r.lat).toBeCloseTo(sites[i]!.lat, 9)
      expect(r.village).toBe(r.inside)
    })
    expect(body.projects.map((p: { id: number; created: boolean }) => [p.id, p.created])).toEqual(rows.map((r) => [r.id, true]))
    expect(body.projects[0].geometry).toEqual({ type: 'Point', coordinates: [expect.any(Number), expect.any(Number)] })
    const audit = await sql<{ actor: string; detail: { created: number } }>(
      "SELECT actor_role AS actor, detail FROM audit_log WHERE action = 'siting.projects' AND target = $1 ORDER BY id",
      [`scenario:${scenario.id}`],
    )
    expect(audit).toEqual([{ actor: 'county_officer', detail: expect.objectContaining({ created: sites.length }) }])
  })

  it('a second call creates no duplicate and leaves the projects tiles’ version alone', async () => {
    const before = await count()
    const [v0] = await sql<{ v: string }>("SELECT version::text AS v FROM tile_layer_version WHERE layer = 'projects'")
    const res = await toProjects(officer, scenario.id, { year: 2021 })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().created).toBe(0)
    expect(res.json().projects).toHaveLength(scenario.result.sites.length)
    expect(res.json().projects.every((p: { created: boolean; year: number }) => !p.created && p.year === scenario.result.year)).toBe(true)
    expect(await count()).toBe(before)
    expect(await sql("SELECT version::text AS v FROM tile_layer_version WHERE layer = 'projects'")).toEqual([v0])
  })

  it('the projects tile shows them', async () => {
    const mine = await sql<{ id: number; lon: number; lat: number }>('SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM project WHERE scenario_id = $1', [scenario.id])
    for (const p of mine) {
      const at = lonLatToTile(p.lon, p.lat, 12)
      const res = await officer.inject(`/tiles/projects/${at.z}/${at.x}/${at.y}.mvt`)
      expect(res.statusCode).toBe(200)
      const features = layerFeatures(decodeTile(res.rawPayload), 'projects', at)
      expect(features.find((f) => String(f.id) === String(p.id))?.properties).toMatchObject({ type: 'water', stage: 'plan' })
    }
  })

  it('refuses department viewers and township officers (403), another county’s officer and unknown scenarios (404), and writes nothing', async () => {
    const before = await count()
    const other = await viewer.inject({ method: 'POST', url: '/api/siting/scenarios', payload: { name: '学校', request: { ...waterBody, facility: 'school', k: 1 } } })
    expect(other.statusCode, other.body).toBe(201)
    const id = other.json().id as number
    expect((await toProjects(viewer, id)).statusCode).toBe(403)
    expect((await toProjects(township, id)).statusCode).toBe(403)
    const far = await toProjects(otherCounty, id)
    expect(far.statusCode).toBe(404)
    expect(far.json()).toEqual({ error: 'Not Found', message: expect.any(String) })
    expect((await toProjects(officer, 999_999)).statusCode).toBe(404)
    expect((await toProjects(officer, id, { year: 1999 })).statusCode).toBe(400)
    expect(await count()).toBe(before)
    // The database refuses by itself too: the function, called as the request role for a township officer.
    await expect(withCaller(t.db, await sessionCaller(t.db, 'township_officer', FIXTURE.townships[0]!), (tx) => tx.query('SELECT * FROM povmap_scenario_to_projects($1)', [id]))).rejects.toMatchObject({ code: '42501' })
    // A school scenario becomes education projects.
    const school = await toProjects(officer, id)
    expect(school.statusCode, school.body).toBe(200)
    expect(school.json().projects.map((p: { type: string }) => p.type)).toEqual(['education'])
  })

  it('a road scenario becomes road projects along its links', async () => {
    const [x0, y0] = FIXTURE.origin
    const result = { year: 2016, links: [{ from: { lon: x0 + 0.002, lat: y0 + 0.003 }, to: { lon: x0 + 0.012, lat: y0 + 0.003 }, km: 1.1, households: 4 }] }
    const [row] = await sql<{ id: number }>(
      `INSERT INTO siting_scenario (created_by, area_code, name, facility, request, result) VALUES (0, $1, '连通', 'road', '{}', $2) RETURNING id`,
      [FIXTURE.county, JSON.stringify(result)],
    )
    const res = await toProjects(officer, row!.id)
    expect(res.statusCode, res.body).toBe(200)
    const [p] = res.json().projects
    expect(p).toMatchObject({ type: 'road', stage: 'plan', budgetYuan: 0, villageCode: FIXTURE.villages[0] })
    expect(p.geometry).toEqual({ type: 'LineString', coordinates: [[x0 + 0.002, y0 + 0.003], [x0 + 0.012, y0 + 0.003]] })
  })
})
