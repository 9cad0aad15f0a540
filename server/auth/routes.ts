import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errorResponses } from '../../domain/schemas/common.js'
import { CsrfToken, LoginBody, LoginFailed, PasswordChangeBody, Session, TotpConfirmBody, TotpEnrolment, type SignedInUser } from '../../domain/schemas/auth.js'
import { withAccounts } from '../db/caller-transactions.js'
import { appendAudit } from '../audit/audit-log.js'
import { auditFields } from '../audit/request-audit.js'
import { claimTotpStep, enableTotp, endOtherSessions, findUser, findUserById, claimLoginAttempt, openTotpSecret, recordSuccessfulLogin, LOCK_MINUTES, MAX_FAILED_LOGINS, type UserRow } from './users.js'
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js'
import { checkTotp, newTotpSecret, totpUri } from './totp.js'
import { scrubPersonal } from '../../domain/masking.js'
import type { Caller } from './roles.js'
import { REGISTRY_ROLES, REVEAL_ROLES, DATA_ROLES } from '../../domain/roles.js'
import type { SessionData } from './session-store.js'
import { seal, unseal } from './secret-box.js'

export interface AuthRoutesOptions {
  /** Sign-in attempts per minute from one address. */
  loginPerMinute?: number
}

const GENERIC = `invalid username or password (after ${MAX_FAILED_LOGINS} failures in a row, sign-in from this address is locked for ${LOCK_MINUTES} minutes)`

function describe(c: Caller): SignedInUser {
  return {
    username: c.username,
    displayName: c.displayName,
    role: c.role,
    scope: c.scope,
    department: c.department,
    factor: c.factor,
    can: {
      data: DATA_ROLES.includes(c.role),
      households: REGISTRY_ROLES.includes(c.role),
      reveal: REVEAL_ROLES.includes(c.role),
      audit: c.role === 'auditor',
      users: c.role === 'province_admin',
    },
  }
}

const callerOf = (u: UserRow, factor: 'ok' | 'enrol'): Caller => ({
  userId: u.id,
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  scope: u.scope,
  department: u.department,
  factor,
})

const sessionOf = (req: FastifyRequest) => req.session as unknown as SessionData & { pendingTotp?: string }

