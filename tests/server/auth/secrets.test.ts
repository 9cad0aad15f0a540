import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, TMP_ROOT, type TestDb } from '../../helpers/test-db.js'
import { createTestUser, login, mergeCookies, TEST_TOTP_SECRET } from '../../helpers/auth.js'
import { isSealed, loadSecretKey, seal, secretKey, secretKeyFrom, SecretKeyError, unseal } from '../../../server/auth/secret-box.js'
import { sealClearTotpSecrets } from '../../../server/auth/users.js'
import { totpNow } from '../../../server/auth/totp.js'
import { ConfigError, loadConfig } from '../../../server/infra/config.js'

describe('secret-box', () => {
  let dir: string
  beforeAll(() => {
    mkdirSync(TMP_ROOT, { recursive: true })
    dir = mkdtempSync(join(TMP_ROOT, 'keys-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('seal/unseal: AES-256-GCM bound to its context and key; any change is refused', () => {
    const k = secretKeyFrom(randomBytes(32))
    const sealed = seal(TEST_TOTP_SECRET, 'app_user.totp_secret:7', k)
    expect(isSealed(sealed)).toBe(true)
    expect(sealed).not.toContain(TEST_TOTP_SECRET)
    expect(sealed.startsWith(`v1.${k.id}.`)).toBe(true)
    expect(unseal(sealed, 'app_user.totp_secret:7', k)).toBe(TEST_TOTP_SECRET)
    // Two seals of one value differ (random IV).
    expect(seal(TEST_TOTP_SECRET, 'app_user.totp_secret:7', k)).not.toBe(sealed)
    expect(() => unseal(sealed, 'app_user.totp_secret:8', k)).toThrow(/another record/)
    expect(() => unseal(sealed, 'app_user.totp_secret:7', secretKeyFrom(randomBytes(32)))).toThrow(/another key/)
    const raw = Buffer.from(sealed.split('.')[2]!, 'base64url')
    raw[raw.length - 1]! ^= 1
    expect(() => unseal(`v1.${k.id}.${raw.toString('base64url')}`, 'app_user.totp_secret:7', k)).toThrow(SecretKeyError)
    expect(() => unseal(TEST_TOTP_SECRET, 'x', k)).toThrow(/not a sealed value/)
  })

  it('the key: POVMAP_SECRET_KEY, or DATA_DIR/secret.key created once with mode 0600 and refused when others can read it', () => {
    const env = randomBytes(32)
    expect(loadSecretKey({ fromEnv: env, dataDir: dir }).key.key.equals(env)).toBe(true)
    const first = loadSecretKey({ fromEnv: undefined, dataDir: dir })
    expect(first.source).toBe('created')
    const file = join(dir, 'secret.key')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const again = loadSecretKey({ fromEnv: undefined, dataDir: dir })
    expect(again).toMatchObject({ source: 'file', key: { id: first.key.id } })
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32)
    chmodSync(file, 0o644)
    expect(() => loadSecretKey({ fromEnv: undefined, dataDir: dir })).toThrow(/readable by others/)
    writeFileSync(file, 'c2hvcnQ=\n', { mode: 0o600 })
    chmodSync(file, 0o600)
    expect(() => loadSecretKey({ fromEnv: undefined, dataDir: dir })).toThrow(/32 bytes/)
  })

  it('configuration: POVMAP_SECRET_KEY must be 32 bytes of base64; APP_DATABASE_URL needs DATABASE_URL', () => {
    const key = randomBytes(32)
    expect(loadConfig({ POVMAP_SECRET_KEY: key.toString('base64') }).auth.secretKey?.equals(key)).toBe(true)
    expect(loadConfig({ POVMAP_SECRET_KEY: key.toString('base64url') }).auth.secretKey?.equals(key)).toBe(true)
    expect(loadConfig({}).auth.secretKey).toBeUndefined()
    for (const bad of ['short', randomBytes(16).toString('base64'), randomBytes(48).toString('base64')]) {
      expect(() => loadConfig({ POVMAP_SECRET_KEY: bad }), bad).toThrow(ConfigError)
    }
    expect(() => loadConfig({ APP_DATABASE_URL: 'postgres://web@localhost/povmap' })).toThrow(/APP_DATABASE_URL/)
    expect(loadConfig({ DATABASE_URL: 'postgres://owner@localhost/povmap', APP_DATABASE_URL: 'postgres://web@localhost/povmap' }).appDatabaseUrl).toBe('postgres://web@localhost/povmap')
  })

  it('configuration: TOTP_ROLES lists roles (default: the registry roles and auditors); an unknown role stops start-up', () => {
    expect(loadConfig({}).auth.totpRoles).toEqual(['province_admin', 'prefecture_officer', 'county_officer', 'township_officer', 'village_team', 'auditor'])
    expect(loadConfig({ TOTP_ROLES: 'auditor, leader' }).auth.totpRoles).toEqual(['auditor', 'leader'])
    expect(() => loadConfig({ TOTP_ROLES: 'auditor,superuser' })).toThrow(/TOTP_ROLES: "superuser" is not a role/)
  })
})

describe('TOTP seeds at rest', () => {
  let t: TestDb
  let app: FastifyInstance
  const stored = async (id: number) => (await t.db.query<{ s: string | null }>('SELECT totp_secret AS s FROM app_user WHERE id = $1', [id])).rows[0]!.s
  /** Base32 alphabet, the form of a TOTP seed: the column must never hold one. */
  const BASE32 = /^[A-Z2-7]{16,}=*$/

  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, auth: { loginPerMinute: 500 } })
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  it('accounts created with a second factor store it sealed, and sign in with it', async () => {
    const u = await createTestUser(t.db, 'county_officer')
    const s = await stored(u.id)
    expect(s).not.toMatch(BASE32)
    expect(s).not.toContain(TEST_TOTP_SECRET)
    expect(isSealed(s!)).toBe(true)
    expect((await login(app, u)).login.json().user.factor).toBe('ok')
    // The request role may read app_user; what it reads is no seed.
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user WHERE totp_secret ~ $1', ['^[A-Z2-7]{16,}=*$'])
    expect(rows[0]!.n).toBe(0)
  })

  it('enrolment keeps the pending seed sealed in the session row and stores the confirmed one sealed', async () => {
    const u = await createTestUser(t.db, 'township_officer', { scope: '433124110', totp: false })
    const s = await login(app, u)
    expect(s.login.json().user.factor).toBe('enrol')
    const enrol = await s.inject({ method: 'POST', url: '/api/auth/totp/enrol' })
    expect(enrol.statusCode).toBe(200)
    const { secret } = enrol.json() as { secret: string }
    const sessions = await t.db.query<{ data: string }>('SELECT data::text AS data FROM app_session WHERE user_id = $1', [u.id])
    expect(sessions.rows.length).toBeGreaterThan(0)
    for (const r of sessions.rows) expect(r.data).not.toContain(secret)
    const cookie = mergeCookies(s.cookie, enrol)
    const ok = await app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: { cookie, 'x-csrf-token': s.csrfToken }, payload: { code: await totpNow(secret) } })
    expect(ok.statusCode, ok.body).toBe(200)
    const after = await stored(u.id)
    expect(after).not.toContain(secret)
    expect(after).not.toMatch(BASE32)
    expect(isSealed(after!)).toBe(true)
    // The next sign-in works with the app's next code (the one just used is spent).
    const next = await login(app, { ...u, totpSecret: secret }, { totp: await totpNow(secret, Math.floor(Date.now() / 1000) + 30) })
    expect(next.login.json().user.factor).toBe('ok')
  })

  it('a seed left in clear by an older version is refused at sign-in until the start-up pass seals it', async () => {
    const u = await createTestUser(t.db, 'village_team', { scope: '433124110226' })
    await t.db.query('UPDATE app_user SET totp_secret = $2 WHERE id = $1', [u.id, TEST_TOTP_SECRET])
    await expect(login(app, u)).rejects.toThrow(/answered 500/)
    const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE actor_username = $1 AND action = 'login' AND outcome = 'ok'", [u.username])
    expect(rows[0]!.n).toBe(0)
    expect(await sealClearTotpSecrets(t.db)).toEqual({ sealed: 1, otherKey: 0 })
    expect(isSealed((await stored(u.id))!)).toBe(true)
    expect(await sealClearTotpSecrets(t.db)).toEqual({ sealed: 0, otherKey: 0 })
    expect((await login(app, u)).login.json().user.factor).toBe('ok')
  })

  it('a sealed seed copied to another account, or sealed under another key, does not open', async () => {
    const a = await createTestUser(t.db, 'county_officer')
    const b = await createTestUser(t.db, 'county_officer', { totp: false })
    await t.db.query('UPDATE app_user SET totp_secret = $2, totp_enabled = true WHERE id = $1', [b.id, await stored(a.id)])
    await expect(login(app, { ...b, totpSecret: TEST_TOTP_SECRET })).rejects.toThrow(/answered 500/)
    const other = secretKeyFrom(randomBytes(32))
    await t.db.query('UPDATE app_user SET totp_secret = $2 WHERE id = $1', [b.id, seal(TEST_TOTP_SECRET, `app_user.totp_secret:${b.id}`, other)])
    expect(await sealClearTotpSecrets(t.db)).toEqual({ sealed: 0, otherKey: 1 })
    await expect(login(app, { ...b, totpSecret: TEST_TOTP_SECRET })).rejects.toThrow(/answered 500/)
    // Under this process's key it opens.
    await t.db.query('UPDATE app_user SET totp_secret = $2 WHERE id = $1', [b.id, seal(TEST_TOTP_SECRET, `app_user.totp_secret:${b.id}`, secretKey())])
    expect((await login(app, { ...b, totpSecret: TEST_TOTP_SECRET })).login.json().user.factor).toBe('ok')
  })
})
