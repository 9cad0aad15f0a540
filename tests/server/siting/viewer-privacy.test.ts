/**
 * Issue 18, "who sees what": department viewers (water, transport) site projects from counts and
 * coverage figures without ever receiving a household's record or point. Every siting-family route
 * is called as such a viewer; each answer (JSON, GeoJSON, the XLSX re-read with exceljs) is walked
 * recursively for household keys, refs, members' names and ID numbers, phones and any coordinate
 * pair equal to a household's position (from SQL), and small counts (1–2) must be null where the
 * rule applies (isochrones, villages' target and covered households), compared with what a
 * registry role gets for the same request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import ExcelJS from 'exceljs'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { loadRoadGrid } from './siting-fixture.js'
import { sitingServiceFor } from '../../../server/siting/routes.js'

const FORBIDDEN_KEYS = new Set(['ref', 'householdId', 'household_id', 'householdIds', 'idNumber', 'id_number', 'phone', 'members', 'member', 'memberName', 'nameMasked', 'name_masked', 'idNumberMasked'])

interface Secrets {
  exact: Set<string> // member names: compared whole (a 2-character name may be part of a place name)
  contained: string[] // refs, ID numbers, phones: must not occur anywhere in a string
  points: { lon: number; lat: number }[]
}

/** Every problem found in a value: household keys, personal strings, household coordinate pairs. */
function leaks(value: unknown, s: Secrets, path = '$', out: string[] = []): string[] {
  const isPoint = (lon: unknown, lat: unknown) =>
    typeof lon === 'number' && typeof lat === 'number' && s.points.some((p) => Math.abs(p.lon - lon) < 1e-6 && Math.abs(p.lat - lat) < 1e-6)
  if (typeof value === 'string') {
    if (s.exact.has(value)) out.push(`${path}: a member's name ${value}`)
    for (const c of s.contained) if (value.includes(c)) out.push(`${path}: contains ${c}`)
  } else if (Array.isArray(value)) {
    if (value.length === 2 && isPoint(value[0], value[1])) out.push(`${path}: a household point ${JSON.stringify(value)}`)
    value.forEach((v, i) => leaks(v, s, `${path}[${i}]`, out))
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    if (isPoint(o.lon, o.lat)) out.push(`${path}: a household point {lon: ${String(o.lon)}, lat: ${String(o.lat)}}`)
    for (const [k, v] of Object.entries(o)) {
      if (FORBIDDEN_KEYS.has(k)) out.push(`${path}.${k}: a household key`)
      leaks(v, s, `${path}.${k}`, out)
    }
  }
  return out
}

