import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../server/app.js'
import { openTestDb, type TestDb } from '../../helpers/test-db.js'
import { fixtureDataset, FIXTURE } from '../../helpers/fixture-dataset.js'
import { loadDataset } from '../../../geodata/load/load-dataset.js'
import { createTestUser, login, loginAs, mergeCookies, TEST_PASSWORD, TEST_TOTP_SECRET } from '../../helpers/auth.js'
import { totpNow } from '../../../server/auth/totp.js'
import { GLOBAL_BACKOFF_AFTER, MAX_FAILED_LOGINS } from '../../../server/auth/users.js'

const STATS = `/api/areas/${FIXTURE.county}/stats`

describe('sessions, sign-in and request hardening', () => {
  let t: TestDb
  let app: FastifyInstance
  beforeAll(async () => {
    t = await openTestDb({ migrate: true })
    await loadDataset(t.db, fixtureDataset({ householdsPerVillage: 20 }), { scale: 'demo', seed: 7, generatorVersion: 'fixture', expectedRows: {} })
    // This file signs in some 30 times from one address; the per-address limit is tested on its own app below.
    app = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, auth: { loginPerMinute: 500 } })
  })
  afterAll(async () => {
    await app?.close()
    await t?.dispose()
  })

  const sessionRows = async (userId: number) => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM app_session WHERE user_id = $1', [userId])).rows[0]!.n
  const audits = async (username: string, action: string) =>
    (await t.db.query<{ outcome: string; detail: Record<string, unknown> }>('SELECT outcome, detail FROM audit_log WHERE actor_username = $1 AND action = $2 ORDER BY id', [username, action])).rows

  it('data routes answer 401 JSON without a session; health and the style do not', async () => {
    for (const url of [STATS, '/api/search?q=x', '/tiles/households/10/808/424.mvt', '/api/auth/me']) {
      const res = await app.inject(url)
      expect(res.statusCode, url).toBe(401)
      expect(res.json()).toEqual({ error: 'Unauthorized', message: expect.any(String) })
    }
    expect((await app.inject('/api/health')).statusCode).toBe(200)
    expect((await app.inject('/styles/povmap.json')).statusCode).toBe(200)
  })

  it('sign-in gives a new session id, httpOnly and SameSite=Strict; before it, the CSRF token is bound to a cookie and no session is stored', async () => {
    const user = await createTestUser(t.db, 'leader')
    const sessions = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM app_session')).rows[0]!.n
    const before = await sessions()
    const pres = []
    for (let i = 0; i < 20; i++) pres.push(await app.inject('/api/auth/csrf'))
    expect(await sessions()).toBe(before)
    const pre = pres[0]!
    const preCookie = mergeCookies('', pre)
    expect(preCookie).toMatch(/^povmap_login=[^;]+$/)
    expect(String(pre.headers['set-cookie'])).toMatch(/; Path=\/; HttpOnly; SameSite=Strict$/)
    const signIn = (cookie: string, token: string) =>
      app.inject({ method: 'POST', url: '/api/auth/login', headers: { cookie, 'x-csrf-token': token }, payload: { username: user.username, password: user.password } })
    // The token goes with its own cookie only, and is needed.
    expect((await signIn(mergeCookies('', pres[1]!), pre.json().csrfToken)).statusCode).toBe(403)
    expect((await signIn('', pre.json().csrfToken)).statusCode).toBe(403)
    expect((await signIn(preCookie, '')).statusCode).toBe(403)
    const res = await signIn(preCookie, pre.json().csrfToken)
    expect(res.statusCode).toBe(200)
    const set = ([] as string[]).concat(res.headers['set-cookie'] as string | string[])
    expect(set.find((c) => c.startsWith('povmap_sid='))).toMatch(/^povmap_sid=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/)
    // The sign-in cookie is spent.
    expect(set.find((c) => c.startsWith('povmap_login='))).toMatch(/^povmap_login=;.*Expires=Thu, 01 Jan 1970/)
    const after = mergeCookies(preCookie, res)
    expect(after).not.toMatch(/povmap_login/)
    expect((await app.inject({ url: '/api/auth/me', headers: { cookie: preCookie } })).statusCode).toBe(401)
    expect((await app.inject({ url: '/api/auth/me', headers: { cookie: after } })).json().user).toMatchObject({ username: user.username, role: 'leader', scope: '4331' })
    expect(await audits(user.username, 'login')).toEqual([{ outcome: 'ok', detail: { factor: 'password' } }])
  })

  it('with COOKIE_SECURE the cookies are __Host-povmap_sid and __Host-povmap_login; Secure, and only ever set over HTTPS', async () => {
    const secure = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, trustProxy: ['loopback'], auth: { cookieSecure: true } })
    try {
      const https = { 'x-forwarded-proto': 'https' }
      const pre = await secure.inject({ url: '/api/auth/csrf', headers: https })
      expect(String(pre.headers['set-cookie'])).toMatch(/^__Host-povmap_login=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict$/)
      expect(pre.headers['strict-transport-security']).toMatch(/max-age=31536000/)
      const plain = await secure.inject('/api/auth/csrf')
      expect(plain.headers['set-cookie']).toBeUndefined()
      const user = await createTestUser(t.db, 'leader')
      const res = await secure.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { ...https, cookie: mergeCookies('', pre), 'x-csrf-token': pre.json().csrfToken },
        payload: { username: user.username, password: user.password },
      })
      expect(res.statusCode).toBe(200)
      expect(([] as string[]).concat(res.headers['set-cookie'] as string[]).find((c) => c.startsWith('__Host-povmap_sid='))).toMatch(/; Secure; SameSite=Strict$/)
    } finally {
      await secure.close()
    }
  })

  it('security headers: CSP for MapLibre/deck.gl, no framing, no sniffing, no referrer; CORS closed', async () => {
    const res = await app.inject({ url: '/api/health', headers: { origin: 'https://evil.example' } })
    const csp = String(res.headers['content-security-policy'])
    for (const d of ["default-src 'self'", "script-src 'self'", 'worker-src \'self\' blob:', "img-src 'self' data: blob:", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) {
      expect(csp).toContain(d)
    }
    expect(csp).not.toMatch(/unsafe-eval|upgrade-insecure-requests/)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-frame-options']).toBe('DENY')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.headers['strict-transport-security']).toBeUndefined()
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
    const preflight = await app.inject({ method: 'OPTIONS', url: STATS, headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } })
    expect(preflight.statusCode).toBe(404)
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
  })

  it('binary tiles carry nosniff and same-origin resource policy, without the document-only headers', async () => {
    const s = await loginAs(app, t.db, 'county_officer')
    for (const url of ['/tiles/roads/5/25/13.mvt', '/tiles/roads/99/0/0.mvt']) {
      const res = await s.inject(url)
      expect(res.headers['x-content-type-options'], url).toBe('nosniff')
      expect(res.headers['cross-origin-resource-policy'], url).toBe('same-origin')
      expect(res.headers['content-security-policy'], url).toBeUndefined()
    }
    // The TileJSON and the style are JSON documents of the API: every header.
    expect((await s.inject('/tiles/roads.json')).headers['x-frame-options']).toBe('DENY')
  })

  it('personal and scoped JSON answers are not stored by caches', async () => {
    const s = await loginAs(app, t.db, 'county_officer')
    expect((await s.inject(STATS)).headers['cache-control']).toBe('no-store')
    expect((await s.inject('/api/auth/me')).headers['cache-control']).toBe('no-store')
  })

  it('logout ends the session at once, on the server, and clears the cookie and the browser cache', async () => {
    const s = await loginAs(app, t.db, 'leader')
    expect((await s.inject(STATS)).statusCode).toBe(200)
    expect(await sessionRows(s.user.id)).toBe(1)
    const out = await s.inject({ method: 'POST', url: '/api/auth/logout' })
    expect(out.statusCode).toBe(204)
    expect(String(out.headers['set-cookie'])).toMatch(/povmap_sid=; .*Expires=Thu, 01 Jan 1970/)
    expect(out.headers['clear-site-data']).toBe('"cache"')
    expect(await sessionRows(s.user.id)).toBe(0)
    expect((await s.inject(STATS)).statusCode).toBe(401)
  })

  it('disabling a user ends all their sessions at once; enabling needs a new sign-in', async () => {
    const admin = await loginAs(app, t.db, 'province_admin')
    const user = await createTestUser(t.db, 'leader')
    const a = await login(app, user)
    const b = await login(app, user)
    expect((await a.inject(STATS)).statusCode).toBe(200)
    expect(await sessionRows(user.id)).toBe(2)
    expect((await admin.inject({ method: 'POST', url: `/api/users/${user.id}/disable` })).statusCode).toBe(204)
    expect((await a.inject(STATS)).statusCode).toBe(401)
    expect((await b.inject(STATS)).statusCode).toBe(401)
    expect(await sessionRows(user.id)).toBe(0)
    await expect(login(app, user)).rejects.toThrow(/401/)
    expect((await admin.inject({ method: 'POST', url: `/api/users/${user.id}/enable` })).statusCode).toBe(204)
    expect((await a.inject(STATS)).statusCode).toBe(401)
    expect((await (await login(app, user)).inject(STATS)).statusCode).toBe(200)
    // Only the province administrator manages accounts; the actions are audited.
    const officer = await loginAs(app, t.db, 'county_officer')
    expect((await officer.inject({ method: 'POST', url: `/api/users/${user.id}/disable` })).statusCode).toBe(403)
    const { rows } = await t.db.query('SELECT action, target FROM audit_log WHERE action IN ($1, $2) AND target = $3 ORDER BY id', ['user.disable', 'user.enable', user.username])
    expect(rows).toEqual([{ action: 'user.disable', target: user.username }, { action: 'user.enable', target: user.username }])
  })

  it(`locks sign-in from one address after ${MAX_FAILED_LOGINS} failures in a row: even the right password fails there, not from elsewhere; each attempt is audited`, async () => {
    const user = await createTestUser(t.db, 'leader')
    const attacker = { remoteAddress: '10.0.0.66' }
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      await expect(login(app, { ...user, password: `wrong-password-${i}` }, attacker)).rejects.toThrow(/401/)
    }
    await expect(login(app, user, attacker)).rejects.toThrow(/401.*locked for 15 minutes/)
    const rows = await audits(user.username, 'login')
    expect(rows.map((r) => r.outcome)).toEqual(Array(MAX_FAILED_LOGINS + 1).fill('failed'))
    expect(rows.at(-2)!.detail).toEqual({ reason: 'password', locked: true })
    expect(rows.at(-1)!.detail).toEqual({ reason: 'locked' })
    // The owner, from their own address, is not locked out by someone guessing elsewhere.
    expect((await login(app, user, { remoteAddress: '10.0.1.1' })).login.statusCode).toBe(200)
    // Unknown users answer the same way (no user enumeration), and are audited without an area.
    const ghost = await login(app, { ...user, username: 'no-such-user' }).catch((e: Error) => e.message)
    expect(ghost).toMatch(/401.*invalid username or password/)
    // When the lock has run out, the right password works from that address too and the count starts afresh.
    await expect(login(app, user, attacker)).rejects.toThrow(/401/)
    await t.db.query("UPDATE login_throttle SET locked_until = now() - interval '1 second' WHERE user_id = $1", [user.id])
    expect((await login(app, user, attacker)).login.statusCode).toBe(200)
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM login_throttle WHERE user_id = $1', [user.id])).rows[0]!.n).toBe(0)
  })

  it(`parallel guesses from one address: at most ${MAX_FAILED_LOGINS} passwords are checked before the lock holds`, async () => {
    const user = await createTestUser(t.db, 'leader')
    const guesses = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => login(app, { ...user, password: `parallel-guess-${i}` }, { remoteAddress: '10.0.2.2' })))
    expect(guesses.every((g) => g.status === 'rejected')).toBe(true)
    const reasons = (await audits(user.username, 'login')).map((r) => r.detail.reason)
    expect(reasons.filter((r) => r === 'password').length).toBe(MAX_FAILED_LOGINS)
    expect(reasons.filter((r) => r === 'locked').length).toBe(16 - MAX_FAILED_LOGINS)
  })

  it(`a right password without its code counts as a failure; past ${GLOBAL_BACKOFF_AFTER} failures from anywhere the account backs off`, async () => {
    const officer = await createTestUser(t.db, 'county_officer')
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      const res = await login(app, officer, { remoteAddress: '10.0.3.3', totp: '' }).catch((e: Error) => e.message)
      expect(res).toMatch(/401.*totpRequired/)
    }
    await expect(login(app, officer, { remoteAddress: '10.0.3.3' })).rejects.toThrow(/401.*locked/)
    // Many addresses, one guess each: the per-address lock never triggers, the account's back-off does.
    const user = await createTestUser(t.db, 'leader')
    await t.db.query('UPDATE app_user SET failed_logins = $2 WHERE id = $1', [user.id, GLOBAL_BACKOFF_AFTER - 1])
    await expect(login(app, { ...user, password: 'botnet-guess-1' }, { remoteAddress: '10.1.0.1' })).rejects.toThrow(/401/)
    await expect(login(app, user, { remoteAddress: '10.1.0.2' })).rejects.toThrow(/401/)
    expect((await audits(user.username, 'login')).map((r) => r.detail.reason)).toEqual(['password', 'backoff'])
    // The back-off is short: once it has passed, the owner gets in and the counts are cleared.
    await t.db.query("UPDATE app_user SET locked_until = now() - interval '1 second' WHERE id = $1", [user.id])
    expect((await login(app, user, { remoteAddress: '10.1.0.3' })).login.statusCode).toBe(200)
    expect((await t.db.query<{ n: number }>('SELECT failed_logins AS n FROM app_user WHERE id = $1', [user.id])).rows[0]!.n).toBe(0)
  })

  it('API requests are rate limited per signed-in user, not per address', async () => {
    const limited = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, hardening: { rateLimit: { apiPerMinute: 3 } } })
    try {
      const a = await loginAs(limited, t.db, 'county_officer')
      const b = await loginAs(limited, t.db, 'county_officer')
      const codes = []
      for (let i = 0; i < 4; i++) codes.push((await a.inject(STATS)).statusCode)
      expect(codes).toEqual([200, 200, 200, 429])
      // Same address, another user: a budget of its own.
      expect((await b.inject(STATS)).statusCode).toBe(200)
    } finally {
      await limited.close()
    }
  })

  it('sign-in attempts are rate limited per address', async () => {
    const limited = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, auth: { loginPerMinute: 3 } })
    try {
      const user = await createTestUser(t.db, 'leader')
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) {
        const pre = await limited.inject({ url: '/api/auth/csrf', remoteAddress: '10.9.9.9' })
        const res = await limited.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '10.9.9.9',
          headers: { cookie: mergeCookies('', pre), 'x-csrf-token': pre.json().csrfToken },
          payload: { username: user.username, password: 'not-the-password-1' },
        })
        statuses.push(res.statusCode)
        if (res.statusCode === 429) expect(res.json()).toEqual({ error: 'Too Many Requests', message: expect.stringMatching(/rate limit/) })
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429])
      // Another address is not affected.
      expect((await login(limited, user, { remoteAddress: '10.9.9.10' })).login.statusCode).toBe(200)
    } finally {
      await limited.close()
    }
  })

  it('state changes without the session’s CSRF token, cross-site or not as JSON are refused and audited', async () => {
    const s = await loginAs(app, t.db, 'leader')
    const other = await loginAs(app, t.db, 'leader')
    const post = (headers: Record<string, string>, payload: unknown = {}, contentType = 'application/json') =>
      app.inject({ method: 'POST', url: '/api/auth/password', headers: { 'content-type': contentType, ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) })
    const body = { current: TEST_PASSWORD, next: 'Another-good-pass-2025' }
    const noToken = await post({ cookie: s.cookie }, body)
    expect(noToken.statusCode).toBe(403)
    expect(noToken.json()).toEqual({ error: 'Forbidden', message: expect.stringMatching(/csrf/i) })
    expect((await post({ cookie: s.cookie, 'x-csrf-token': 'forged' }, body)).statusCode).toBe(403)
    expect((await post({ cookie: s.cookie, 'x-csrf-token': other.csrfToken }, body)).statusCode).toBe(403)
    expect((await post({ ...s.headers, origin: 'https://evil.example' }, body)).statusCode).toBe(403)
    expect((await post({ ...s.headers, 'sec-fetch-site': 'cross-site' }, body)).statusCode).toBe(403)
    expect((await post(s.headers, 'current=x&next=y', 'application/x-www-form-urlencoded')).statusCode).toBe(415)
    expect((await post(s.headers, JSON.stringify(body), 'text/plain')).statusCode).toBe(415)
    // Sign-in itself needs the pre-login session's token.
    const user = await createTestUser(t.db, 'leader')
    const bare = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: user.password } })
    expect(bare.statusCode).toBe(403)
    const denied = (await t.db.query<{ reason: string }>("SELECT detail->>'reason' AS reason FROM audit_log WHERE action = 'access.denied' AND actor_username = $1 ORDER BY id", [s.user.username])).rows
    expect(denied.map((d) => d.reason)).toEqual(['csrf', 'csrf', 'csrf', 'cross-origin', 'cross-origin'])
    // The real thing still works.
    expect((await post(s.headers, body)).statusCode).toBe(200)
  })

  it('bodies over 1 MiB are refused', async () => {
    const s = await loginAs(app, t.db, 'leader')
    const res = await s.inject({ method: 'POST', url: '/api/auth/password', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ current: 'x'.repeat(1_100_000), next: 'y' }) })
    expect(res.statusCode).toBe(413)
  })

  it('roles that see personal data need a TOTP code: missing, wrong and replayed codes fail', async () => {
    const user = await createTestUser(t.db, 'county_officer')
    const noCode = await login(app, user, { totp: '' }).catch((e: Error) => e.message)
    expect(noCode).toMatch(/401.*"totpRequired":true/)
    await expect(login(app, user, { totp: '000000' === (await totpNow(TEST_TOTP_SECRET)) ? '111111' : '000000' })).rejects.toThrow(/401/)
    const code = await totpNow(TEST_TOTP_SECRET)
    expect((await login(app, user, { totp: code })).login.json().user.factor).toBe('ok')
    await expect(login(app, user, { totp: code })).rejects.toThrow(/401.*already used/)
  })

  it('two sign-ins racing with the same TOTP code: exactly one gets in', async () => {
    const user = await createTestUser(t.db, 'county_officer')
    const code = await totpNow(TEST_TOTP_SECRET)
    const results = await Promise.allSettled([login(app, user, { totp: code }), login(app, user, { totp: code }), login(app, user, { totp: code })])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/401/)
  })

  it('a role that sees personal data without a second factor must enrol one before any data; enrolling renews the session id', async () => {
    const user = await createTestUser(t.db, 'township_officer', { totp: false })
    const s = await login(app, user)
    expect(s.login.json().user).toMatchObject({ factor: 'enrol' })
    const data = await s.inject(STATS.replace(FIXTURE.county, FIXTURE.townships[0]!))
    expect(data.statusCode).toBe(403)
    expect(data.json().message).toMatch(/second factor/)
    const enrol = await s.inject({ method: 'POST', url: '/api/auth/totp/enrol' })
    expect(enrol.statusCode).toBe(200)
    const { secret, uri } = enrol.json()
    expect(uri).toMatch(/^otpauth:\/\/totp\/.*secret=/)
    const cookie = mergeCookies(s.cookie, enrol)
    const bad = await app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: { cookie, 'x-csrf-token': s.csrfToken }, payload: { code: '000000' === (await totpNow(secret)) ? '111111' : '000000' } })
    expect(bad.statusCode).toBe(400)
    const ok = await app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: { cookie, 'x-csrf-token': s.csrfToken }, payload: { code: await totpNow(secret) } })
    expect(ok.statusCode).toBe(200)
    const renewed = mergeCookies(cookie, ok)
    expect(renewed).not.toBe(cookie)
    expect((await app.inject({ url: STATS.replace(FIXTURE.county, FIXTURE.townships[0]!), headers: { cookie: renewed } })).statusCode).toBe(200)
    expect((await app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401)
    // From now on the code is needed at sign-in.
    await expect(login(app, user)).rejects.toThrow(/totpRequired/)
  })

  it('an enrolment started by someone holding only the password cannot be confirmed once the owner has enrolled; enrolling ends the other sessions', async () => {
    const user = await createTestUser(t.db, 'village_team', { totp: false })
    const village = STATS.replace(FIXTURE.county, FIXTURE.villages[0]!)
    // The intruder (initial password) and the owner both sign in and start enrolling.
    const intruder = await login(app, user, { remoteAddress: '10.9.9.9' })
    const owner = await login(app, user)
    const startEnrol = async (s: typeof owner) => {
      const res = await s.inject({ method: 'POST', url: '/api/auth/totp/enrol' })
      expect(res.statusCode).toBe(200)
      return { secret: res.json().secret as string, cookie: mergeCookies(s.cookie, res), csrf: s.csrfToken }
    }
    const theirs = await startEnrol(intruder)
    const mine = await startEnrol(owner)
    const confirm = async (e: typeof mine) =>
      app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: { cookie: e.cookie, 'x-csrf-token': e.csrf }, payload: { code: await totpNow(e.secret) } })
    const ownerDone = await confirm(mine)
    expect(ownerDone.statusCode).toBe(200)
    // The owner's enrolment ended every other session, the intruder's included …
    expect((await app.inject({ url: '/api/auth/me', headers: { cookie: theirs.cookie } })).statusCode).toBe(401)
    // … and even with that session kept alive, the intruder's own pending secret does not count.
    const revived = await login(app, user, { remoteAddress: '10.9.9.8', totp: await totpNow(mine.secret) }).catch(() => null)
    expect(revived === null || revived.login.statusCode === 200).toBe(true)
    const stale = await app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: { cookie: theirs.cookie, 'x-csrf-token': theirs.csrf }, payload: { code: await totpNow(theirs.secret) } })
    expect(stale.statusCode).toBe(401)
    expect((await app.inject({ url: village, headers: { cookie: theirs.cookie } })).statusCode).toBe(401)
    // The seed stored is the owner's.
    expect((await login(app, { ...user }, { totp: await totpNow(theirs.secret) }).catch((e: Error) => e.message)) as string).toMatch(/401/)
  })

  it('confirming a pending enrolment after another session of the account enrolled is refused (409) and grants nothing', async () => {
    const user = await createTestUser(t.db, 'village_team', { totp: false })
    const village = STATS.replace(FIXTURE.county, FIXTURE.villages[0]!)
    const intruder = await login(app, user, { remoteAddress: '10.9.9.7' })
    const enrol = await intruder.inject({ method: 'POST', url: '/api/auth/totp/enrol' })
    const cookie = mergeCookies(intruder.cookie, enrol)
    // Meanwhile the owner enrols (as the server would, directly in the database, leaving this session alone).
    await t.db.query("UPDATE app_user SET totp_secret = 'sealed-elsewhere', totp_enabled = true WHERE id = $1", [user.id])
    const res = await app.inject({ method: 'POST', url: '/api/auth/totp/confirm', headers: { cookie, 'x-csrf-token': intruder.csrfToken }, payload: { code: await totpNow(enrol.json().secret) } })
    expect(res.statusCode).toBe(409)
    const after = mergeCookies(cookie, res)
    expect((await app.inject({ url: '/api/auth/me', headers: { cookie: after } })).json().user.factor).toBe('enrol')
    expect((await app.inject({ url: village, headers: { cookie: after } })).statusCode).toBe(403)
    expect((await t.db.query<{ s: string }>('SELECT totp_secret AS s FROM app_user WHERE id = $1', [user.id])).rows[0]!.s).toBe('sealed-elsewhere')
  })

  it('turning the second factor on ends the trust in sessions that signed in without one, in the database too', async () => {
    const sessionSecret = 'a-session-secret-of-at-least-32-characters'
    const relaxed = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, auth: { totp: 'off', sessionSecret } })
    const user = await createTestUser(t.db, 'township_officer', { totp: false })
    const township = STATS.replace(FIXTURE.county, FIXTURE.townships[0]!)
    let s: Awaited<ReturnType<typeof login>>
    try {
      s = await login(relaxed, user)
      expect((await s.inject(township)).statusCode).toBe(200)
    } finally {
      await relaxed.close()
    }
    // The same database, now with the second factor required (a restart with TOTP_REQUIRED=personal).
    const strict = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, auth: { sessionSecret } })
    try {
      const me = await strict.inject({ url: '/api/auth/me', headers: s.headers })
      expect(me.json().user.factor).toBe('enrol')
      expect((await strict.inject({ url: township, headers: s.headers })).statusCode).toBe(403)
      const { rows } = await t.db.query<{ f: string }>("SELECT data ->> 'factor' AS f FROM app_session WHERE user_id = $1", [user.id])
      expect(rows.map((r) => r.f)).toEqual(['enrol'])
    } finally {
      await strict.close()
    }
  })

  it('auditors need a second factor by default; the list of roles that need one is configurable', async () => {
    const auditor = await createTestUser(t.db, 'auditor', { totp: false })
    expect((await login(app, auditor)).login.json().user.factor).toBe('enrol')
    const custom = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, auth: { totpRoles: ['province_admin'] } })
    try {
      expect((await login(custom, auditor)).login.json().user.factor).toBe('ok')
      const admin = await createTestUser(t.db, 'province_admin', { totp: false })
      expect((await login(custom, admin)).login.json().user.factor).toBe('enrol')
      const officer = await createTestUser(t.db, 'county_officer', { totp: false })
      expect((await login(custom, officer)).login.json().user.factor).toBe('ok')
    } finally {
      await custom.close()
    }
  })

  it('password changes follow the rules and end the user’s other sessions', async () => {
    const user = await createTestUser(t.db, 'leader')
    const a = await login(app, user)
    const b = await login(app, user)
    const change = (next: string) => a.inject({ method: 'POST', url: '/api/auth/password', payload: { current: TEST_PASSWORD, next } })
    for (const [next, why] of [['short-1', /at least 12/], ['Password1234!', /common/], [`${user.username}-2025`, /username/]] as const) {
      const res = await change(next)
      expect(res.statusCode, next).toBe(400)
      expect(res.json().message).toMatch(why)
    }
    const wrong = await a.inject({ method: 'POST', url: '/api/auth/password', payload: { current: 'not-my-password', next: 'Another-good-pass-2025' } })
    expect(wrong.statusCode).toBe(401)
    const ok = await change('Another-good-pass-2025')
    expect(ok.statusCode).toBe(200)
    const renewed = { cookie: mergeCookies(a.cookie, ok), 'x-csrf-token': ok.json().csrfToken }
    expect((await app.inject({ url: STATS, headers: renewed })).statusCode).toBe(200)
    expect((await b.inject(STATS)).statusCode).toBe(401)
    expect((await login(app, { ...user, password: 'Another-good-pass-2025' })).login.statusCode).toBe(200)
  })

  it('an idle session ends after the idle time', async () => {
    const s = await loginAs(app, t.db, 'leader')
    expect((await s.inject(STATS)).statusCode).toBe(200)
    await t.db.query("UPDATE app_session SET last_seen_at = now() - interval '31 minutes' WHERE user_id = $1", [s.user.id])
    // The process trusts a session it read for 2 s (fewer round trips per tile); half an hour later it reads again.
    const later = Date.now() + 31 * 60_000
    const clock = vi.spyOn(Date, 'now').mockReturnValue(later)
    try {
      expect((await s.inject(STATS)).statusCode).toBe(401)
    } finally {
      clock.mockRestore()
    }
  })

  it('under pressure the server sheds load with 503 JSON', async () => {
    const shedding = await buildApp({ dataDir: t.location, db: t.db, serveClient: false, hardening: { underPressure: { maxEventLoopDelayMs: 20, sampleIntervalMs: 10 } } })
    try {
      await shedding.ready()
      // Sustained overload: the event loop blocked again and again. The plugin samples every 10 ms, so
      // one request may slip between two samples on a busy machine; under sustained pressure most do not.
      let res = await shedding.inject('/styles/povmap.json')
      let health = await shedding.inject('/api/health')
      for (let i = 0; i < 30 && (res.statusCode !== 503 || health.statusCode !== 503); i++) {
        const until = Date.now() + 150
        while (Date.now() < until) {
          // block the event loop
        }
        await new Promise((r) => setTimeout(r, 0))
        const [r, h] = await Promise.all([shedding.inject('/styles/povmap.json'), shedding.inject('/api/health')])
        if (r.statusCode === 503) res = r
        if (h.statusCode === 503) health = h
      }
      expect(res.statusCode).toBe(503)
      expect(res.json()).toEqual({ error: 'Service Unavailable', message: expect.stringMatching(/overloaded/) })
      expect(res.headers['retry-after']).toBe('5')
      expect(health.statusCode).toBe(503)
      expect(health.json()).toMatchObject({ status: 'unavailable' })
    } finally {
      await shedding.close()
    }
  })
})
