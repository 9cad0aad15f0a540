import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp, loggerOptions } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { createTestUser, login, loginAs, TEST_PASSWORD } from '../../helpers/auth.js'
import { holdsPersonal } from '../../../domain/masking.js'

/**
 * The app logs with the production logger settings into memory while requests that carry ID
 * numbers, phones, passwords and cookies go through it; not one of them may reach a log line.
 */
describe('logs', () => {
  let t: TestDb
  let app: FastifyInstance
  const lines: string[] = []
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 10 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, logger: loggerOptions('debug', { write: (l) => lines.push(l) }) })
    // Routes that fail or log the way careless code would.
    app.get('/api/test-leaky-error', { config: { access: 'public' } }, async () => {
      throw new Error('duplicate key value violates unique constraint "member_id_number_key": Key (id_number)=(43312419800101001X), phone 13812345678')
    })
    app.get('/api/test-leaky-log', { config: { access: 'public' } }, async (req) => {
      req.log.info({ headers: req.headers, member: { idNumber: '430124200012319999', phone: '+86 139 1234 5678'.replace(/ /g, '') } }, 'visited 13912345678')
      return { ok: true }
    })
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('hold no ID number, phone, cookie, CSRF token or password after a session of real use', async () => {
    const officer = await loginAs(app, t.db, 'township_officer')
    const secrets = [officer.cookie.split('=')[1]!.split('.')[0]!, officer.csrfToken, TEST_PASSWORD]
    const user = await createTestUser(t.db, 'leader')
    await login(app, { ...user, password: 'wrong-password-13812345678' }).catch(() => undefined)
    const { rows } = await t.db.query<{ ref: string }>('SELECT ref::text AS ref FROM household WHERE village_code = $1 LIMIT 1', [FIXTURE.villages[0]])
    const ref = rows[0]!.ref
    const requests = [
      '/api/search?q=43312419800101001X',
      '/api/search?q=13812345678',
      `/api/households/${ref}/members`,
      `/api/areas/${FIXTURE.townships[0]}/households.csv`,
      '/api/no-such-route/13812345678/43312419800101001X',
      '/api/areas/43312419800101001X/stats',
      '/api/test-leaky-error',
      '/api/test-leaky-log',
      `/tiles/households/14/13367/6827.mvt`,
    ]
    for (const url of requests) await officer.inject({ url, headers: { authorization: 'Bearer 13812345678' } })
    const reveal = await officer.inject({ method: 'POST', url: `/api/households/${ref}/members/reveal`, payload: { reason: 'call 13812345678 about 43312419800101001X' } })
    expect(reveal.json().members[0].idNumber).toBe('43312419800101001X')
    await officer.inject({ method: 'POST', url: '/api/auth/password', payload: { current: TEST_PASSWORD, next: 'Another-good-pass-2025' } })
    await officer.inject({ method: 'POST', url: '/api/auth/logout' })

    const log = lines.join('')
    expect(lines.length).toBeGreaterThan(25)
    // The requests were logged (masked), so the check below is not vacuous.
    expect(log).toContain('/api/search?q=433124**********1X')
    expect(log).toContain('138****5678')
    expect(log).toContain('duplicate key value')
    expect(holdsPersonal(log)).toBe(false)
    expect(log).not.toMatch(/povmap_sid=|"cookie":"[^[]|"authorization":"[^[]|Another-good-pass|wrong-password/)
    for (const s of secrets) expect(log).not.toContain(s)
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow()
    // Nor does the audit log (the reason for the reveal held both).
    const { rows: audit } = await t.db.query<{ all: string }>("SELECT string_agg(concat_ws(' ', actor_username, target, detail::text, user_agent), ' | ') AS all FROM audit_log")
    expect(audit[0]!.all).toContain('call 138****5678 about 433124**********1X')
    expect(holdsPersonal(audit[0]!.all)).toBe(false)
  })
})
