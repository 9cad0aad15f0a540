import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Fastify, { type FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app.js'
import errorsPlugin from '../../server/plugins/errors.js'
import { ErrorBody } from '../../domain/schemas/common.js'
import { DbError, DbUnavailableError } from '../../server/db/types.js'
import { openTestDb, type TestDb } from '../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../helpers/fixture-dataset.js'
import { loadDataset } from '../../geodata/load/load-dataset.js'
import { loginAs, type TestSession } from '../helpers/auth.js'

/**
 * Issue 14, finding 10: a number out of range in a query is a 400, never a 500. "1e309" is coerced to
 * Infinity, which ajv's minimum/maximum do not check (they apply to finite numbers only), so it used to
 * reach the SQL as 'Infinity' and fail there (22P02).
 */
describe('numbers out of range', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  let ref: string
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 10 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
    admin = await loginAs(app, t.db, 'province_admin')
    ref = (await t.db.query<{ ref: string }>('SELECT ref::text AS ref FROM household ORDER BY id LIMIT 1')).rows[0]!.ref
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const code = FIXTURE.county
  const urls = (v: string) => [
    `/api/areas/${code}/stats?year=${v}`,
    `/api/areas/${code}/indicators?year=${v}`,
    `/api/areas/${code}/children/indicator?indicator=dist_school_km&year=${v}`,
    `/api/areas/${code}/diagnosis?year=${v}`,
    `/api/areas/${code}/projects?limit=${v}`,
    `/api/search?q=${encodeURIComponent('花垣')}&limit=${v}`,
    `/api/areas/${code}/households.csv?year=${v}`,
    `/api/inspection?parent=${code}&indicator=dist_school_km&year=${v}`,
    `/api/households/${ref}?year=${v}`,
    `/api/audit?limit=${v}`,
    `/api/audit?before=${v}`,
  ]

  it.each(['1e309', '-1e309', '99999999999999999999', '-99999999999999999999', '1.5', 'NaN', '-0', '1e3', ''])('%j in a numeric parameter is a 400 on every route', async (v) => {
    for (const url of urls(v)) {
      // The auditor reads the audit log; everyone else is the province administrator.
      const res = await admin.inject(url)
      expect([400, 403], `${url}: ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode)
      if (!url.startsWith('/api/audit')) expect(res.statusCode, url).toBe(400)
      expect(res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) })
    }
  })

  it('the audit log refuses the same values from an auditor', async () => {
    const auditor = await loginAs(app, t.db, 'auditor')
    for (const v of ['1e309', '-1e309', '99999999999999999999', '1.5']) {
      for (const url of [`/api/audit?limit=${v}`, `/api/audit?before=${v}`]) {
        const res = await auditor.inject(url)
        expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(400)
      }
    }
    expect((await auditor.inject('/api/audit?before=9007199254740991')).statusCode).toBe(200)
  })

  it('the largest and smallest values the schemas allow still answer 200', async () => {
    for (const url of [`/api/areas/${code}/stats?year=2014`, `/api/areas/${code}/projects?limit=500`, `/api/search?q=x&limit=50`, `/api/areas/${code}/diagnosis?year=2020`]) {
      expect((await admin.inject(url)).statusCode, url).toBe(200)
    }
  })

  it('every numeric request parameter in the OpenAPI document has finite bounds', async () => {
    const doc = (await app.inject('/api/docs/json')).json() as { paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema: Record<string, unknown> }[] }>> }
    const unbounded: string[] = []
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const p of op.parameters ?? []) {
          const s = p.schema
          if ((s.type === 'integer' || s.type === 'number') && !(Number.isFinite(s.minimum) && Number.isFinite(s.maximum))) {
            unbounded.push(`${method.toUpperCase()} ${path} ${p.in} ${p.name}`)
          }
        }
      }
    }
    expect(unbounded).toEqual([])
  })
})

/** The database's data exceptions (SQLSTATE class 22: a value out of range or malformed) are the request's fault: 400. */
describe('error handler: database errors', () => {
  let app: FastifyInstance
  beforeAll(async () => {
    app = Fastify()
    app.addSchema(ErrorBody)
    await app.register(errorsPlugin)
    app.get<{ Params: { code: string } }>('/pg/:code', { schema: { response: { 400: { $ref: 'ErrorBody#' } } } }, async (req) => {
      // As the pg driver's error arrives: a DbError with the SQLSTATE, the driver's error as cause.
      const cause = Object.assign(new Error(`driver text: SELECT secret FROM t WHERE x = 'Infinity'`), { code: req.params.code, severity: 'ERROR' })
      throw new DbError(`query failed: ${cause.message}`, { cause, code: req.params.code })
    })
    app.get('/down', async () => {
      throw new DbUnavailableError('database unavailable (connect): ECONNREFUSED', { code: 'ECONNREFUSED' })
    })
    await app.ready()
  })
  afterAll(async () => app?.close())

  it.each(['22003', '22P02', '22008', '22007', '22012', '2201W', '2201X', '22001', '22023'])('%s is a 400 without the driver text', async (sqlstate) => {
    const res = await app.inject(`/pg/${sqlstate}`)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ error: 'Bad Request', message: expect.any(String), code: 'invalid_value' })
    expect(res.body).not.toMatch(/secret|driver|Infinity|SELECT/)
  })

  it.each(['42P01', '23505', '40001', '57014', 'XX000'])('%s stays a 500 that hides the text', async (sqlstate) => {
    const res = await app.inject(`/pg/${sqlstate}`)
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({ error: 'Internal Server Error', message: 'internal error' })
  })

  it('an unreachable database is a 503 with a code the client can tell from overload', async () => {
    const res = await app.inject('/down')
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({ error: 'Service Unavailable', message: expect.any(String), code: 'db_unavailable' })
  })
})
