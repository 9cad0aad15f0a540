import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { DEMO_ACCOUNTS, ensureDemoAccounts, sessionSecret } from '../../../server/auth/demo-accounts.js'
import { TOTP_ROLES } from '../../../domain/roles.js'
import { ROLES } from '../../../domain/roles.js'
import { login } from '../../helpers/auth.js'

describe('demo accounts', () => {
  let t: TestDb
  let app: FastifyInstance
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false })
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('one per role over real areas, created once, with generated passwords and TOTP secrets for roles that see personal data', async () => {
    expect(DEMO_ACCOUNTS.map((a) => a.role).sort()).toEqual([...ROLES].sort())
    expect(DEMO_ACCOUNTS.map((a) => a.scope)).toEqual(expect.arrayContaining(['43', '4331', '433124', '433124110', '433124110226']))
    await expect(ensureDemoAccounts(t.db, { password: 'password1234', totp: 'personal' })).rejects.toThrow(/POVMAP_DEMO_PASSWORD is refused/)
    const created = await ensureDemoAccounts(t.db, { totp: 'personal' })
    expect(created).toHaveLength(DEMO_ACCOUNTS.length)
    expect(new Set(created.map((c) => c.password)).size).toBe(created.length)
    for (const c of created) expect(c.totpSecret !== null, c.username).toBe(TOTP_ROLES.includes(c.role))
    expect(await ensureDemoAccounts(t.db, { totp: 'personal' })).toEqual([])
    // They sign in with what was printed.
    const team = created.find((c) => c.role === 'village_team')!
    const s = await login(app, { id: 0, username: team.username, password: team.password, role: team.role, scope: team.scope, totpSecret: team.totpSecret })
    expect(s.login.json().user).toMatchObject({ role: 'village_team', scope: '433124110226', factor: 'ok' })
  })

  it('the session signing key is generated once and kept', async () => {
    const a = await sessionSecret(t.db, undefined)
    expect(a.length).toBeGreaterThanOrEqual(32)
    expect(await sessionSecret(t.db, undefined)).toBe(a)
    expect(await sessionSecret(t.db, 'x'.repeat(40))).toBe('x'.repeat(40))
  })
})
