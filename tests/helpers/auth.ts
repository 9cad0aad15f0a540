/**
 * Signing in from tests. Every data route needs a session (issue 6), so a test creates a user of the
 * role it needs in its own database and signs in through the real endpoints:
 *
 *   const admin = await loginAs(app, t.db, 'province_admin')          // scope 43
 *   const res = await app.inject({ url: '/api/areas/43/stats', headers: admin.headers })
 *   await admin.inject({ method: 'POST', url: '/api/auth/logout' })    // adds cookie + CSRF header
 *
 * Roles that see personal data sign in with a TOTP code, computed here from a known secret. Each
 * loginAs creates a fresh account, so that a code is never reused (the server refuses replays).
 * Over real HTTP (a listening server, a browser): loginOverHttp(baseUrl, db, role) gives the cookie.
 */
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Db } from '../../server/db/types.js'
import { createUser } from '../../server/auth/users.js'
import { totpNow } from '../../server/auth/totp.js'
import { TOTP_ROLES } from '../../domain/roles.js'
import type { Department, Role } from '../../domain/roles.js'
import { openSessionAsOwner } from '../../server/auth/session-store.js'
import type { DbCaller } from '../../server/db/caller-transactions.js'

/** Passes the password rules (≥ 12 characters, not common). */
export const TEST_PASSWORD = 'Xiangxi-test-pass-2024!'
/** Base32, 20 bytes. */
export const TEST_TOTP_SECRET = 'KVKFKRCPNZQUYMLXOVYDSQKJKZDTSRLD'

/** Default areas per role, around the fixture's 十八洞村 (tests/helpers/fixture-dataset.ts). */
export const TEST_SCOPES: Readonly<Record<Role, string>> = {
  province_admin: '43',
  prefecture_officer: '4331',
  county_officer: '433124',
  township_officer: '433124110',
  village_team: '433124110226',
  department_viewer: '433124',
  leader: '4331',
  auditor: '43',
}

export interface TestUser {
  id: number
  username: string
  password: string
  role: Role
  scope: string
  totpSecret: string | null
}

let serial = 0

/** Creates an account directly in the database (as the owner, like the demo accounts). */
export async function createTestUser(
  db: Db,
  role: Role,
  opts: { scope?: string; username?: string; password?: string; totp?: boolean; department?: Department } = {},
): Promise<TestUser> {
  const username = opts.username ?? `t-${role.replace(/_/g, '-')}-${++serial}-${randomBytes(3).toString('hex')}`
  const password = opts.password ?? TEST_PASSWORD
  const scope = opts.scope ?? TEST_SCOPES[role]
  const totpSecret = (opts.totp ?? TOTP_ROLES.includes(role)) ? TEST_TOTP_SECRET : null
  const id = await db.transaction((tx) =>
    createUser(tx, {
      username,
      displayName: `测试 ${role}`,
      role,
      scope,
      department: role === 'department_viewer' ? (opts.department ?? 'water') : null,
      password,
      totpSecret,
    }),
  )
  return { id, username, password, role, scope, totpSecret }
}

/** The `name=value` pairs of a response's Set-Cookie headers, merged into an existing Cookie header. */
export function mergeCookies(cookie: string, res: { headers: Record<string, unknown> }): string {
  const jar = new Map(cookie.split(/;\s*/).filter(Boolean).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as [string, string]))
  const set = res.headers['set-cookie']
  for (const c of (Array.isArray(set) ? set : set ? [set] : []) as string[]) {
    const [pair] = c.split(';')
    const i = pair!.indexOf('=')
    const name = pair!.slice(0, i)
    const value = pair!.slice(i + 1)
    if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name)
    else jar.set(name, value)
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
}

export interface TestSession {
  user: TestUser
  cookie: string
  csrfToken: string
  /** Cookie and CSRF headers for app.inject. */
  headers: { cookie: string; 'x-csrf-token': string }
  /** app.inject with this session's headers (and JSON bodies). */
  inject(opts: InjectOptions | string): Promise<LightMyRequestResponse>
  /** The login response. */
  login: LightMyRequestResponse
}

