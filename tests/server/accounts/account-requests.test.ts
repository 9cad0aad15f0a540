/**
 * Four eyes on accounts (issue 14, finding 5). A province administrator may not reveal anything, yet
 * could mint county, township and village accounts that may, auditors, and administrators (who then
 * approve for it), and could disable the auditors who watch it. Creating an account of such a role,
 * and disabling an auditor, is now a request another administrator or an auditor of the area decides;
 * the requester never can. Everything is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { createTestUser, login, loginAs, TEST_PASSWORD, type TestSession, type TestUser } from '../../helpers/auth.js'
import type { Role } from '../../../domain/roles.js'

describe('account requests: four eyes on accounts that may reveal, audit or administer', () => {
  let t: TestDb
  let app: FastifyInstance
  let admin: TestSession
  let otherAdmin: TestSession
  let auditor: TestSession
  let serial = 0

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
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

  const accounts = async (username: string) => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user WHERE username = $1', [username])).rows[0]!.n
  const newUsername = (role: Role) => `new.${role.replace(/_/g, '-')}.${++serial}`
  const asUser = (username: string, password: string, role: Role, scope: string): TestUser => ({ id: 0, username, password, role, scope, totpSecret: null })
  const ask = (s: TestSession, body: Record<string, unknown>) => s.inject({ method: 'POST', url: '/api/users', payload: body })
  const decide = (s: TestSession, id: number, what: 'approve' | 'reject') => s.inject({ method: 'POST', url: `/api/account-requests/${id}/${what}` })
  const audits = async (target: string) =>
    (await t.db.query<{ a: string }>("SELECT actor_username || ' ' || action || ' ' || outcome AS a FROM audit_log WHERE target = $1 ORDER BY id", [target])).rows.map((r) => r.a)

  it('an administrator alone cannot create a county officer, whatever it sends: no account, no sign-in', async () => {
    const username = newUsername('county_officer')
    // Exactly what created the account at once before.
    const res = await ask(admin, { username, displayName: '新县干部', role: 'county_officer', scope: '433124', password: TEST_PASSWORD })
    expect(res.statusCode).not.toBe(201)
    expect(await accounts(username)).toBe(0)
    await expect(login(app, asUser(username, TEST_PASSWORD, 'county_officer', '433124'))).rejects.toThrow(/401/)
  })

  for (const [role, scope, approver] of [
    ['county_officer', '433124', 'admin'],
    ['village_team', '433124110226', 'auditor'],
    ['auditor', '43', 'admin'],
    ['auditor', '4331', 'auditor'],
    ['province_admin', '43', 'auditor'],
  ] as const) {
    it(`a ${role} account is a request (202) until ${approver === 'admin' ? 'another administrator' : 'an auditor'} approves it; the requester cannot`, async () => {
      const username = newUsername(role)
      const res = await ask(admin, { username, displayName: `新 ${role}`, role, scope })
      expect(res.statusCode, res.body).toBe(202)
      const request = res.json()
      expect(request).toMatchObject({ id: expect.any(Number), kind: 'create', state: 'pending', username, role, scope, requestedBy: admin.user.username, decidedBy: null })
      expect(await accounts(username)).toBe(0)
      await expect(login(app, asUser(username, TEST_PASSWORD, role, scope))).rejects.toThrow(/401/)

      // Pending requests are listed for the administrators and auditors of the area.
      for (const s of [admin, otherAdmin, auditor]) {
        const list = await s.inject('/api/account-requests')
        expect(list.statusCode).toBe(200)
        expect(list.json().map((r: { id: number }) => r.id)).toContain(request.id)
      }
      // The requester cannot approve it, however often it tries.
      for (let i = 0; i < 2; i++) {
        const own = await decide(admin, request.id, 'approve')
        expect(own.statusCode).toBe(403)
        expect(own.json()).toEqual({ error: 'Forbidden', message: expect.stringMatching(/own request/) })
      }
      expect(await accounts(username)).toBe(0)

      const approved = await decide(approver === 'admin' ? otherAdmin : auditor, request.id, 'approve')
      expect(approved.statusCode, approved.body).toBe(200)
      const decision = approved.json()
      const decider = (approver === 'admin' ? otherAdmin : auditor).user.username
      expect(decision.request).toMatchObject({ id: request.id, state: 'approved', decidedBy: decider, userId: expect.any(Number) })
      // The initial password is made at approval and shown to the approver alone, once; never stored in clear.
      expect(decision.initialPassword).toMatch(/^.{16,}$/)
      const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM account_request r WHERE to_jsonb(r)::text LIKE '%' || $1 || '%'", [decision.initialPassword])
      expect(rows[0]!.n).toBe(0)
      expect(await accounts(username)).toBe(1)
      const signedIn = await login(app, { ...asUser(username, decision.initialPassword, role, scope), id: decision.request.userId })
      expect((await signedIn.inject('/api/auth/me')).json().user).toMatchObject({ username, role, scope })
      // Decided once: neither approved again nor rejected after.
      expect((await decide(auditor, request.id, 'approve')).statusCode).toBe(409)
      expect((await decide(otherAdmin, request.id, 'reject')).statusCode).toBe(409)
      expect(await audits(username)).toEqual([
        `${admin.user.username} account.request ok`,
        `${admin.user.username} account.approve denied`,
        `${admin.user.username} account.approve denied`,
        `${decider} account.approve ok`,
        `${decider} user.create ok`,
      ])
    })
  }

  it('other roles are created at once, as before', async () => {
    for (const [role, scope, department] of [['leader', '4331', undefined], ['department_viewer', '433124', 'water'], ['prefecture_officer', '4331', undefined]] as const) {
      const username = newUsername(role)
      const res = await ask(admin, { username, displayName: `新 ${role}`, role, scope, password: TEST_PASSWORD, ...(department ? { department } : {}) })
      expect(res.statusCode, res.body).toBe(201)
      expect(await accounts(username)).toBe(1)
    }
    // Without a password they are refused; a request role is refused one (it is made at approval).
    expect((await ask(admin, { username: newUsername('leader'), displayName: '新', role: 'leader', scope: '4331' })).statusCode).toBe(400)
  })

  it('a rejected request creates nothing; the requester may withdraw its own; a taken username is refused', async () => {
    const username = newUsername('township_officer')
    const request = (await ask(admin, { username, displayName: '新乡镇干部', role: 'township_officer', scope: '433124110' })).json()
    // The same username cannot be asked for twice while pending.
    expect((await ask(otherAdmin, { username, displayName: '另一个', role: 'township_officer', scope: '433124110' })).statusCode).toBe(409)
    const rejected = await decide(auditor, request.id, 'reject')
    expect(rejected.statusCode).toBe(200)
    expect(rejected.json()).toEqual({ request: expect.objectContaining({ state: 'rejected', decidedBy: auditor.user.username }) })
    expect((await decide(otherAdmin, request.id, 'approve')).statusCode).toBe(409)
    expect(await accounts(username)).toBe(0)
    const again = (await ask(admin, { username, displayName: '新乡镇干部', role: 'township_officer', scope: '433124110' })).json()
    expect((await decide(admin, again.id, 'reject')).statusCode).toBe(200)
    expect((await admin.inject('/api/account-requests?state=rejected')).json().map((r: { id: number }) => r.id)).toEqual(expect.arrayContaining([request.id, again.id]))
    // A username an account already has.
    const taken = await createTestUser(t.db, 'leader')
    expect((await ask(admin, { username: taken.username, displayName: '重名', role: 'county_officer', scope: '433124' })).statusCode).toBe(409)
  })

  it('only administrators and auditors whose area holds the account see and decide a request', async () => {
    const request = (await ask(admin, { username: newUsername('county_officer'), displayName: '新县干部', role: 'county_officer', scope: '433124' })).json()
    const elsewhere = await loginAs(app, t.db, 'auditor', { scope: '433125' })
    expect((await elsewhere.inject('/api/account-requests')).json().map((r: { id: number }) => r.id)).not.toContain(request.id)
    expect((await decide(elsewhere, request.id, 'approve')).statusCode).toBe(404)
    const county = await loginAs(app, t.db, 'auditor', { scope: '433124' })
    expect((await county.inject('/api/account-requests')).json().map((r: { id: number }) => r.id)).toContain(request.id)
    for (const role of ['county_officer', 'prefecture_officer', 'leader'] as const) {
      const s = await loginAs(app, t.db, role)
      expect((await s.inject('/api/account-requests')).statusCode, role).toBe(403)
      expect((await decide(s, request.id, 'approve')).statusCode, role).toBe(403)
    }
    expect((await decide(county, request.id, 'approve')).statusCode).toBe(200)
  })

  it('nobody disables an auditor alone: the request waits for another administrator or auditor; the auditor itself cannot decide it', async () => {
    const target = await loginAs(app, t.db, 'auditor')
    const res = await admin.inject({ method: 'POST', url: `/api/users/${target.user.id}/disable` })
    expect(res.statusCode, res.body).toBe(202)
    const request = res.json()
    expect(request).toMatchObject({ kind: 'disable', state: 'pending', username: target.user.username, role: 'auditor', userId: target.user.id })
    // Still working.
    expect((await target.inject('/api/audit?limit=1')).statusCode).toBe(200)
    expect((await admin.inject({ method: 'POST', url: `/api/users/${target.user.id}/disable` })).statusCode).toBe(409)
    expect((await decide(admin, request.id, 'approve')).statusCode).toBe(403)
    expect((await decide(target, request.id, 'approve')).statusCode).toBe(403)
    expect((await decide(target, request.id, 'reject')).statusCode).toBe(403)
    expect((await target.inject('/api/audit?limit=1')).statusCode).toBe(200)

    const approved = await decide(auditor, request.id, 'approve')
    expect(approved.statusCode, approved.body).toBe(200)
    expect(approved.json()).toEqual({ request: expect.objectContaining({ state: 'approved', decidedBy: auditor.user.username }) })
    expect((await target.inject('/api/audit?limit=1')).statusCode).toBe(401)
    expect((await t.db.query('SELECT disabled FROM app_user WHERE id = $1', [target.user.id])).rows).toEqual([{ disabled: true }])
    expect(await audits(target.user.username)).toEqual(
      expect.arrayContaining([`${admin.user.username} account.request ok`, `${auditor.user.username} account.approve ok`, `${auditor.user.username} user.disable ok`]),
    )
    // Other accounts are disabled at once, as before; enabling the auditor again is one step too.
    const leader = await createTestUser(t.db, 'leader')
    expect((await admin.inject({ method: 'POST', url: `/api/users/${leader.id}/disable` })).statusCode).toBe(204)
    expect((await admin.inject({ method: 'POST', url: `/api/users/${target.user.id}/enable` })).statusCode).toBe(204)
    expect((await t.db.query('SELECT disabled FROM app_user WHERE id = $1', [target.user.id])).rows).toEqual([{ disabled: false }])
  })

  it('a second administrator also approves the disabling of an auditor', async () => {
    const target = await createTestUser(t.db, 'auditor', { scope: '4331' })
    const request = (await admin.inject({ method: 'POST', url: `/api/users/${target.id}/disable` })).json()
    expect((await decide(otherAdmin, request.id, 'approve')).statusCode).toBe(200)
    await expect(login(app, target)).rejects.toThrow(/401/)
  })

  it('the database holds the same line: no reveal-capable account without an approved request, nobody approves their own', async () => {
    const { rows } = await t.db.query<{ id: number }>(
      "INSERT INTO account_request (kind, username, display_name, role, scope_code, requested_by, requested_by_username) VALUES ('create', 'db.officer', '县', 'county_officer', '433124', $1, $2) RETURNING id",
      [admin.user.id, admin.user.username],
    )
    // Approved by the requester: refused even for the owner.
    await expect(
      t.db.query("UPDATE account_request SET state = 'approved', decided_by = requested_by, decided_by_username = requested_by_username, decided_at = now() WHERE id = $1", [rows[0]!.id]),
    ).rejects.toThrow(/account_request_four_eyes/)
    // The request role has no access to the table at all; the accounts role inserts a county officer only with an approved request.
    const can = async (role: string, p: string) => (await t.db.query<{ ok: boolean }>('SELECT has_table_privilege($1, $2, $3) AS ok', [role, 'account_request', p])).rows[0]!.ok
    for (const p of ['SELECT', 'INSERT', 'UPDATE', 'DELETE']) expect(await can('povmap_app', p), p).toBe(false)
    expect(await can('povmap_auth', 'DELETE')).toBe(false)
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("SELECT set_config('role', 'povmap_auth', true)")
        await tx.query("INSERT INTO app_user (username, display_name, role, scope_code, password_hash) VALUES ('db.direct', '县', 'county_officer', '433124', 'x')")
      }),
    ).rejects.toThrow(/approved account request/)
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("SELECT set_config('role', 'povmap_auth', true)")
        await tx.query("UPDATE app_user SET disabled = true WHERE id = $1", [auditor.user.id])
      }),
    ).rejects.toThrow(/approved account request/)
  })

  it('the routes are in the OpenAPI document', async () => {
    const doc = (await app.inject('/api/docs/json')).json() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }
    expect(Object.keys(doc.paths['/api/account-requests']!)).toEqual(['get'])
    expect(doc.paths['/api/account-requests/{id}/approve']!.post!.responses).toHaveProperty('200')
    expect(doc.paths['/api/account-requests/{id}/reject']!.post!.responses).toHaveProperty('200')
    expect(doc.paths['/api/users']!.post!.responses).toHaveProperty('202')
  })
})
