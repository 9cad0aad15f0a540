import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { randomUUID } from 'node:crypto'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../../helpers/auth.js'
import { FIXTURE } from '../../helpers/fixture-dataset.js'
import { reportDataset } from './report-dataset.js'
import { csvText, householdRows, idOf, pointIn, type HouseholdRow } from './import-fixtures.js'

/** Enough households that planning and running take seconds, so that a cancel lands half-way. */
const HOUSEHOLDS = 6000
/** Past planning (0–40 %), inside the run's transaction (staging: 40–70 %). */
const HALF = 45

/** What an import could write, as counts and digests of the tables. */
const TABLES = `SELECT (SELECT count(*) FROM household)::int AS households, (SELECT count(*) FROM member)::int AS members,
  (SELECT count(*) FROM household_year)::int AS years, (SELECT count(*) FROM change_request)::int AS requests,
  (SELECT count(*) FROM change_request_step)::int AS steps, (SELECT count(*) FROM household_history)::int AS history,
  (SELECT count(*) FROM import_batch)::int AS batches,
  (SELECT md5(string_agg(concat_ws('|', area_code, year, status, main_cause, gaps, households, people), ',' ORDER BY area_code, year, status, main_cause, gaps)) FROM household_agg) AS aggregates`

describe('imports: cancel through the API', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, reportDataset(), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    admin = await loginAs(app, t.db, 'province_admin')
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('a large real import cancelled half-way answers 409 and leaves every table as it was', async () => {
    const households: HouseholdRow[] = Array.from({ length: HOUSEHOLDS }, (_v, n) => ({
      village: FIXTURE.villages[n % 4]!,
      at: pointIn(n % 4, 0.001 + (n % 17) * 0.001, 0.001 + (n % 19) * 0.0009),
      members: Array.from({ length: 1 + (n % 2) }, (_m, i) => ({
        name: `龙${n}-${i}`,
        sex: i === 1 ? ('F' as const) : ('M' as const),
        id: idOf(i, i === 1 ? 'F' : 'M', '433124', new Date(Date.UTC(1950, 0, 1) + n * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '')),
        relation: ['户主', '配偶'][i]!,
      })),
    }))
    const file = Buffer.from(csvText(householdRows(households)), 'utf8')
    const before = (await t.db.query(TABLES)).rows[0]
    const job = randomUUID()
    const started = Date.now()
    const running = admin.inject({ method: 'POST', url: `/api/imports?dryRun=false&job=${job}`, payload: file, headers: { 'content-type': 'text/csv' } })
    // Half-way: once the job has made progress but is not done.
    let seen = { percent: 0, state: 'unknown' }
    while (Date.now() - started < 120_000) {
      seen = (await admin.inject(`/api/imports/progress?job=${job}`)).json()
      if (seen.state !== 'running' && seen.state !== 'unknown') break
      if (seen.percent >= HALF) break
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(seen.state).toBe('running')
    expect(seen.percent).toBeGreaterThanOrEqual(HALF)
    expect(seen.percent).toBeLessThan(100)
    const cancel = await admin.inject({ method: 'POST', url: `/api/imports/cancel?job=${job}` })
    expect(cancel.statusCode, cancel.body).toBe(200)
    expect(cancel.json()).toMatchObject({ job, state: 'running' })
    const res = await running
    expect(res.statusCode, res.body.slice(0, 300)).toBe(409)
    expect(res.json()).toEqual({ error: 'Conflict', message: 'the import was cancelled: nothing was written' })
    expect((await admin.inject(`/api/imports/progress?job=${job}`)).json()).toMatchObject({ job, state: 'cancelled' })
    expect((await t.db.query(TABLES)).rows[0]).toEqual(before)
    // A job id nobody runs cannot be cancelled.
    expect((await admin.inject({ method: 'POST', url: `/api/imports/cancel?job=${randomUUID()}` })).statusCode).toBe(404)
  }, 180_000)
})