/** Signs in an existing user through GET /api/auth/csrf and POST /api/auth/login; throws unless 200. */
export async function login(app: FastifyInstance, user: TestUser, opts: { totp?: string; remoteAddress?: string } = {}): Promise<TestSession> {
  const remoteAddress = opts.remoteAddress ?? '127.0.0.1'
  const pre = await app.inject({ url: '/api/auth/csrf', remoteAddress })
  if (pre.statusCode !== 200) throw new Error(`GET /api/auth/csrf answered ${pre.statusCode}: ${pre.body}`)
  let cookie = mergeCookies('', pre)
  const totp = opts.totp ?? (user.totpSecret ? await totpNow(user.totpSecret) : undefined)
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress,
    headers: { cookie, 'x-csrf-token': pre.json().csrfToken },
    payload: { username: user.username, password: user.password, ...(totp ? { totp } : {}) },
  })
  if (res.statusCode !== 200) throw new Error(`login of ${user.username} answered ${res.statusCode}: ${res.body}`)
  cookie = mergeCookies(cookie, res)
  const csrfToken = res.json().csrfToken as string
  const headers = { cookie, 'x-csrf-token': csrfToken }
  return {
    user,
    cookie,
    csrfToken,
    headers,
    login: res,
    inject: (o) => {
      const base = typeof o === 'string' ? { url: o } : o
      return app.inject({ remoteAddress, ...base, headers: { ...headers, ...(base.headers ?? {}) } })
    },
  }
}

/** A fresh user of this role (default area: TEST_SCOPES), signed in. */
export async function loginAs(
  app: FastifyInstance,
  db: Db,
  role: Role,
  opts: { scope?: string; department?: Department; remoteAddress?: string } = {},
): Promise<TestSession> {
  const user = await createTestUser(db, role, opts)
  return login(app, user, opts)
}

/**
 * Signs in over real HTTP (a server listening at baseUrl) and answers the session cookie, e.g. for
 * Playwright: `await context.addCookies([{ name, value, url: baseUrl }])`.
 * On a database that is not a throwaway test one (a benchmark on the demo data), pass a random
 * `password` and disable the account afterwards: TEST_PASSWORD is public in this repository.
 */
export async function loginOverHttp(
  baseUrl: string,
  db: Db,
  role: Role,
  opts: { scope?: string; password?: string } = {},
): Promise<{ name: string; value: string; csrfToken: string; user: TestUser }> {
  const user = await createTestUser(db, role, opts)
  const pre = await fetch(`${baseUrl}/api/auth/csrf`)
  const preCookie = mergeCookies('', { headers: { 'set-cookie': pre.headers.getSetCookie() } })
  const { csrfToken } = (await pre.json()) as { csrfToken: string }
  const totp = user.totpSecret ? await totpNow(user.totpSecret) : undefined
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: preCookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ username: user.username, password: user.password, ...(totp ? { totp } : {}) }),
  })
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`)
  const cookie = mergeCookies('', { headers: { 'set-cookie': res.headers.getSetCookie() } })
  const i = cookie.indexOf('=')
  return { name: cookie.slice(0, i), value: cookie.slice(i + 1), csrfToken: ((await res.json()) as { csrfToken: string }).csrfToken, user }
}

/**
 * A signed-in session written straight into app_session (as the owner), for tests that talk to the
 * database without the HTTP layer: the database derives the caller from the session id alone.
 */
export async function sessionCaller(
  db: Db,
  role: Role,
  scope: string = TEST_SCOPES[role],
  opts: { factor?: 'ok' | 'enrol'; password?: string } = {},
): Promise<DbCaller & { user: TestUser }> {
  const user = await createTestUser(db, role, { scope, password: opts.password })
  const sid = await openSessionAsOwner(db, user.id, 3600, opts.factor ?? 'ok')
  return { sid, role, scope, userId: user.id, username: user.username, user }
}
