/**
 * Issue 18, candidates and staleness: grid candidates lie in the area on buildable slope (checked
 * against the DEM the engine reads, written here with a steep eastern half), given click points are
 * the candidates used (one outside the area: 400), and a new school makes the stored travel times
 * stale until they are computed again, when households near it get closer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { loadRoadGrid } from './siting-fixture.js'
import { sitingServiceFor } from '../../../server/siting/routes.js'
import { BUILDABLE_SLOPE_DEG, candidatesFor, type AreaRow } from '../../../server/siting/siting-run.js'
import { loadTerrain, saveTerrain, terrainFromGrid, terrainPath } from '../../../geodata/terrain-format.js'

const [X0, Y0] = FIXTURE.origin
/** The ridge starts here: flat to the west, 1 m up per ~1 m east of it (about 45°). */
const RIDGE = X0 + 0.02

describe('siting candidates and stale travel times', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.query<R>(text, params)).rows
  const siting = () => sitingServiceFor(t.db)!
  const post = (s: TestSession, url: string, payload: unknown) => s.inject({ method: 'POST', url, payload: payload as Record<string, unknown> })
  const body = { area: FIXTURE.county, facility: 'water', k: 1, standardMinutes: 10, objective: 'coverage', year: 2016 }

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 20 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    await loadRoadGrid(t.db)
    // A DEM over the fixture (0.001° cells), flat west of the ridge, about 45° east of it.
    const cellDeg = 0.001
    const [west, south, east, north] = [X0 - 0.01, Y0 - 0.01, X0 + 0.05, Y0 + 0.05]
    const width = Math.round((east - west) / cellDeg)
    const height = Math.round((north - south) / cellDeg)
    const data = new Int16Array(width * height)
    for (let r = 0; r < height; r++)
      for (let c = 0; c < width; c++) {
        const lon = west + (c + 0.5) * cellDeg
        data[r * width + c] = Math.round(200 + Math.max(0, lon - RIDGE) * 100_000)
      }
    const path = terrainPath(t.location)
    await mkdir(dirname(path), { recursive: true })
    await saveTerrain(path, terrainFromGrid({ west, south, east, north, width, height, cellDeg, data }))
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    admin = await loginAs(app, t.db, 'province_admin')
    await siting().ensureAccessibility()
  }, 240_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('grid candidates: inside the area, none steeper than the buildable slope by the DEM, the steep half left out', async () => {
    const [area] = await sql<AreaRow>(
      `SELECT code, level, name, ST_XMin(geom) AS west, ST_YMin(geom) AS south, ST_XMax(geom) AS east, ST_YMax(geom) AS north FROM admin_area WHERE code = $1`,
      [FIXTURE.county],
    )
    const grid = await candidatesFor(siting(), t.db, area!, { candidateSource: 'grid', gridSpacingM: 300 })
    const terrain = await loadTerrain(terrainPath(t.location))
    expect(grid.length).toBeGreaterThan(20)
    for (const c of grid) expect(terrain.slopeDeg(c.lon, c.lat), `${c.lon},${c.lat}`).toBeLessThanOrEqual(BUILDABLE_SLOPE_DEG)
    // The ridge side is steep by construction (and by the DEM): no candidate there, many on the flat side.
    const steepProbe = terrain.slopeDeg(RIDGE + 0.01, Y0 + 0.02)
    expect(steepProbe).toBeGreaterThan(BUILDABLE_SLOPE_DEG)
    expect(grid.filter((c) => c.lon > RIDGE + 0.002)).toEqual([])
    expect(grid.filter((c) => c.lon < RIDGE - 0.002).length).toBeGreaterThan(10)
    const [inside] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM unnest($2::float8[], $3::float8[]) AS p(lon, lat), admin_area a
       WHERE a.code = $1 AND ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))`,
      [FIXTURE.county, grid.map((c) => c.lon), grid.map((c) => c.lat)],
    )
    expect(inside!.n).toBe(grid.length)
    // The route uses the same candidates, and its site is one of them.
    const res = await post(admin, '/api/siting', { ...body, candidateSource: 'grid', gridSpacingM: 300 })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().candidates).toBe(grid.length)
    const site = res.json().sites[0]
    expect(grid.some((c) => c.lon === site.lon && c.lat === site.lat)).toBe(true)
  })

  it('given click points are the candidates used; one outside the area answers 400 and saves nothing', async () => {
    const given = [
      { lon: X0 + 0.004, lat: Y0 + 0.006 },
      { lon: X0 + 0.016, lat: Y0 + 0.031 },
      { lon: X0 + 0.033, lat: Y0 + 0.012 },
    ]
    const res = await post(admin, '/api/siting', { ...body, k: 2, candidates: given })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().candidates).toBe(3)
    for (const s of res.json().sites) expect(given).toContainEqual({ lon: s.lon, lat: s.lat })
    const before = await sql('SELECT count(*)::int AS n FROM siting_scenario')
    for (const outside of [{ lon: X0 - 0.01, lat: Y0 + 0.01 }, { lon: X0 + 0.01, lat: Y0 + 0.045 }]) {
      const bad = await post(admin, '/api/siting', { ...body, candidates: [...given, outside] })
      expect(bad.statusCode, bad.body).toBe(400)
      expect(bad.json().message).toContain('outside')
      const saved = await post(admin, '/api/siting/scenarios', { name: 'x', request: { ...body, candidates: [outside] } })
      expect(saved.statusCode).toBe(400)
    }
    expect(await sql('SELECT count(*)::int AS n FROM siting_scenario')).toEqual(before)
    // A drawn road link leaving the area: 400 as well.
    const link = await post(admin, '/api/siting/road-links', { area: FIXTURE.county, links: [{ from: { lon: X0 + 0.01, lat: Y0 + 0.01 }, to: { lon: X0 - 0.01, lat: Y0 + 0.01 } }] })
    expect(link.statusCode, link.body).toBe(400)
  })

  it('a new school makes stored travel times stale; recomputed, the households near it get closer', async () => {
    expect(await siting().fresh()).toBe(true)
    const times = async () => new Map((await sql<{ id: string; m: number }>('SELECT household_id::text AS id, school_min AS m FROM household_access')).map((r) => [r.id, r.m]))
    const before = await times()
    // At the north-west (flat) corner, north of the river, away from the fixture's two schools.
    await t.db.query(
      `INSERT INTO school (id, level, name, area_code, capacity, geom) VALUES (9001, 'village_primary', '新建小学', $1, 100, ST_SetSRID(ST_MakePoint($2, $3), 4326))`,
      [FIXTURE.villages[0], X0 + 0.003, Y0 + 0.037],
    )
    expect(await siting().fresh()).toBe(false)
    await siting().ensureAccessibility()
    expect(await siting().fresh()).toBe(true)
    const after = await times()
    expect(after.size).toBe(before.size)
    let closer = 0
    for (const [id, m] of after) {
      expect(m, id).toBeLessThanOrEqual(before.get(id)! + 1e-6)
      if (m < before.get(id)! - 1e-6) closer++
    }
    expect(closer, JSON.stringify([...after].slice(0, 5))).toBeGreaterThan(0)
    // The village indicator follows the households' times.
    const [iv] = await sql<{ v: number; mean: number }>(
      `SELECT iv.value AS v, round(avg(a.school_min)::numeric, 1)::float8 AS mean FROM indicator_value iv JOIN household_access a ON a.village_code = iv.area_code
       WHERE iv.indicator_code = 'access_school_min' AND iv.area_code = $1 GROUP BY iv.value`,
      [FIXTURE.villages[0]],
    )
    expect(iv!.v).toBe(iv!.mean)
  })
})
