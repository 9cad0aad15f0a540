/**
 * Resetting a lost second factor (issue 16): the province administrator ends the account's sessions and
 * clears its factor, so that its next sign-in enrols again; never its own; audited. For an account that
 * may reveal, audit or administer it is a request a second person approves (four eyes, as for creating
 * such an account), and the database refuses the reset otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { createTestUser, login, loginAs, mergeCookies, type TestSession, type TestUser } from '../../helpers/auth.js'
import { totpNow } from '../../../server/auth/totp.js'
import { withAccounts } from '../../../server/db/caller-transactions.js'
import type { Role } from '../../../domain/roles.js'
import { fixtureDataset } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'

describe('resetting a lost second factor', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  let otherAdmin: TestSession
  let auditor: TestSession

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    // A few households: the data routes an account uses before and after its reset answer 200.
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 3 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, auth: { loginPerMinute: 1000 } })
    await app.ready()
    admin = await loginAs(app, t.db, 'province_admin')
    otherAdmin = await loginAs(app, t.db, 'province_admin')
    auditor = await loginAs(app, t.db, 'auditor')
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const reset = (s: TestSession, id: number) => s.inject({ method: 'POST', url: `/api/users/${id}/totp/reset` })
  const factor = async (id: number) =>
    (await t.db.query<{ enabled: boolean; secret: string | null; sessions: number }>(
      'SELECT totp_enabled AS enabled, totp_secret AS secret, (SELECT count(*)::int FROM app_session s WHERE s.user_id = u.id) AS sessions FROM app_user u WHERE id = $1',
      [id],
    )).rows[0]!
  const audits = async (target: string) =>
    (await t.db.query<{ a: string }>("SELECT actor_username || ' ' || action || ' ' || outcome AS a FROM audit_log WHERE (target = $1 AND action NOT IN ('login', 'logout')) OR (actor_username = $1 AND action LIKE 'totp.%') ORDER BY id", [target])).rows.map((r) => r.a)
  /** A signed-in account of this role with a second factor, and a data request that works for it. */
  const holder = async (role: Role) => {
    const s = await loginAs(app, t.db, role)
    expect((await s.inject(`/api/areas/${s.user.scope}`)).statusCode).toBe(200)
    return s
  }
  /** Signs in with the password alone, enrols a new factor and shows the data answers again. */
  const enrolsAgain = async (user: TestUser) => {
    const s = await login(app, { ...user, totpSecret: null })
    expect(s.login.json().user.factor).toBe('enrol')
    expect((await s.inject(`/api/areas/${user.scope}`)).statusCode).toBe(403)
    const enrol = await s.inject({ method: 'POST', url: '/api/auth/totp/enrol' })
    expect(enrol.statusCode).toBe(200)
    const cookie = mergeCookies(s.cookie, enrol)
    const ok = await app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: { cookie, 'x-csrf-token': s.csrfToken }, payload: { code: await totpNow(enrol.json().secret) } })
    expect(ok.statusCode).toBe(200)
    const after = await app.inject({ url: `/api/areas/${user.scope}`, headers: { cookie: mergeCookies(cookie, ok), 'x-csrf-token': ok.json().csrfToken ?? s.csrfToken } })
    expect(after.statusCode).toBe(200)
  }

  it('an account of a role that cannot reveal: reset at once, its sessions end, its next sign-in enrols again; audited', async () => {
    const h = await holder('prefecture_officer')
    expect(await factor(h.user.id)).toMatchObject({ enabled: true })
    const res = await reset(admin, h.user.id)
    expect(res.statusCode, res.body).toBe(204)
    expect(await factor(h.user.id)).toEqual({ enabled: false, secret: null, sessions: 0 })
    expect((await h.inject(`/api/areas/${h.user.scope}`)).statusCode).toBe(401)
    // The old factor opens nothing: the sign-in now asks for an enrolment whatever code comes with it.
    await enrolsAgain(h.user)
    expect(await audits(h.user.username)).toEqual([`${admin.user.username} user.totp_reset ok`, `${h.user.username} totp.enrol ok`, `${h.user.username} totp.confirm ok`])
  })

  it('never one’s own (400, audited); an account without a factor 409; an unknown one 404; only administrators', async () => {
    const res = await reset(admin, admin.user.id)
    expect(res.statusCode).toBe(400)
    expect(await factor(admin.user.id)).toMatchObject({ enabled: true })
    expect(await audits(admin.user.username)).toContain(`${admin.user.username} user.totp_reset denied`)
    const plain = await createTestUser(t.db, 'leader', { totp: false })
    expect((await reset(admin, plain.id)).statusCode).toBe(409)
    expect((await reset(admin, 999_999)).statusCode).toBe(404)
    const county = await loginAs(app, t.db, 'county_officer')
    const target = await createTestUser(t.db, 'prefecture_officer')
    for (const s of [county, auditor]) expect((await reset(s, target.id)).statusCode).toBe(403)
    expect(await factor(target.id)).toMatchObject({ enabled: true })
    const anon = await app.inject({ method: 'POST', url: `/api/users/${target.id}/totp/reset` })
    expect([401, 403]).toContain(anon.statusCode)
  })

  for (const [role, approver] of [['county_officer', 'otherAdmin'], ['village_team', 'auditor'], ['province_admin', 'auditor']] as const) {
    it(`a ${role}: a request (202) until ${approver === 'auditor' ? 'an auditor' : 'another administrator'} approves it; the requester cannot`, async () => {
      const h = await holder(role)
      const res = await reset(admin, h.user.id)
      expect(res.statusCode, res.body).toBe(202)
      const request = res.json()
      expect(request).toMatchObject({ kind: 'totp_reset', state: 'pending', username: h.user.username, userId: h.user.id, requestedBy: admin.user.username })
      // Nothing happened yet: the factor and the sessions stay.
      expect(await factor(h.user.id)).toMatchObject({ enabled: true, sessions: 1 })
      expect((await h.inject(`/api/areas/${h.user.scope}`)).statusCode).toBe(200)
      expect((await reset(admin, h.user.id)).statusCode).toBe(409)
      const listed = await auditor.inject('/api/account-requests?state=pending')
      expect(listed.json().map((r: { id: number }) => r.id)).toContain(request.id)
      expect((await admin.inject({ method: 'POST', url: `/api/account-requests/${request.id}/approve` })).statusCode).toBe(403)
      const by = approver === 'auditor' ? auditor : otherAdmin
      const approved = await by.inject({ method: 'POST', url: `/api/account-requests/${request.id}/approve` })
      expect(approved.statusCode, approved.body).toBe(200)
      expect(approved.json().request).toMatchObject({ state: 'approved', decidedBy: by.user.username })
      expect(approved.json().initialPassword).toBeUndefined()
      expect(await factor(h.user.id)).toEqual({ enabled: false, secret: null, sessions: 0 })
      await enrolsAgain(h.user)
      expect(await audits(h.user.username)).toEqual([
        `${admin.user.username} account.request ok`,
        `${admin.user.username} account.approve denied`,
        `${by.user.username} account.approve ok`,
        `${by.user.username} user.totp_reset ok`,
        `${h.user.username} totp.enrol ok`,
        `${h.user.username} totp.confirm ok`,
      ])
    })
  }

  it('the holder of the account decides nothing about its own reset; a rejected request changes nothing', async () => {
    const target = await loginAs(app, t.db, 'auditor')
    const res = await reset(admin, target.user.id)
    expect(res.statusCode).toBe(202)
    const id = res.json().id as number
    expect((await target.inject({ method: 'POST', url: `/api/account-requests/${id}/approve` })).statusCode).toBe(403)
    expect((await target.inject({ method: 'POST', url: `/api/account-requests/${id}/reject` })).statusCode).toBe(403)
    const rejected = await otherAdmin.inject({ method: 'POST', url: `/api/account-requests/${id}/reject` })
    expect(rejected.json().request).toMatchObject({ state: 'rejected' })
    expect(await factor(target.user.id)).toMatchObject({ enabled: true, sessions: 1 })
  })

  it('the database holds the same line: the accounts role clears such a factor only with an approved request', async () => {
    const target = await createTestUser(t.db, 'township_officer')
    await expect(withAccounts(t.db, (tx) => tx.query('UPDATE app_user SET totp_enabled = false, totp_secret = NULL WHERE id = $1', [target.id]))).rejects.toThrow(/four eyes/)
    expect(await factor(target.id)).toMatchObject({ enabled: true })
    // Of a role that cannot reveal, it may.
    const other = await createTestUser(t.db, 'prefecture_officer')
    await withAccounts(t.db, (tx) => tx.query('UPDATE app_user SET totp_enabled = false, totp_secret = NULL WHERE id = $1', [other.id]))
    expect(await factor(other.id)).toMatchObject({ enabled: false })
  })
})
