import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { ASSURANCE_GAPS, POVERTY_LINE } from '../../../domain/codes.js'
import { countingDb } from '../../helpers/counting-db.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'

// The popup of one household (GET /api/households/{ref}); members, reveal and the CSV export are held
// to the access rules in tests/server/auth (route inventory, scope fuzz, logs).
describe('households API', () => {
  let t: TestDb
  let app: FastifyInstance
  let counter: ReturnType<typeof countingDb>
  let admin: TestSession
  const get = async (url: string) => {
    const res = await admin.inject(url)
    expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(200)
    return res.json()
  }
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.db.query<R>(text, params)).rows

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    counter = countingDb(t.db)
    app = await buildApp({ dataDir: t.location, db: counter.db, serveClient: false })
    admin = await loginAs(app, t.db, 'province_admin')
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('a household for the popup: its fields as stored, and never a name, ID number or phone', async () => {
    const [h] = await sql<Record<string, unknown>>(
      `SELECT h.*, y.status, y.income_per_capita, y.food_clothing_ok, y.education_ok, y.medical_ok, y.housing_ok, y.water_ok
       FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = 2015
       WHERE y.status = 'poor' AND NOT y.water_ok ORDER BY h.id LIMIT 1`,
    )
    const body = await get(`/api/households/${h!.ref}?year=2015`)
    expect(body).toMatchObject({
      id: h!.id, ref: h!.ref, villageCode: h!.village_code, year: 2015, status: 'poor', size: h!.size, attribute: h!.attribute, mainCause: h!.main_cause,
      otherCauses: h!.other_causes, incomePerCapita: h!.income_per_capita, povertyLine: POVERTY_LINE[2015],
      housing: { safety: h!.housing_safety, structure: h!.housing_structure, areaM2: h!.housing_area_m2, relocated: h!.relocated },
      water: { source: h!.water_source, difficulty: h!.water_difficulty }, roadHardened: h!.road_hardened,
    })
    for (const g of ASSURANCE_GAPS) expect(body.assurance[g]).toBe(h![`${g}_ok`])
    expect(body.gaps).toContain('water')
    expect(body.gaps).toEqual(ASSURANCE_GAPS.filter((g) => !h![`${g}_ok`]))
    const history = await sql('SELECT year, status FROM household_year WHERE household_id = $1 ORDER BY year', [h!.id])
    expect(body.history).toEqual(history)
    expect(body.members).toMatchObject({ count: 1, labour: 1, ill: 1, disabled: 0 })
    const members = await sql<{ name: string; id_number: string }>('SELECT name, id_number FROM member WHERE household_id = $1', [h!.id])
    for (const secret of [h!.phone as string, members[0]!.name, members[0]!.id_number]) expect(JSON.stringify(body)).not.toContain(secret)
    expect(Object.keys(body)).not.toContain('phone')
    // Village projects up to the year are the measures it shares; in 2015 the village had none yet.
    const inVillage0 = await sql<{ ref: string }>('SELECT ref::text AS ref FROM household WHERE village_code = $1 ORDER BY id LIMIT 1', [FIXTURE.villages[0]])
    const later = await get(`/api/households/${inVillage0[0]!.ref}?year=2020`)
    expect(later.measures.projects.map((p: { id: number }) => p.id)).toEqual([1, 2])
    expect((await get(`/api/households/${inVillage0[0]!.ref}?year=2015`)).measures.projects).toEqual([])
  })

  it('bad input is a 400 before any SQL, an unknown household a 404', async () => {
    for (const url of [
      '/api/households/abc',
      '/api/households/-1',
      '/api/households/1',
      `/api/households/${2 ** 48 + 12345}`,
      '/api/households/00000000-0000-4000-8000-000000000000?year=2021',
    ]) {
      const before = counter.count()
      const res = await admin.inject(url)
      expect(res.statusCode, url).toBe(400)
      expect(res.json(), url).toEqual({ error: 'Bad Request', message: expect.any(String) })
      expect(counter.count(), url).toBe(before)
    }
    const res = await admin.inject('/api/households/00000000-0000-4000-8000-000000000000')
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ error: 'Not Found', message: expect.any(String) })
  })

  it('the OpenAPI document lists the household routes', async () => {
    const doc = await get('/api/docs/json')
    for (const p of ['/api/households/{id}', '/api/households/{id}/members', '/api/households/{id}/members/reveal', '/api/areas/{code}/households.csv']) {
      expect(Object.keys(doc.paths)).toContain(p)
    }
  })
})