describe('department viewers never receive household records or points (issue 18)', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  let viewers: { dept: string; s: TestSession }[]
  let secrets: Secrets
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.query<R>(text, params)).rows
  const post = (s: TestSession, url: string, payload: unknown) => s.inject({ method: 'POST', url, payload: payload as Record<string, unknown> })
  const [x0, y0] = FIXTURE.origin
  const waterBody = { area: FIXTURE.county, facility: 'water', k: 2, standardMinutes: 10, objective: 'coverage', gap: true, year: 2016 }

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 60 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    await loadRoadGrid(t.db)
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    admin = await loginAs(app, t.db, 'province_admin')
    viewers = [
      { dept: 'water', s: await loginAs(app, t.db, 'department_viewer', { department: 'water' }) },
      { dept: 'transport', s: await loginAs(app, t.db, 'department_viewer', { department: 'transport' }) },
    ]
    await sitingServiceFor(t.db)!.ensureAccessibility()
    const hh = await sql<{ ref: string; phone: string | null; lon: number; lat: number }>('SELECT ref::text, phone, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM household')
    const members = await sql<{ name: string; idNumber: string }>('SELECT name, id_number AS "idNumber" FROM member')
    secrets = {
      exact: new Set(members.map((m) => m.name)),
      contained: [...hh.map((h) => h.ref), ...hh.flatMap((h) => (h.phone && h.phone.length >= 6 ? [h.phone] : [])), ...members.map((m) => m.idNumber)],
      points: hh.map((h) => ({ lon: h.lon, lat: h.lat })),
    }
    expect(secrets.points.length).toBeGreaterThan(100)
    expect(members.length).toBeGreaterThan(100)
  }, 180_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('the leak walker finds what it looks for (so that an empty list below means something)', () => {
    const p = secrets.points[0]!
    const name = [...secrets.exact][0]!
    const found = leaks({ a: [p.lon, p.lat], b: { lon: p.lon, lat: p.lat }, c: name, d: `x${secrets.contained[0]}x`, ref: 1 }, secrets)
    expect(found).toHaveLength(5)
    expect(leaks({ a: [x0 - 1, y0], n: 3, name: '花垣县' }, secrets)).toEqual([])
  })

  it('POST /api/isochrones: no household points, and counts of 1–2 are null where a registry role sees them', async () => {
    const poor = await sql<{ lon: number; lat: number }>(
      `SELECT ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = 2016
       WHERE y.status IN ('poor', 'returned') ORDER BY h.id LIMIT 12`,
    )
    // Near (not on) poor households, on foot for a minute or two: small counts; a wide drive: large ones.
    const requests = [
      ...poor.map((p) => ({ lon: p.lon + 2e-5, lat: p.lat + 2e-5, minutes: [1, 2, 3], mode: 'walk', year: 2016 })),
      { lon: x0 + 0.02, lat: y0 + 0.02, minutes: [5, 15], mode: 'drive', year: 2016 },
    ]
    let suppressed = 0
    let shown = 0
    for (const body of requests) {
      const full = await post(admin, '/api/isochrones', body)
      expect(full.statusCode, full.body).toBe(200)
      const expected = full.json().features.map((f: { properties: { poorHouseholds: number } }) => f.properties.poorHouseholds)
      for (const { dept, s } of viewers) {
        const res = await post(s, '/api/isochrones', body)
        expect(res.statusCode, `${dept}: ${res.body}`).toBe(200)
        expect(leaks(res.json(), secrets), dept).toEqual([])
        const got = res.json().features.map((f: { properties: { poorHouseholds: number | null } }) => f.properties.poorHouseholds)
        expect(got, `${dept} ${JSON.stringify(body)}`).toEqual(expected.map((n: number) => (n >= 1 && n <= 2 ? null : n)))
        suppressed += got.filter((n: number | null) => n === null).length
        shown += got.filter((n: number | null) => n !== null && n >= 3).length
      }
    }
    expect(suppressed).toBeGreaterThan(0)
    expect(shown).toBeGreaterThan(0)
  }, 180_000)

  const sitingBodies: [string, Record<string, unknown>][] = [
    ['water works, people-weighted coverage of those without safe water', waterBody],
    ['one clinic at 5 minutes (villages with 1–2 covered)', { ...waterBody, facility: 'clinic', k: 1, standardMinutes: 5 }],
    ['schools by p-median', { ...waterBody, facility: 'school', gap: false, objective: 'p-median' }],
    ['a grid of candidates', { ...waterBody, candidateSource: 'grid', gridSpacingM: 800 }],
    ['given candidates', { ...waterBody, candidates: [{ lon: x0 + 0.011, lat: y0 + 0.013 }, { lon: x0 + 0.029, lat: y0 + 0.027 }, { lon: x0 + 0.031, lat: y0 + 0.009 }] }],
    ['one village', { ...waterBody, area: FIXTURE.villages[0], k: 1, standardMinutes: 5 }],
  ]
  let smallVillages = 0
  for (const [what, body] of sitingBodies) {
    it(`POST /api/siting, ${what}: aggregates only, villages’ counts of 1–2 null`, async () => {
      const full = await post(admin, '/api/siting', body)
      expect(full.statusCode, full.body).toBe(200)
      const fullVillages = new Map(full.json().villages.map((v: { code: string; total: number; covered: number }) => [v.code, v]))
      for (const { dept, s } of viewers) {
        const res = await post(s, '/api/siting', body)
        expect(res.statusCode, `${dept}: ${res.body}`).toBe(200)
        const ans = res.json()
        expect(leaks(ans, secrets), dept).toEqual([])
        expect(ans.villages.length).toBe(fullVillages.size)
        for (const v of ans.villages as { code: string; total: number | null; covered: number | null }[]) {
          const f = fullVillages.get(v.code) as { total: number; covered: number }
          const small = (n: number) => (n >= 1 && n <= 2 ? null : n)
          expect(v.total).toBe(small(f.total))
          expect(v.covered).toBe(small(f.covered))
          if (v.total === null || v.covered === null) smallVillages++
        }
        expect(ans.covered).toBe(full.json().covered)
      }
    }, 120_000)
  }
  it('some village counts were small enough to be withheld (so the rule above was exercised)', () => {
    expect(smallVillages).toBeGreaterThan(0)
  })

  it('POST /api/siting/road-links (generated and drawn): no household points or records', async () => {
    for (const { dept, s } of viewers) {
      const gen = await post(s, '/api/siting/road-links', { area: FIXTURE.county, year: 2016, maxKm: 5 })
      expect(gen.statusCode, gen.body).toBe(200)
      expect(leaks(gen.json(), secrets), dept).toEqual([])
      const drawn = await post(s, '/api/siting/road-links', {
        area: FIXTURE.county,
        year: 2016,
        links: [{ from: { lon: x0 + 0.002, lat: y0 + 0.003 }, to: { lon: x0 + 0.037, lat: y0 + 0.036 } }],
      })
      expect(drawn.statusCode, drawn.body).toBe(200)
      expect(leaks(drawn.json(), secrets), dept).toEqual([])
    }
  }, 180_000)

  it('scenarios: saved, listed and exported (GeoJSON, XLSX re-read) without household records or points', async () => {
    for (const { dept, s } of viewers) {
      const saved = await post(s, '/api/siting/scenarios', { name: `${dept} 水厂`, request: waterBody })
      expect(saved.statusCode, saved.body).toBe(201)
      expect(leaks(saved.json(), secrets), dept).toEqual([])
      const id = saved.json().id as number
      const list = await s.inject('/api/siting/scenarios')
      expect(list.statusCode).toBe(200)
      expect(list.json().map((x: { id: number }) => x.id)).toContain(id)
      expect(leaks(list.json(), secrets), dept).toEqual([])
      const gj = await s.inject(`/api/siting/scenarios/${id}/export?format=geojson`)
      expect(gj.statusCode).toBe(200)
      expect(leaks(JSON.parse(gj.body), secrets), dept).toEqual([])
      const xl = await s.inject(`/api/siting/scenarios/${id}/export?format=xlsx`)
      expect(xl.statusCode).toBe(200)
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(xl.rawPayload as unknown as ArrayBuffer)
      const sheets: unknown[][][] = []
      wb.eachSheet((ws) => {
        const rows: unknown[][] = []
        ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1)))
        sheets.push(rows)
      })
      expect(sheets.length).toBe(3)
      expect(leaks(sheets, secrets), `${dept} xlsx`).toEqual([])
      // Each site row's lon, lat (columns 2, 3) as a pair too.
      const sitePairs = sheets[0]!.slice(1).filter((r) => typeof r[1] === 'number').map((r) => [r[1], r[2]])
      expect(sitePairs).toHaveLength(2)
      expect(leaks(sitePairs, secrets)).toEqual([])
      // Villages' small counts stay null in the export as in the answer.
      for (const r of sheets[1]!.slice(1)) for (const n of [r[2], r[3]]) expect([1, 2]).not.toContain(n)
    }
  }, 180_000)

  it('accessibility reads (indicator definitions, health status) carry no household records', async () => {
    for (const { dept, s } of viewers) {
      for (const url of ['/api/indicators', '/api/health']) {
        const res = await s.inject(url)
        expect(res.statusCode, `${dept} ${url}`).toBe(200)
        expect(leaks(res.json(), secrets), `${dept} ${url}`).toEqual([])
      }
    }
  })
})