/** Sign-in, sign-out, the CSRF token, password change and TOTP enrolment. */
const auth: FastifyPluginAsync<AuthRoutesOptions> = async (app, opts) => {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const totpRequiredFor = (u: UserRow) => app.authOptions.totp === 'personal' && app.authOptions.totpRoles.includes(u.role)

  r.get(
    '/api/auth/csrf',
    {
      config: { access: 'public', rateLimit: { max: 60, timeWindow: 60_000 } },
      schema: { summary: 'A CSRF token: before sign-in bound to a cookie (no session is created), after it the session’s', tags: ['auth'], response: { 200: CsrfToken } },
    },
    // Before sign-in a cookie-bound token, with no session row; a signed-in session's own token after.
    async (req, reply) => ({ csrfToken: req.caller ? reply.generateCsrf() : app.loginCsrf.issue(req, reply) }),
  )

  r.post(
    '/api/auth/login',
    {
      config: { access: 'public', csrf: 'login', rateLimit: { max: opts.loginPerMinute ?? 30, timeWindow: 60_000, keyGenerator: (req: FastifyRequest) => `login:${req.ip}` } },
      schema: {
        summary: 'Sign in with username, password and (for roles that see personal data) a TOTP code',
        description: 'Needs the x-csrf-token header from GET /api/auth/csrf. Answers a new session cookie (the id changes at every sign-in).',
        tags: ['auth'],
        body: LoginBody,
        response: { 200: Session, 401: LoginFailed, ...errorResponses(400, 403, 429) },
      },
    },
    async (req, reply) => {
      const { password, totp } = req.body
      const username = req.body.username.trim().toLowerCase()
      // What was typed as a username goes to the audit log: never an ID number or phone.
      const base = { ...auditFields(req), actorUsername: scrubPersonal(username), action: 'login' }
      const user = await withAccounts(app.db, (tx) => findUser(tx, username))
      let locksNow = false
      // Every answer but success counts against the address (a right password without its code too).
      const fail = async (reason: string, extra: { totpRequired?: boolean; message?: string } = {}) => {
        await withAccounts(app.db, (tx) =>
          appendAudit(tx, { ...base, actorId: user?.id ?? null, actorRole: user?.role ?? null, outcome: 'failed', area: user?.scope ?? null, detail: { reason, ...(locksNow ? { locked: true } : {}) } }),
        )
        if (locksNow) req.log.warn({ user: user?.id }, 'sign-in locked for one address after repeated failures')
        return reply.code(401).send({ error: 'Unauthorized', message: extra.message ?? GENERIC, ...(extra.totpRequired ? { totpRequired: true } : {}) })
      }
      if (!user || user.disabled) {
        await verifyPassword(null, password)
        return fail(user ? 'disabled' : 'unknown user')
      }
      // Counted before the password is checked: parallel guesses cannot all get past the lock.
      const claim = await withAccounts(app.db, (tx) => claimLoginAttempt(tx, user.id, req.ip))
      if (!claim.ok) {
        await verifyPassword(null, password)
        return fail(claim.reason)
      }
      locksNow = claim.locksNow
      if (!(await verifyPassword(user.passwordHash, password))) return fail('password')
      let factor: 'ok' | 'enrol' = 'ok'
      let step: number | null = null
      if (user.totpEnabled && user.totpSealed) {
        if (!totp) return fail('totp missing', { totpRequired: true, message: 'enter the 6-digit code from your authenticator app' })
        step = await checkTotp(openTotpSecret(user), totp, user.totpLastStep)
        const claimed = step !== null && (await withAccounts(app.db, (tx) => claimTotpStep(tx, user.id, step!)))
        if (!claimed) return fail('totp', { totpRequired: true, message: 'the code is wrong or was already used' })
      } else if (totpRequiredFor(user)) {
        factor = 'enrol'
      }
      // A new session id at every sign-in (no fixation); the pre-login session and its token are gone.
      await req.session.regenerate()
      const s = sessionOf(req)
      s.userId = user.id
      s.factor = factor
      const caller = callerOf(user, factor)
      s.caller = caller
      req.caller = caller
      await withAccounts(app.db, async (tx) => {
        await recordSuccessfulLogin(tx, user.id, step, req.ip)
        await appendAudit(tx, { ...base, ...auditFields(req), action: 'login', outcome: 'ok', area: user.scope, detail: { factor: user.totpEnabled ? 'totp' : factor === 'enrol' ? 'enrolment pending' : 'password' } })
      })
      app.loginCsrf.clear(reply)
      return { user: describe(caller), csrfToken: reply.generateCsrf() }
    },
  )

  r.get(
    '/api/auth/me',
    {
      config: { access: 'signed-in' },
      schema: { summary: 'The signed-in user, what the role may do, and a CSRF token', tags: ['auth'], response: { 200: Session, ...errorResponses(401) } },
    },
    async (req, reply) => ({ user: describe(req.caller!), csrfToken: reply.generateCsrf() }),
  )

  r.post(
    '/api/auth/logout',
    {
      config: { access: 'signed-in' },
      schema: { summary: 'Sign out: the session ends at once, on the server', tags: ['auth'], response: { 204: Type.Null(), ...errorResponses(401, 403) } },
    },
    async (req, reply) => {
      const c = req.caller!
      await app.audit(req, { action: 'logout', outcome: 'ok', area: c.scope })
      await req.session.destroy()
      reply.clearCookie(app.authOptions.cookieName, { path: '/', secure: app.authOptions.cookieSecure, httpOnly: true, sameSite: 'strict' })
      return reply.code(204).header('clear-site-data', '"cache"').send(null)
    },
  )

  r.post(
    '/api/auth/password',
    {
      config: { access: 'signed-in', rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        summary: 'Change the password (at least 12 characters, not a common one); other sessions of the user end',
        tags: ['auth'],
        body: PasswordChangeBody,
        response: { 200: CsrfToken, ...errorResponses(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const c = req.caller!
      const user = await withAccounts(app.db, (tx) => findUserById(tx, c.userId))
      if (!user || !(await verifyPassword(user.passwordHash, req.body.current))) {
        await app.audit(req, { action: 'password.change', outcome: 'failed', area: c.scope, detail: { reason: 'current password' } })
        return reply.code(401).send({ error: 'Unauthorized', message: 'the current password is wrong' })
      }
      const problem = passwordProblem(req.body.next, c.username)
      if (problem) return reply.code(400).send({ error: 'Bad Request', message: problem })
      const hash = await hashPassword(req.body.next)
      await req.session.regenerate(['userId', 'factor', 'caller'])
      await withAccounts(app.db, async (tx) => {
        await tx.query('UPDATE app_user SET password_hash = $2, password_changed_at = now() WHERE id = $1', [c.userId, hash])
        // Every other session of this user ends; this one continues under a new id.
        await endOtherSessions(tx, c.userId, req.session.sessionId)
        await appendAudit(tx, { ...auditFields(req), action: 'password.change', outcome: 'ok', area: c.scope })
      })
      return { csrfToken: reply.generateCsrf() }
    },
  )

  r.post(
    '/api/auth/totp/enrol',
    {
      config: { access: 'signed-in', rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        summary: 'Start TOTP enrolment: a new secret and its otpauth:// URI (show it as a QR code once)',
        tags: ['auth'],
        response: { 200: TotpEnrolment, ...errorResponses(401, 403, 409) },
      },
    },
    async (req, reply) => {
      const c = req.caller!
      const user = await withAccounts(app.db, (tx) => findUserById(tx, c.userId))
      if (user?.totpEnabled) return reply.code(409).send({ error: 'Conflict', message: 'a second factor is already set up for this account' })
      const secret = newTotpSecret()
      // Sessions are stored in the database: the pending seed is kept sealed there too.
      sessionOf(req).pendingTotp = seal(secret, `pending-totp:${c.userId}`)
      await app.audit(req, { action: 'totp.enrol', outcome: 'ok', area: c.scope })
      return { secret, uri: totpUri(secret, c.username) }
    },
  )

  r.post(
    '/api/auth/totp/confirm',
    {
      config: { access: 'signed-in', rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        summary: 'Finish TOTP enrolment with a code from the app; the session continues under a new id',
        tags: ['auth'],
        body: TotpConfirmBody,
        response: { 200: Session, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const c = req.caller!
      const pending = sessionOf(req).pendingTotp
      if (!pending) return reply.code(400).send({ error: 'Bad Request', message: 'start with POST /api/auth/totp/enrol' })
      let secret: string
      try {
        secret = unseal(pending, `pending-totp:${c.userId}`)
      } catch {
        // Sealed under a key this server no longer has (a restart with another key): enrol again.
        return reply.code(400).send({ error: 'Bad Request', message: 'the enrolment expired: start again with POST /api/auth/totp/enrol' })
      }
      const step = await checkTotp(secret, req.body.code, null)
      if (step === null) {
        await app.audit(req, { action: 'totp.confirm', outcome: 'failed', area: c.scope })
        return reply.code(400).send({ error: 'Bad Request', message: 'the code does not match; check the clock of the device' })
      }
      // Enrolment ends where a second factor already exists: someone else (holding the password) may have
      // started this enrolment while the owner enrolled. Such a session stays without the factor.
      if (!(await withAccounts(app.db, (tx) => enableTotp(tx, c.userId, secret, step)))) {
        delete sessionOf(req).pendingTotp
        await app.audit(req, { action: 'totp.confirm', outcome: 'failed', area: c.scope, detail: { reason: 'already enrolled' } })
        return reply.code(409).send({ error: 'Conflict', message: 'a second factor is already set up for this account: sign in again with it' })
      }
      await req.session.regenerate(['userId'])
      // Every other session of the account ends: none of them proved the new factor.
      await withAccounts(app.db, (tx) => endOtherSessions(tx, c.userId, req.session.sessionId))
      const s = sessionOf(req)
      s.factor = 'ok'
      const caller: Caller = { ...c, factor: 'ok' }
      s.caller = caller
      req.caller = caller
      await app.audit(req, { action: 'totp.confirm', outcome: 'ok', area: c.scope })
      return { user: describe(caller), csrfToken: reply.generateCsrf() }
    },
  )
}

export default auth
