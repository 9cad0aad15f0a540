import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'

// The CSV export with the households map layer's filters (the client downloads what the map shows);
// access, masking and scope of the same route are held in tests/server/auth.
describe('households.csv with the map filters', () => {
  let t: TestDb
  let app: FastifyInstance
  let team: TestSession
  const VILLAGE = FIXTURE.villages[0]!

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    team = await loginAs(app, t.db, 'county_officer')
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const csv = async (query: string) => {
    const res = await team.inject(`/api/areas/${VILLAGE}/households.csv?${query}`)
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200)
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\r\n')
    const header = lines[0]!.split(',')
    return lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i]!, v])))
  }
  const count = async (where: string) =>
    Number(
      (
        await t.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM household h JOIN household_year y ON y.household_id = h.id AND y.year = 2018
           WHERE h.village_code = $1 AND ${where}`,
          [VILLAGE],
        )
      ).rows[0]!.n,
    )

  it('status, cause and gap filter the rows as they filter the tiles', async () => {
    const all = await csv('year=2018')
    expect(all.length).toBe(await count('true'))
    const poor = await csv('year=2018&status=poor,returned')
    expect(poor.length).toBe(await count("y.status IN ('poor', 'returned')"))
    expect(poor.length).toBeLessThan(all.length)
    expect(new Set(poor.map((r) => r.status)).size).toBeGreaterThan(0)
    for (const r of poor) expect(['poor', 'returned']).toContain(r.status)
    const ill = await csv('year=2018&cause=illness')
    expect(ill.length).toBe(await count("h.main_cause = 'illness'"))
    for (const r of ill) expect(r.main_cause).toBe('illness')
    // A gap filter keeps the households with any of the gaps named.
    const housing = await csv('year=2018&gap=housing,water')
    expect(housing.length).toBe(await count('(NOT y.housing_ok OR NOT y.water_ok)'))
  })

  it('an unknown filter value is a 400 before any SQL, and the export is audited with its filters', async () => {
    const bad = await team.inject(`/api/areas/${VILLAGE}/households.csv?year=2018&status=rich`)
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toMatch(/status/)
    await csv('year=2018&status=poor&cause=illness')
    const { rows } = await t.db.query<{ detail: Record<string, unknown> }>(
      `SELECT detail FROM audit_log WHERE action = 'export.households' AND actor_username = $1 ORDER BY id DESC LIMIT 1`,
      [team.user.username],
    )
    expect(rows[0]!.detail).toMatchObject({ year: 2018, status: 'poor', cause: 'illness', masked: true })
  })
})
