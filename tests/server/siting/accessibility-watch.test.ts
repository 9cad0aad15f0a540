import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs } from '../../helpers/auth.js'
import { loadRoadGrid } from './siting-fixture.js'
import { sitingServiceFor } from '../../../server/siting/routes.js'

/** The server keeps the travel times fresh in the background (server.ts starts the watch after listening). */
describe('accessibility in the background', () => {
  let t: TestDb
  let app: FastifyInstance
  const health = async () => (await app.inject('/api/health')).json().accessibility
  const until = async (what: () => Promise<boolean>) => {
    for (let i = 0; i < 600 && !(await what()); i++) await new Promise((r) => setTimeout(r, 100))
    expect(await what()).toBe(true)
  }

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 40 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    await loadRoadGrid(t.db)
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
  }, 300_000)
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('computes after start, shows its progress in /api/health, joins requests to it, and recomputes when roads change', async () => {
    const service = sitingServiceFor(t.db)!
    expect(await health()).toMatchObject({ state: 'none', computedAt: null })
    const seen = new Set<string>()
    const done: number[] = []
    const errors: unknown[] = []
    let full = 0
    const compute = service.computeAccessibility.bind(service)
    service.computeAccessibility = (p) => (full++, compute(p))
    service.watch(200, { done: (r) => done.push(r.households), error: (e) => errors.push(e) })
    // A siting request meanwhile waits for the computation under way instead of starting its own.
    const officer = await loginAs(app, t.db, 'county_officer')
    const siting = officer.inject({ method: 'POST', url: '/api/siting', payload: { area: '433124', facility: 'water', k: 1, standardMinutes: 10, objective: 'coverage', year: 2016 } })
    await until(async () => {
      const h = await health()
      seen.add(h.state)
      return h.state === 'fresh'
    })
    expect((await siting).statusCode).toBe(200)
    expect(seen.has('computing') || seen.has('none')).toBe(true)
    const [{ n }] = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM household')).rows as [{ n: number }]
    const first = await health()
    expect(first).toMatchObject({ state: 'fresh', households: n, lastFailedAt: null })
    expect(full).toBe(1)
    expect(done).toEqual([n])
    // A road changes: the next check recomputes everything, without a request asking.
    await t.db.query("UPDATE road SET class = 'national' WHERE id = 3")
    await until(async () => (await health()).computedAt !== first.computedAt && (await health()).state === 'fresh')
    expect(full).toBe(2)
    expect(errors).toEqual([])
    const [{ school }] = (await t.db.query<{ school: number }>('SELECT count(school_min)::int AS school FROM household_access')).rows as [{ school: number }]
    expect(school).toBe(n)
  })
})
