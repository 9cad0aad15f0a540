import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { loginAs } from '../../helpers/auth.js'

const STATS = `/api/areas/${FIXTURE.county}/stats`

/**
 * Two app instances on one server database stand for two processes behind a load balancer. Each
 * trusts a session it has read (here for a whole minute, so that only the database's notice can
 * explain what the second one does): a sign-out or a disabled account on one must end the session
 * on the other at once.
 */
describe.runIf(process.env.DATABASE_URL)('session changes reach every process (LISTEN/NOTIFY)', () => {
  let t: TestDb
  let a: FastifyInstance
  let b: FastifyInstance
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 5 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    const auth = { sessionSecret: 'a shared secret of the two test processes, 32+ chars', sessionTrustMs: 60_000, loginPerMinute: 100 }
    a = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, auth })
    b = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, auth })
    await Promise.all([a.ready(), b.ready()])
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await t?.dispose()
  })

  /** The other process's answer, polled briefly: a notice arrives after the commit, not with it. */
  const statusOnB = async (cookie: string, want: number) => {
    let status = 0
    for (let i = 0; i < 40; i++) {
      status = (await b.inject({ url: STATS, headers: { cookie } })).statusCode
      if (status === want) break
      await new Promise((r) => setTimeout(r, 25))
    }
    return status
  }

  it('sign-out on one process ends the session on the other', async () => {
    const s = await loginAs(a, t.db, 'county_officer')
    expect((await b.inject({ url: STATS, headers: { cookie: s.cookie } })).statusCode).toBe(200) // now trusted by b
    const out = await s.inject({ method: 'POST', url: '/api/auth/logout', payload: {} })
    expect(out.statusCode).toBeLessThan(300)
    expect(await statusOnB(s.cookie, 401)).toBe(401)
  })

  it('disabling an account on one process ends its sessions on the other', async () => {
    const s = await loginAs(a, t.db, 'county_officer')
    expect((await b.inject({ url: STATS, headers: { cookie: s.cookie } })).statusCode).toBe(200)
    await t.db.query('UPDATE app_user SET disabled = true WHERE id = $1', [s.user.id])
    expect(await statusOnB(s.cookie, 401)).toBe(401)
  })

  it('without a notice the other process keeps trusting its read (the control: the notice is what ends it)', async () => {
    const s = await loginAs(a, t.db, 'county_officer')
    expect((await b.inject({ url: STATS, headers: { cookie: s.cookie } })).statusCode).toBe(200)
    // Ageing the session row is no account change and sends no notice: b still trusts it.
    await t.db.query("UPDATE app_session SET last_seen_at = now() - interval '31 minutes' WHERE user_id = $1", [s.user.id])
    expect((await b.inject({ url: STATS, headers: { cookie: s.cookie } })).statusCode).toBe(200)
  })
})
