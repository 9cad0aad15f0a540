/**
 * Issue 18, candidates and staleness: grid candidates lie in the area on buildable slope (checked
 * against the DEM the engine reads, written here with a steep eastern half), given click points are
 * the candidates used (one outside the area: 400), and a new school makes the stored travel times
 * stale until they are computed again, when households near it get closer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdir } from 'node:fs/promises'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, TMP_ROOT, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { loadRoadGrid } from './siting-fixture.js'
import { sitingServiceFor } from '../../../server/siting/routes.js'
import { BUILDABLE_SLOPE_DEG, candidatesFor, type AreaRow } from '../../../server/siting/siting-run.js'
import { loadTerrain, saveTerrain, terrainFromGrid, terrainPath } from '../../../geodata/terrain-format.js'
import { buildNetwork, distanceM, snap } from '../../../domain/siting/network.js'
import { dijkstra, type Graph } from '../../../domain/siting/graph.js'
import { facilitySources } from '../../../domain/siting/engine.js'
import { driveSeconds } from '../../../domain/siting/speeds.js'

/** The graph with extra arcs, rebuilt as a new offsets/targets/costs array set. */
function withArcs(g: Graph, extra: { from: number; to: number; cost: number }[]): Graph {
  const arcs: { from: number; to: number; cost: number }[] = [...extra]
  for (let v = 0; v < g.n; v++) for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) arcs.push({ from: v, to: g.targets[e]!, cost: g.costs[e]! })
  arcs.sort((a, b) => a.from - b.from)
  const offsets = new Int32Array(g.n + 1)
  for (const a of arcs) offsets[a.from + 1]!++
  for (let v = 0; v < g.n; v++) offsets[v + 1]! += offsets[v]!
  return { n: g.n, offsets, targets: Int32Array.from(arcs, (a) => a.to), costs: Float64Array.from(arcs, (a) => a.cost) }
}

const [X0, Y0] = FIXTURE.origin
/** The ridge starts here: flat to the west, 1 m up per ~1 m east of it (about 45°). */
const RIDGE = X0 + 0.02

describe('siting candidates and stale travel times', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.query<R>(text, params)).rows
  let dataDir = ''
  let ownDir: string | undefined
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
    // On the server database t.location is a connection URL: the DEM needs a real data directory.
    if (t.db.kind === 'embedded') dataDir = t.location
    else {
      mkdirSync(TMP_ROOT, { recursive: true })
      dataDir = ownDir = mkdtempSync(join(TMP_ROOT, 'siting-dem-'))
    }
    const path = terrainPath(dataDir)
    await mkdir(dirname(path), { recursive: true })
    await saveTerrain(path, terrainFromGrid({ west, south, east, north, width, height, cellDeg, data }))
    app = await buildApp({ dataDir, db: t.db, serveClient: false })
    admin = await loginAs(app, t.db, 'province_admin')
    await siting().ensureAccessibility()
  }, 240_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
    if (ownDir) rmSync(ownDir, { recursive: true, force: true })
  })

  it('grid candidates: inside the area, none steeper than the buildable slope by the DEM, the steep half left out', async () => {
    const [area] = await sql<AreaRow>(
      `SELECT code, level, name, ST_XMin(geom) AS west, ST_YMin(geom) AS south, ST_XMax(geom) AS east, ST_YMax(geom) AS north FROM admin_area WHERE code = $1`,
      [FIXTURE.county],
    )
    const grid = await candidatesFor(siting(), t.db, area!, { candidateSource: 'grid', gridSpacingM: 300 })
    const terrain = await loadTerrain(terrainPath(dataDir))
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

  it('a drawn road link: minutes saved and per km as Dijkstra on the graph with the link added computes them', async () => {
    // A cut through the grid (east-west roads between x0+0.02 and x0+0.025 removed, except the top row): the
    // east side reaches the seats in the middle only the long way round, which a link near the bottom shortens.
    await t.db.query(
      `DELETE FROM road WHERE ST_YMin(geom) = ST_YMax(geom) AND ST_XMin(geom) >= $1 AND ST_XMax(geom) <= $2 AND ST_YMin(geom) < $3`,
      [X0 + 0.0199, X0 + 0.0251, Y0 + 0.039],
    )
    await siting().ensureAccessibility()
    const from = { lon: X0 + 0.0312, lat: Y0 + 0.0051 }
    const to = { lon: X0 + 0.0148, lat: Y0 + 0.0049 }
    const res = await post(admin, '/api/siting/road-links', { area: FIXTURE.county, year: 2016, links: [{ from, to }] })
    expect(res.statusCode, res.body).toBe(200)
    const [link] = res.json().links
    // Independently: the network as the engine builds it (same roads, same DEM), the link as two arcs, full searches.
    const terrain = await loadTerrain(terrainPath(dataDir))
    const net = buildNetwork(await siting().networkInput(), (lon, lat) => terrain.elevation(lon, lat))
    const index = new Map(Array.from(net.nodeIds, (id, i) => [id, i]))
    const a = snap(net, from.lon, from.lat, 'to')!
    const b = snap(net, to.lon, to.lat, 'to')!
    const metres = distanceM(from.lon, from.lat, to.lon, to.lat) * 1.3 // the links' winding factor
    const cost = driveSeconds(metres, 0, 'village') + a.seconds + b.seconds
    const linked = withArcs(net.drive, [{ from: a.node, to: b.node, cost }, { from: b.node, to: a.node, cost }])
    const poor = await sql<{ node: number; walk: number; seatLon: number; seatLat: number }>(
      `SELECT ha.node, ha.walk_s AS walk, ST_X(t.seat) AS "seatLon", ST_Y(t.seat) AS "seatLat"
       FROM household_access ha JOIN household_year y ON y.household_id = ha.household_id AND y.year = 2016
       JOIN admin_area v ON v.code = ha.village_code JOIN admin_area t ON t.code = v.parent_code
       WHERE y.status IN ('poor', 'returned') AND ha.node IS NOT NULL AND t.seat IS NOT NULL`,
    )
    expect(poor.length).toBeGreaterThan(10)
    const searches = new Map<string, [Float64Array, Float64Array]>()
    let saved = 0
    let households = 0
    for (const h of poor) {
      const key = `${h.seatLon},${h.seatLat}`
      if (!searches.has(key)) {
        const src = facilitySources(net, [[h.seatLon, h.seatLat]])
        searches.set(key, [dijkstra(net.drive, src), dijkstra(linked, src)])
      }
      const [before, after] = searches.get(key)!
      const v = index.get(h.node)!
      expect(Number.isFinite(before[v]!)).toBe(true)
      if (after[v]! < before[v]! - 1e-9) {
        saved += before[v]! - after[v]!
        households++
      }
    }
    expect({ households: link.households, savedMinutes: link.savedMinutes }, JSON.stringify(link)).toEqual({ households, savedMinutes: expect.closeTo(saved / 60, 3) })
    expect(households).toBeGreaterThan(0)
    expect(link.savedMinutes).toBeCloseTo(saved / 60, 3)
    expect(link.km).toBeCloseTo(metres / 1000, 6)
    expect(link.perKm).toBeCloseTo(saved / 60 / (metres / 1000), 3)
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
