import { createHmac, randomBytes } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import cookie, { fastifyCookie, Signer } from '@fastify/cookie'
import session from '@fastify/session'
import { DbSessionStore, sessionIdHash, type SessionData } from './session-store.js'
import { TOTP_ROLES } from '../../domain/roles.js'
import type { Caller } from './roles.js'
import type { Role } from '../../domain/roles.js'
import type { DbCaller, ScopedDb } from '../db/caller-transactions.js'

export interface AuthOptions {
  /** Signs the session cookie (≥ 32 characters); a random one per process when absent (tests). */
  sessionSecret?: string
  /** Secure cookies named __Host-povmap_sid (HTTPS only); false: povmap_sid, for http://localhost. */
  cookieSecure?: boolean
  /** 'personal': the roles of totpRoles need TOTP; 'off': nobody (demo only). */
  totp?: 'personal' | 'off'
  /** Roles that need a second factor (default TOTP_ROLES: the registry roles and auditors). */
  totpRoles?: readonly Role[]
  idleMinutes?: number
  maxHours?: number
  /** How long a session read from the database is trusted by this process (ms, default 2000; see DbSessionStore). */
  sessionTrustMs?: number
}

/** What the other auth modules use of the sessions, without the cookie secret itself. */
export interface Sessions {
  /** The caller and session id behind a Cookie header, when this process already trusts that session. */
  trusted(cookieHeader: string | undefined): { caller: Caller; sid: string } | undefined
  /** A key derived from the cookie secret for one purpose (the sign-in CSRF token). */
  keyFor(purpose: string): Buffer
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user (fresh from the database on every request), or null. */
    caller: Caller | null
  }
  interface FastifyInstance {
    /** A database handle that runs as the request role with the caller's session (RLS applies). */
    scopedDb(req: FastifyRequest): ScopedDb
    /** The caller as the database sees it (session, role, scope, who, from where). */
    dbCaller(req: FastifyRequest): DbCaller
    sessions: Sessions
    authOptions: Required<Pick<AuthOptions, 'cookieSecure' | 'totp' | 'totpRoles'>> & { cookieName: string }
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Sessions kept server-side in the database (DbSessionStore) behind a signed cookie, and the caller of
 * each request read from its session: req.caller, and the caller the database derives from the
 * session (app.dbCaller, app.scopedDb).
 */
export default fp<AuthOptions>(
  async (app: FastifyInstance, opts) => {
    const cookieSecure = opts.cookieSecure ?? false
    const cookieName = cookieSecure ? '__Host-povmap_sid' : 'povmap_sid'
    const idleMs = (opts.idleMinutes ?? 30) * 60_000
    const totp = opts.totp ?? 'personal'
    const totpRoles = opts.totpRoles ?? TOTP_ROLES
    const needsSecondFactor = (role: Role) => totp === 'personal' && totpRoles.includes(role)
    const store = new DbSessionStore(app.db, { idleMs, maxAgeMs: (opts.maxHours ?? 12) * 3_600_000, trustMs: opts.sessionTrustMs, needsSecondFactor })
    app.decorate('authOptions', { cookieSecure, totp, totpRoles, cookieName })
    // A second factor required since these sessions began (TOTP_REQUIRED or TOTP_ROLES changed): they
    // must enrol before any more data, in the database too.
    const demoted = await store.demoteUnenrolled(totp === 'personal' ? totpRoles : []).catch((err: unknown) => {
      // A database not migrated yet (health still answers) has no sessions to demote.
      if (['42P01', '42704', '22023'].includes((err as { code?: string }).code ?? '')) return 0
      throw err
    })
    if (demoted > 0) app.log.warn({ sessions: demoted }, 'sessions of accounts without the second factor their role now needs must enrol before any data')
    // Other processes on the same database end sessions and change accounts too: they say so.
    const stopListening = await app.db.listen?.('povmap_sessions', () => store.distrustAll())
    app.addHook('onClose', async () => stopListening?.())

    const cookieSecret = opts.sessionSecret ?? randomBytes(32).toString('base64url')
    const signer = new Signer(cookieSecret, 'sha256')

    // The session id behind a cookie header is remembered once its signature has been checked (a pure
    // function of the header); whether that session is still good is asked of the store every time
    // (trusted for at most trustMs, and never after a sign-out or an account change).
    const sessionByCookie = new Map<string, { sid: string; hash: string }>()
    app.decorate('sessions', {
      trusted(cookieHeader: string | undefined) {
        if (!cookieHeader) return undefined
        let known = sessionByCookie.get(cookieHeader)
        if (known === undefined) {
          const signed = fastifyCookie.parse(cookieHeader)[cookieName]
          const unsigned = signed ? signer.unsign(signed) : undefined
          if (!unsigned?.valid || !unsigned.value) return undefined
          known = { sid: unsigned.value, hash: sessionIdHash(unsigned.value) }
          if (sessionByCookie.size >= 10_000) sessionByCookie.clear()
          sessionByCookie.set(cookieHeader, known)
        }
        const caller = store.peekHashed(known.hash)?.caller
        return caller ? { caller, sid: known.sid } : undefined
      },
      keyFor: (purpose: string) => createHmac('sha256', cookieSecret).update(purpose).digest(),
    })

    await app.register(cookie)
    await app.register(session, {
      secret: signer,
      cookieName,
      store: store as never,
      saveUninitialized: false,
      rolling: false,
      // No maxAge: a browser-session cookie; the server ends sessions when idle or too old.
      cookie: { path: '/', httpOnly: true, sameSite: 'strict', secure: cookieSecure },
    })

    app.decorateRequest('caller', null)
    app.addHook('onRequest', async (req) => {
      req.caller = (req.session as unknown as SessionData | null)?.caller ?? null
    })

    const dbCaller = (req: FastifyRequest): DbCaller => {
      const c = req.caller
      if (!c) throw Object.assign(new Error('no caller: this route must declare its access'), { statusCode: 401 })
      return {
        // The database looks the caller up from this (migration 0009); the rest is for audit rows.
        sid: req.session.sessionId,
        role: c.role,
        scope: c.scope,
        userId: c.userId,
        username: c.username,
        ip: req.ip,
        userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
        requestId: req.id,
      }
    }
    app.decorate('dbCaller', dbCaller)
    app.decorate('scopedDb', (req: FastifyRequest) => app.requestDb.scoped(dbCaller(req)))

    // A state change (sign-out, disabled account, new role or scope) has committed by now: no session
    // read before it may answer the next request.
    app.addHook('onSend', async (req, _reply, payload) => {
      if (!SAFE_METHODS.has(req.method)) store.distrustAll()
      return payload
    })

    // Expired and idle sessions: swept every few minutes (each load refuses them anyway).
    const sweep = setInterval(() => {
      store.sweep().catch((err: unknown) => app.log.warn({ err }, 'session sweep failed'))
    }, Math.min(idleMs, 10 * 60_000))
    sweep.unref()
    app.addHook('onClose', async () => clearInterval(sweep))
  },
  { name: 'sessions', fastify: '5.x', dependencies: ['db'] },
)
