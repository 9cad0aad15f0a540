import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'

describe('areas API', () => {
  let t: TestDb
  let app: FastifyInstance
  // The areas API needs a session (issue 6): these tests read as the province administrator (scope 43),
  // who sees every division; per-role scoping is tested in tests/server/auth/.
  let admin: TestSession
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    admin = await loginAs(app, t.db, 'province_admin')
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('GET /api/areas/{code} describes a division with centroid inside and bbox around it', async () => {
    const res = await admin.inject(`/api/areas/${FIXTURE.villages[0]}`)
    expect(res.statusCode).toBe(200)
    const [x0, y0] = FIXTURE.origin
    expect(res.json()).toEqual({
      code: FIXTURE.villages[0], name: '十八洞村', level: 'village', parentCode: FIXTURE.townships[0],
      centroid: [expect.closeTo(x0 + FIXTURE.cell / 2, 6), expect.closeTo(y0 + FIXTURE.cell / 2, 6)],
      bbox: [x0, y0, x0 + FIXTURE.cell, y0 + FIXTURE.cell],
    })
    expect((await admin.inject('/api/areas/43')).json()).toMatchObject({ code: '43', level: 'province', parentCode: null })
  })

  it('children are the divisions one level down, in code order', async () => {
    const res = await admin.inject(`/api/areas/${FIXTURE.county}/children`)
    expect(res.json().map((a: { code: string }) => a.code)).toEqual(FIXTURE.townships)
    expect(res.json().every((a: { level: string }) => a.level === 'township')).toBe(true)
    expect((await admin.inject(`/api/areas/${FIXTURE.villages[0]}/children`)).json()).toEqual([])
  })

  it('stats equal what SQL counts in the registry itself, for every level and year', async () => {
    for (const code of ['43', '4331', FIXTURE.county, FIXTURE.townships[1]!, FIXTURE.villages[2]!]) {
      for (const year of [2014, 2017, 2020]) {
        const res = await admin.inject(`/api/areas/${code}/stats?year=${year}`)
        expect(res.statusCode).toBe(200)
        const { rows } = await t.db.query<Record<string, number>>(
          `SELECT count(*)::int AS households, sum(h.size)::int AS people,
             (count(*) FILTER (WHERE y.status IN ('poor', 'returned')))::int AS "poorHouseholds",
             COALESCE(sum(h.size) FILTER (WHERE y.status IN ('poor', 'returned')), 0)::int AS "poorPeople",
             (count(*) FILTER (WHERE y.status = 'lifted'))::int AS "liftedHouseholds",
             (count(*) FILTER (WHERE y.status = 'returned'))::int AS "returnedHouseholds"
           FROM household h JOIN household_year y ON y.household_id = h.id
           WHERE h.village_code LIKE $1 || '%' AND y.year = $2`,
          [code, year],
        )
        const { rows: pop } = await t.db.query<{ p: number }>('SELECT rural_population AS p FROM admin_area WHERE code = $1', [code])
        expect(res.json(), `${code} ${year}`).toEqual({ code, year, ...rows[0], incidence: rows[0]!.poorPeople! / pop[0]!.p })
      }
    }
  })

  it('search finds 十八洞村 first with its full path, and matches code prefixes', async () => {
    const res = await admin.inject(`/api/search?q=${encodeURIComponent('十八洞')}`)
    expect(res.json()[0]).toEqual({ code: FIXTURE.villages[0], name: '十八洞村', level: 'village', path: '湖南省/湘西土家族苗族自治州/花垣县/双龙镇/十八洞村' })
    const byCode = (await admin.inject('/api/search?q=4331241')).json()
    expect(byCode.length).toBeGreaterThan(0)
    expect(byCode.every((h: { code: string }) => h.code.startsWith('4331241'))).toBe(true)
    expect((await admin.inject('/api/search?q=%25')).json()).toEqual([])
  })

  it('bad input is a 400 and unknown codes a 404, as JSON', async () => {
    for (const url of ['/api/areas/4', '/api/areas/43a', '/api/areas/4331241102260', '/api/areas/43/stats?year=2013', '/api/areas/43/stats?year=x', '/api/areas/43/stats?foo=1', '/api/search?q=', `/api/search?q=${'x'.repeat(51)}`]) {
      const res = await admin.inject(url)
      expect(res.statusCode, url).toBe(400)
      expect(res.json(), url).toEqual({ error: 'Bad Request', message: expect.any(String) })
    }
    for (const url of ['/api/areas/4399', '/api/areas/4399/children', '/api/areas/4399/stats']) {
      const res = await admin.inject(url)
      expect(res.statusCode, url).toBe(404)
    }
  })
})
